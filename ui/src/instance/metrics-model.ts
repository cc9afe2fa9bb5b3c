/**
 * The Metrics panel's model: the ranges it shows, the stored history turned into chart series
 * (with the live samples appended), the request and limit lines, and the one unit (MiB) and time
 * format (24-hour) used everywhere in the panel.
 */
import type { MetricsHistory, PodResources } from "../ipc";
import type { PodSeries } from "./hooks";

/** What the panel shows: the live samples only, or the kept history of a range. */
export type MetricsRange = "live" | "15m" | "1h" | "24h" | "7d" | "30d";

export const METRICS_RANGES: { id: MetricsRange; label: string; seconds: number }[] = [
  { id: "live", label: "Live", seconds: 0 },
  { id: "15m", label: "15 min", seconds: 15 * 60 },
  { id: "1h", label: "1 h", seconds: 3600 },
  { id: "24h", label: "24 h", seconds: 24 * 3600 },
  // longer than Berth keeps: only from the cluster's Prometheus
  { id: "7d", label: "7 d", seconds: 7 * 86_400 },
  { id: "30d", label: "30 d", seconds: 30 * 86_400 },
];

/** The seconds a range covers; 0 for Live. */
export function rangeSeconds(range: MetricsRange): number {
  return METRICS_RANGES.find((r) => r.id === range)?.seconds ?? 0;
}

const MIB = 1024 * 1024;

/** Memory in MiB, whole: `512 MiB` (never GiB, so values compare at a glance). */
export function formatMiB(bytes: number): string {
  return `${Math.round(bytes / MIB).toLocaleString("en-US")} MiB`;
}

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const CLOCK_SECONDS = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const DAY_CLOCK = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

const DAY = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

/**
 * A time axis tick (Unix seconds) in local 24-hour time; with seconds when the axis spans under 5
 * minutes; the day alone when it spans more than 2 days (a week's or a month's ticks fall at midnight).
 */
export function formatTick(seconds: number, spanSeconds: number): string {
  if (spanSeconds > 2 * 86_400) return DAY.format(seconds * 1000);
  return (spanSeconds < 300 ? CLOCK_SECONDS : CLOCK).format(seconds * 1000);
}

/** A sample's time in full (the chart legend), local 24-hour time. */
export function formatSampleTime(seconds: number): string {
  return DAY_CLOCK.format(seconds * 1000);
}

/** The stored history as chart series: seconds and MiB, by pod. Pods without samples are left out. */
export function historySeries(history: MetricsHistory): PodSeries[] {
  return history.pods
    .filter((p) => p.points.length > 0)
    .map((p) => ({
      pod: p.pod,
      times: p.points.map((x) => x.atMs / 1000),
      cpu: p.points.map((x) => x.cpuMillicores),
      memory: p.points.map((x) => x.memoryBytes / MIB),
    }));
}

/**
 * The stored series with the live samples taken after them appended, from `fromS` on (older
 * points slide out of the window), by pod.
 */
export function mergeSeries(stored: PodSeries[], live: PodSeries[], fromS: number): PodSeries[] {
  const pods = new Map<string, PodSeries>();
  for (const s of [...stored, ...live]) {
    const into = pods.get(s.pod) ?? { pod: s.pod, times: [], cpu: [], memory: [] };
    pods.set(s.pod, into);
    s.times.forEach((t, i) => {
      if (t < fromS || (into.times.length > 0 && t <= into.times[into.times.length - 1]!)) return;
      into.times.push(t);
      into.cpu.push(s.cpu[i]!);
      into.memory.push(s.memory[i]!);
    });
  }
  return [...pods.values()].filter((s) => s.times.length > 0).sort((a, b) => a.pod.localeCompare(b.pod));
}

/** How many samples the series hold in all. */
export function sampleCount(series: PodSeries[]): number {
  return series.reduce((n, s) => n + s.times.length, 0);
}

/** A dashed horizontal line on a chart: a request or a limit. */
export interface ResourceLine {
  kind: "request" | "limit";
  /** What the legend says: `request`, or `request pg-1` when the pods differ. */
  label: string;
  /** In the chart's unit (millicores or MiB). */
  value: number;
}

/**
 * The request and limit lines of one chart. Pods of one workload share their values, so each is
 * one line; pods that differ get a line each, named by pod. A pod without a request or limit adds none.
 */
export function resourceLines(history: MetricsHistory | undefined, metric: "cpu" | "memory"): ResourceLine[] {
  if (!history) return [];
  const pick: Record<ResourceLine["kind"], (r: PodResources) => number | null> =
    metric === "cpu"
      ? { request: (r) => r.cpuRequestMillicores, limit: (r) => r.cpuLimitMillicores }
      : {
          request: (r) => (r.memoryRequestBytes == null ? null : r.memoryRequestBytes / MIB),
          limit: (r) => (r.memoryLimitBytes == null ? null : r.memoryLimitBytes / MIB),
        };
  const lines: ResourceLine[] = [];
  for (const kind of ["request", "limit"] as const) {
    const byPod = history.pods.flatMap((p) => {
      const v = p.resources ? pick[kind](p.resources) : null;
      return v == null ? [] : [{ pod: p.pod, value: v }];
    });
    const distinct = new Set(byPod.map((x) => x.value));
    if (distinct.size === 1) lines.push({ kind, label: kind, value: byPod[0]!.value });
    else for (const x of byPod) lines.push({ kind, label: `${kind} ${x.pod}`, value: x.value });
  }
  return lines;
}
