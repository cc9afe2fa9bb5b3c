import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type InstanceLogLine, type InstanceMetrics, type InstanceRef, type MetricsHistory } from "../ipc";
import { appendBounded, podsOf } from "./logs-model";

/** uPlot's data shape: x values, then one column per series (null: no sample). */
export type AlignedData = [number[], ...(number | null)[][]];

/** Which instance a panel shows. */
export interface InstanceProps {
  context: string;
  namespace: string;
  name: string;
}

export function instanceRef({ context, namespace, name }: InstanceProps): InstanceRef {
  return { context, namespace, name };
}

export type StreamStatus = "connecting" | "live" | "ended" | "failed";

/**
 * Follows an instance's logs. Lines are kept in a bounded array outside React state; `version`
 * changes when the view should re-read them. While paused, arriving lines wait in a buffer and
 * are shown on resume.
 */
export function useLogStream(instance: InstanceProps, tail = 1000) {
  const backend = useBackend();
  const lines = useRef<InstanceLogLine[]>([]);
  const pending = useRef<InstanceLogLine[]>([]);
  const pods = useRef(new Set<string>());
  const pausedRef = useRef(false);
  const [version, setVersion] = useState(0);
  const [paused, setPausedState] = useState(false);
  const [pendingCount, setPendingCount] = useState(0);
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const [error, setError] = useState<ApiError | null>(null);
  const [restart, setRestart] = useState(0);
  const { context, namespace, name } = instance;

  useEffect(() => {
    lines.current = [];
    pending.current = [];
    pods.current = new Set();
    setVersion((v) => v + 1);
    setStatus("connecting");
    setError(null);
    let frame: number | null = null;
    const schedule = () => {
      if (frame !== null) return;
      frame = requestAnimationFrame(() => {
        frame = null;
        setVersion((v) => v + 1);
      });
    };
    const stream = backend.streamLogs(
      { instance: { context, namespace, name }, pod: null, sinceSeconds: null, tail, follow: true },
      (batch) => {
        setStatus("live");
        podsOf(batch, pods.current);
        if (pausedRef.current) {
          appendBounded(pending.current, batch);
          setPendingCount(pending.current.length);
          return;
        }
        appendBounded(lines.current, batch);
        schedule();
      },
    );
    let active = true;
    stream.done.then(
      () => active && setStatus("ended"),
      (e: unknown) => {
        if (!active) return;
        setError(toApiError(e));
        setStatus("failed");
      },
    );
    return () => {
      active = false;
      if (frame !== null) cancelAnimationFrame(frame);
      void stream.stop().catch(() => {});
    };
  }, [backend, context, namespace, name, tail, restart]);

  const setPaused = useCallback((p: boolean) => {
    pausedRef.current = p;
    setPausedState(p);
    if (!p && pending.current.length > 0) {
      appendBounded(lines.current, pending.current);
      pending.current = [];
      setPendingCount(0);
      setVersion((v) => v + 1);
    }
  }, []);

  const clear = useCallback(() => {
    lines.current = [];
    pending.current = [];
    setPendingCount(0);
    setVersion((v) => v + 1);
  }, []);

  const reconnect = useCallback(() => setRestart((r) => r + 1), []);

  return {
    lines: lines.current,
    pods: [...pods.current].sort(),
    version,
    status,
    error,
    paused,
    pendingCount,
    setPaused,
    clear,
    reconnect,
  };
}

/** One pod's samples over time. */
export interface PodSeries {
  pod: string;
  /** Unix seconds. */
  times: number[];
  cpu: number[];
  /** MiB. */
  memory: number[];
}

/** At most this many samples per pod are kept (10 minutes at one sample per 5 s). */
export const MAX_SAMPLES = 120;

/** Adds one sample to the series (one per pod); a repeated timestamp replaces nothing. */
export function addSample(series: PodSeries[], metrics: InstanceMetrics, at: number): PodSeries[] {
  if (metrics.kind !== "samples") return series;
  const next = series.map((s) => ({ ...s, times: [...s.times], cpu: [...s.cpu], memory: [...s.memory] }));
  for (const p of metrics.pods) {
    let s = next.find((x) => x.pod === p.pod);
    if (!s) {
      s = { pod: p.pod, times: [], cpu: [], memory: [] };
      next.push(s);
    }
    const t = Number.isFinite(Date.parse(p.timestamp)) ? Date.parse(p.timestamp) / 1000 : at;
    if (s.times.length > 0 && s.times[s.times.length - 1]! >= t) continue;
    s.times.push(t);
    s.cpu.push(p.cpuMillicores);
    s.memory.push(p.memoryBytes / (1024 * 1024));
    if (s.times.length > MAX_SAMPLES) {
      s.times.shift();
      s.cpu.shift();
      s.memory.shift();
    }
  }
  next.sort((a, b) => a.pod.localeCompare(b.pod));
  return next;
}

/** Samples an instance's metrics every `intervalMs` while the page is visible. */
export function useMetricsSamples(instance: InstanceProps, intervalMs = 5000) {
  const backend = useBackend();
  const [series, setSeries] = useState<PodSeries[]>([]);
  const { context, namespace, name } = instance;
  const query = useQuery<InstanceMetrics, ApiError>({
    queryKey: ["instance", context, namespace, name, "metrics"],
    queryFn: () => backend.instanceMetrics({ context, namespace, name }).catch((e: unknown) => Promise.reject(toApiError(e))),
    // a cluster without the metrics API is not asked again and again
    refetchInterval: (q) => (q.state.data?.kind === "noMetricsApi" ? false : intervalMs),
    refetchIntervalInBackground: false,
    staleTime: 0,
    gcTime: 0,
  });
  const data = query.data;
  const updatedAt = query.dataUpdatedAt;
  useEffect(() => {
    if (data) setSeries((s) => addSample(s, data, updatedAt / 1000));
  }, [data, updatedAt]);
  useEffect(() => setSeries([]), [context, namespace, name]);
  return { query, series };
}

/**
 * The samples kept over the last `sinceSeconds` with each pod's requests and limits; asked again
 * when the range changes (and each minute, for the pods' current requests and limits).
 */
export function useMetricsHistory(instance: InstanceProps, sinceSeconds: number) {
  const backend = useBackend();
  const { context, namespace, name } = instance;
  return useQuery<MetricsHistory, ApiError>({
    queryKey: ["instance", context, namespace, name, "metricsHistory", sinceSeconds],
    queryFn: () =>
      backend.metricsHistory({ instance: { context, namespace, name }, sinceSeconds }).catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: 60_000,
    refetchInterval: 60_000,
    refetchIntervalInBackground: false,
  });
}

/** Aligns every pod's samples on one time axis (uPlot's data shape); gaps are null. */
export function align(series: PodSeries[], pick: (s: PodSeries) => number[]): AlignedData {
  const times = [...new Set(series.flatMap((s) => s.times))].sort((a, b) => a - b);
  const columns = series.map((s) => {
    const values = pick(s);
    const at = new Map(s.times.map((t, i) => [t, values[i] ?? null]));
    return times.map((t) => at.get(t) ?? null);
  });
  return [times, ...columns] as AlignedData;
}

