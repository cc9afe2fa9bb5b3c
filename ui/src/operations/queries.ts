import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type Backend, type OperationRequest, type OperationUpdate } from "../ipc";
import { historyKeys, instanceKeys, sameInstance, type InstanceAddress } from "../services/keys";

/** Newest first, one entry per id, at most this many. */
const KEEP = 50;

/** Puts an update into a list (newest first), replacing the older state of the same operation. */
export function mergeUpdate(list: readonly OperationUpdate[], update: OperationUpdate): OperationUpdate[] {
  const rest = list.filter((u) => u.id !== update.id);
  const merged = [update, ...rest];
  merged.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || idNumber(b.id) - idNumber(a.id));
  return merged.slice(0, KEEP);
}

function idNumber(id: string): number {
  const n = Number(id.replace(/^\D+/, ""));
  return Number.isFinite(n) ? n : 0;
}

/**
 * The operations a query client knows, kept outside the query cache so that events arriving
 * while the first list is fetched are never overwritten by it. One backend subscription per
 * client, however many components use the hooks; it ends when the last one unmounts.
 */
class OperationStore {
  list: OperationUpdate[] = [];
  private readonly views = new Set<() => void>();
  private stop: (() => void) | null = null;

  constructor(
    private readonly client: QueryClient,
    private readonly backend: Backend,
  ) {}

  /** Adds or replaces an update; a finished one invalidates instance and history queries. */
  apply(update: OperationUpdate, fromEvent: boolean) {
    const before = this.list.find((u) => u.id === update.id);
    // a listed state never replaces a later one that came as an event
    if (!fromEvent && before && before.state !== "running") return;
    this.list = mergeUpdate(this.list, update);
    if (fromEvent && update.state !== "running" && before?.state !== update.state) {
      void this.client.invalidateQueries({ queryKey: instanceKeys.all });
      void this.client.invalidateQueries({ queryKey: historyKeys.all });
    }
    for (const v of this.views) v();
  }

  subscribe = (view: () => void): (() => void) => {
    this.views.add(view);
    if (!this.stop) {
      this.stop = this.backend.onOperation((u) => this.apply(u, true));
      void this.backend
        .listOperations()
        .then((listed) => {
          for (const u of [...listed].reverse()) this.apply(u, false);
        })
        .catch(() => {});
    }
    return () => {
      this.views.delete(view);
      if (this.views.size === 0 && this.stop) {
        this.stop();
        this.stop = null;
      }
    };
  };

  snapshot = (): OperationUpdate[] => this.list;
}

const stores = new WeakMap<QueryClient, OperationStore>();

function storeFor(client: QueryClient, backend: Backend): OperationStore {
  let store = stores.get(client);
  if (!store) {
    store = new OperationStore(client, backend);
    stores.set(client, store);
  }
  return store;
}

/**
 * Running and recent operations, newest first, kept current from the backend's events. When one
 * finishes, instance and history queries are invalidated so every screen shows the outcome.
 */
export function useOperations(): OperationUpdate[] {
  const store = storeFor(useQueryClient(), useBackend());
  return useSyncExternalStore(store.subscribe, store.snapshot);
}

/** One operation's latest state (undefined until its first update arrives). */
export function useOperation(id: string | null | undefined): OperationUpdate | undefined {
  const all = useOperations();
  return id ? all.find((u) => u.id === id) : undefined;
}

/** The latest operation on this instance that is still running, if any. */
export function useRunningOperation(target: InstanceAddress): OperationUpdate | undefined {
  return useOperations().find((u) => u.state === "running" && sameInstance(u.target, target));
}

/** Starts an operation; resolves with its id. Errors starting it are ApiErrors. */
export function useStartOperation() {
  const backend = useBackend();
  return useMutation<string, ApiError, OperationRequest>({
    mutationFn: (request) => backend.startOperation(request).catch((e: unknown) => Promise.reject(toApiError(e))),
  });
}

/** A request for a lifecycle action on an instance. */
export function lifecycleRequest(kind: "stop" | "start" | "restart", a: InstanceAddress): OperationRequest {
  return { kind, name: a.name, context: a.context, namespace: a.namespace };
}
