import type { HealthState, InstanceSummary } from "../ipc";

export const HEALTH_LABELS: Record<HealthState, string> = {
  ready: "Ready",
  progressing: "Starting",
  degraded: "Degraded",
  stopped: "Stopped",
  unreachable: "Unreachable",
};

/** "just now", "5 min", "3 h", "12 d" since an RFC 3339 time; "" when unknown. */
export function formatAge(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return "just now";
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** "25 Nov 2026, 10:04" in the user's locale. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** What the instance list can be narrowed by. */
export interface InstanceFilter {
  text: string;
  health: HealthState | "all";
  context: string | "all";
}

export const NO_INSTANCE_FILTER: InstanceFilter = { text: "", health: "all", context: "all" };

/** The instances that match: text in name, service, version, namespace, context or endpoint. */
export function filterInstances(list: readonly InstanceSummary[], f: InstanceFilter): InstanceSummary[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return list.filter((i) => {
    if (f.health !== "all" && i.health !== f.health) return false;
    if (f.context !== "all" && i.context !== f.context) return false;
    const hay = [i.name, i.service, i.version, i.namespace, i.context, i.endpoint ?? ""].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Groups by context, keeping `order` (contexts first in kubeconfig order, then the rest by name). */
export function groupByContext<T extends { context: string }>(items: readonly T[], order: readonly string[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const i of items) {
    const g = groups.get(i.context);
    if (g) g.push(i);
    else groups.set(i.context, [i]);
  }
  const rank = (c: string) => {
    const i = order.indexOf(c);
    return i === -1 ? order.length : i;
  };
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
