/** What the Overview shows, computed: events grouped and ordered, the configuration in force. */
import type { EventInfo } from "../ipc";

/** Events of one kind on one object, folded together. */
export interface EventGroup {
  severity: string;
  reason: string;
  message: string;
  object: string;
  /** How many times, all the folded events together. */
  count: number;
  /** The latest time any of them was seen. */
  lastSeen: string | null;
}

/**
 * Folds events that say the same thing about the same object (their counts added, the latest
 * time kept), then orders them: Warnings first, the newest first within each severity.
 */
export function groupEvents(events: EventInfo[]): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const e of events) {
    const key = JSON.stringify([e.severity, e.reason, e.message, e.object]);
    const seen = groups.get(key);
    if (!seen) {
      groups.set(key, { ...e, count: Math.max(1, e.count) });
      continue;
    }
    seen.count += Math.max(1, e.count);
    if (e.lastSeen && (!seen.lastSeen || e.lastSeen > seen.lastSeen)) seen.lastSeen = e.lastSeen;
  }
  const warning = (g: EventGroup) => (g.severity.toLowerCase() === "warning" ? 0 : 1);
  return [...groups.values()].sort((a, b) => warning(a) - warning(b) || (b.lastSeen ?? "").localeCompare(a.lastSeen ?? ""));
}

/** One line of the Configuration card. */
export interface ConfigurationFact {
  label: string;
  value: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The value at a dotted path of the parameters, as text; undefined when absent. */
function at(parameters: Json, path: string): string | undefined {
  let v: Json | undefined = parameters;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    v = v[part];
  }
  if (v === undefined || v === null || v === "") return undefined;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

const EXPOSURE: Record<string, string> = {
  cluster: "inside the cluster",
  nodePort: "on every node's port",
  loadBalancer: "through a load balancer",
};

/**
 * The common knobs in force (docs/catalog.md: replicas, resources, storage, expose), with the
 * version; a definition without one simply has no line for it.
 */
export function configurationFacts(parameters: unknown, version: string): ConfigurationFact[] {
  const p = (parameters ?? {}) as Json;
  const first = (...paths: string[]) => paths.map((path) => at(p, path)).find((v) => v !== undefined);
  const facts: [string, string | undefined][] = [
    ["Version", version],
    ["Replicas", first("replicas")],
    ["CPU", first("resources.cpu", "cpu")],
    ["Memory", first("resources.memory", "memory")],
    ["Storage", first("storage.size", "storage")],
    ["Storage class", first("storage.className")],
    ["Exposure", (() => {
      const e = first("expose", "expose.type");
      return e ? (EXPOSURE[e] ?? e) : undefined;
    })()],
  ];
  return facts.filter((f): f is [string, string] => f[1] !== undefined).map(([label, value]) => ({ label, value }));
}
