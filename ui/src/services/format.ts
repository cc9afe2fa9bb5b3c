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

/** "25 Nov 2026, 13:04" in the user's locale, 24-hour like every time Berth shows. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });
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

/** How the Services list is ordered within each context. */
export type InstanceSort = "name" | "health" | "service" | "newest";

export const SORT_LABELS: Record<InstanceSort, string> = {
  name: "Name",
  health: "Problems first",
  service: "Service",
  newest: "Newest",
};

/** Problems first: what needs a look comes before what runs. */
const HEALTH_ORDER: Record<HealthState, number> = { degraded: 0, unreachable: 1, progressing: 2, stopped: 3, ready: 4 };

const byName = (a: InstanceSummary, b: InstanceSummary) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true }) || a.namespace.localeCompare(b.namespace);

/** The instances in the chosen order (names compared case-insensitively, numbers as numbers). */
export function sortInstances(list: readonly InstanceSummary[], sort: InstanceSort): InstanceSummary[] {
  const order: Record<InstanceSort, (a: InstanceSummary, b: InstanceSummary) => number> = {
    name: byName,
    health: (a, b) => HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health] || byName(a, b),
    service: (a, b) => a.service.localeCompare(b.service) || byName(a, b),
    newest: (a, b) => (b.created ?? "").localeCompare(a.created ?? "") || byName(a, b),
  };
  return [...list].sort(order[sort]);
}
