import type { JsonValue } from "../ipc/bindings/serde_json/JsonValue";

/** One changed parameter between two revisions: `path: before → after`. */
export interface ParameterChange {
  path: string;
  before: string | null;
  after: string | null;
}

function flatten(value: JsonValue | undefined, prefix: string, out: Map<string, string>) {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(prefix, JSON.stringify(value));
  }
}

/** The parameters that differ between two snapshots, by dotted path, sorted. */
export function diffParameters(before: JsonValue | null | undefined, after: JsonValue | null | undefined): ParameterChange[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(before ?? {}, "", a);
  flatten(after ?? {}, "", b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((p) => ({ path: p, before: a.get(p) ?? null, after: b.get(p) ?? null }));
}
