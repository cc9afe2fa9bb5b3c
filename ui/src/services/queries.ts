import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { useBackend } from "../app/backend-context";
import { contextKeys, useContextList } from "../contexts/queries";
import {
  toApiError,
  type ApiError,
  type Backend,
  type ContextInstances,
  type HistoryQuery,
  type InstanceDetails,
  type InstanceSummary,
  type RevisionInfo,
  type UnreachableContext,
} from "../ipc";
import { historyKeys, instanceKeys, type InstanceAddress } from "./keys";

/** Where one context's listing is. */
export interface ContextListing {
  context: string;
  /** `pending` until its first answer; a refetch keeps the last answer on screen. */
  status: "pending" | "success" | "error";
  instances: InstanceSummary[];
  error: ApiError | null;
}

/** Every instance in every context, each context asked on its own (see {@link useInstances}). */
export interface AllInstances {
  /** The contexts themselves are not known yet (the kubeconfig and Berth's tags: no network). */
  isPending: boolean;
  /** The context list failed (e.g. Berth's database cannot be opened). */
  error: ApiError | null;
  /** One entry per context, in kubeconfig order. */
  listings: ContextListing[];
  /** The instances of the contexts that answered, by context in kubeconfig order. */
  instances: InstanceSummary[];
  /** The contexts that could not be asked, with why. */
  unreachable: UnreachableContext[];
  /** Contexts still waited for. */
  pending: string[];
  /** Every context has answered or failed. */
  settled: boolean;
  /** Something is being read (first time or again). */
  isFetching: boolean;
  /** Reads the kubeconfig again and asks every context again. */
  refetch: () => Promise<void>;
}

/**
 * The query of one context's instances: shared by {@link useInstances} and the start-up prefetch in `main.tsx`.
 * A context that could not be asked is not asked again just because the screen mounts (the core
 * already retried it; Refresh, window focus and the end of an operation ask again): otherwise the
 * Services screen would open on skeletons for contexts already known to be unreachable.
 */
export function contextInstancesQuery(backend: Backend, context: string) {
  return {
    queryKey: instanceKeys.context(context),
    queryFn: (): Promise<ContextInstances> =>
      backend.listContextInstances(context).catch((e: unknown) => Promise.reject(toApiError(e))),
    retryOnMount: false,
  };
}

/**
 * Every instance in every context. The kubeconfig's contexts come first (local, fast); then one
 * query per context, all in flight at once, so a context that answers is shown at once and a slow
 * or dead one only keeps its own group waiting. Each is refetched when the window regains focus
 * and when an operation ends (everything under `instances`).
 */
export function useInstances(): AllInstances {
  const backend = useBackend();
  const client = useQueryClient();
  const contexts = useContextList();
  const names = useMemo(() => (contexts.data?.contexts ?? []).map((c) => c.name), [contexts.data]);
  const results = useQueries({
    queries: names.map((context) => ({ ...contextInstancesQuery(backend, context), refetchOnWindowFocus: true })),
  }) as { data?: ContextInstances; error: ApiError | null; status: ContextListing["status"]; isFetching: boolean }[];

  const listings: ContextListing[] = names.map((context, i) => {
    const r = results[i];
    // after an error, data from an earlier answer is stale: show the error
    const status = r?.status ?? "pending";
    return {
      context,
      status,
      instances: status === "success" ? (r?.data?.instances ?? []) : [],
      error: status === "error" ? (r?.error ?? null) : null,
    };
  });
  return {
    isPending: contexts.isPending,
    error: contexts.error ?? null,
    listings,
    instances: listings.flatMap((l) => l.instances),
    unreachable: listings
      .filter((l) => l.status === "error")
      .map((l) => ({
        context: l.context,
        message: l.error?.message ?? "",
        failure: l.error?.failure ?? null,
        hint: l.error?.hint ?? null,
      })),
    pending: listings.filter((l) => l.status === "pending").map((l) => l.context),
    settled: contexts.isSuccess && listings.every((l) => l.status !== "pending"),
    isFetching: contexts.isFetching || results.some((r) => r.isFetching),
    refetch: async () => {
      await client.invalidateQueries({ queryKey: contextKeys.list });
      await client.invalidateQueries({ queryKey: instanceKeys.lists });
    },
  };
}

/** One instance with its pods, events and volumes. */
export function useInstanceDetails(a: InstanceAddress) {
  const backend = useBackend();
  return useQuery<InstanceDetails, ApiError>({
    queryKey: instanceKeys.details(a),
    queryFn: () =>
      backend
        .instanceDetails({ context: a.context, namespace: a.namespace, name: a.name })
        .catch((e: unknown) => Promise.reject(toApiError(e))),
    refetchOnWindowFocus: true,
  });
}

/** Recorded operations, newest first. */
export function useHistory(query: HistoryQuery = {}) {
  const backend = useBackend();
  return useQuery<RevisionInfo[], ApiError>({
    queryKey: historyKeys.query(query),
    queryFn: () => backend.history(query).catch((e: unknown) => Promise.reject(toApiError(e))),
    refetchOnWindowFocus: true,
  });
}
