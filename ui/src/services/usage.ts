import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type InstanceSummary, type UsageSeries, type UsageTarget } from "../ipc";

/** How often the Services screen asks for fresh usage (the core samples at most every 10 s). */
export const USAGE_POLL_MS = 15_000;

/** `context/namespace/name`: the key of an instance in the usage map. */
export function usageKey(t: UsageTarget): string {
  return `${t.context}/${t.namespace}/${t.name}`;
}

/**
 * The recent CPU and memory of the running instances given (the Services screen: one context), in one request,
 * refreshed every {@link USAGE_POLL_MS} while the window is visible (metrics.k8s.io has no watch).
 * Stopped instances are not asked about: they have no pod to measure.
 */
export function useInstanceUsage(instances: readonly InstanceSummary[], pollMs: number = USAGE_POLL_MS) {
  const backend = useBackend();
  const targets = useMemo(
    () =>
      instances
        .filter((i) => i.health !== "stopped")
        .map((i) => ({ context: i.context, namespace: i.namespace, name: i.name }))
        .sort((a, b) => usageKey(a).localeCompare(usageKey(b))),
    [instances],
  );
  const query = useQuery<UsageSeries[], ApiError>({
    queryKey: ["usage", targets.map(usageKey)],
    queryFn: () => backend.instanceUsage({ instances: targets }).catch((e: unknown) => Promise.reject(toApiError(e))),
    enabled: targets.length > 0,
    refetchInterval: pollMs,
    placeholderData: keepPreviousData,
    staleTime: pollMs / 2,
  });
  const byKey = useMemo(() => new Map((query.data ?? []).map((s) => [usageKey(s.instance), s])), [query.data]);
  return { query, byKey };
}

/** "150m" / "1.25" cores. */
export function formatCpu(millicores: number): string {
  return millicores >= 1000 ? `${(millicores / 1000).toFixed(millicores >= 10_000 ? 0 : 2)}` : `${Math.round(millicores)}m`;
}

/** "64 MiB", "1.5 GiB": the units the rest of the app writes. */
export function formatMemory(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1024) return `${(mib / 1024).toFixed(mib >= 10 * 1024 ? 0 : 1)} GiB`;
  if (mib >= 1) return `${Math.round(mib)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}

/** "over the last 7 min" for a series' time span. */
export function describeSpan(series: UsageSeries): string {
  const pts = series.points;
  if (pts.length < 2) return "one sample so far";
  const minutes = Math.round((pts[pts.length - 1]!.atMs - pts[0]!.atMs) / 60_000);
  return minutes < 1 ? `${pts.length} samples in the last minute` : `over the last ${minutes} min`;
}
