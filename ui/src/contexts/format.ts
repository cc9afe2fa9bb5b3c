import type { Location } from "../ipc";

export { failureTitle } from "../components/failure";

export const LOCATION_LABELS: Record<Location, string> = {
  laptop: "Laptop",
  cloud: "Cloud",
  private: "Private",
};

/** "9 ms", "1.2 s". */
export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "just now", "5 minutes ago", "3 days ago"; null when the timestamp is missing or invalid. */
export function formatLastSeen(rfc3339: string | null, now: Date = new Date()): string | null {
  if (!rfc3339) return null;
  const then = Date.parse(rfc3339);
  if (Number.isNaN(then)) return null;
  const seconds = Math.round((now.getTime() - then) / 1000);
  if (seconds < 60) return "just now";
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return rtf.format(-Math.floor(seconds / size), unit);
  }
  return "just now";
}
