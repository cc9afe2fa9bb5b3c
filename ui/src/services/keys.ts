import type { HistoryQuery } from "../ipc";

/** Where an instance lives: the three parts of its address. */
export interface InstanceAddress {
  context: string;
  namespace: string;
  name: string;
}

/** Query keys of instance data: everything under `instances` is refreshed when an operation ends. */
export const instanceKeys = {
  all: ["instances"] as const,
  /** Every context's listing. */
  lists: ["instances", "list"] as const,
  /** One context's listing. */
  context: (context: string) => ["instances", "list", context] as const,
  status: (a: InstanceAddress) => ["instances", "status", a.context, a.namespace, a.name] as const,
  details: (a: InstanceAddress) => ["instances", "details", a.context, a.namespace, a.name] as const,
};

/** Query keys of the history. */
export const historyKeys = {
  all: ["history"] as const,
  query: (q: HistoryQuery) => ["history", q.name ?? null, q.context ?? null, q.namespace ?? null] as const,
};

/** True when both name the same instance. */
export function sameInstance(a: InstanceAddress, b: InstanceAddress): boolean {
  return a.context === b.context && a.namespace === b.namespace && a.name === b.name;
}

/** The `#/instances/...` path of an instance (each part URI-encoded). */
export function instancePath(a: InstanceAddress, tab?: string): string {
  const base = `/instances/${encodeURIComponent(a.context)}/${encodeURIComponent(a.namespace)}/${encodeURIComponent(a.name)}`;
  return tab ? `${base}/${tab}` : base;
}
