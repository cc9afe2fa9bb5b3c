/** Form values ↔ what the core takes: defaults from the schema, and changes as `path=value`. */
import type { JsonValue } from "../ipc";

type Obj = { [key: string]: JsonValue | undefined };
type Schema = { type?: unknown; properties?: Record<string, Schema>; default?: JsonValue; items?: Schema };

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeMatches(schema: Schema, value: JsonValue | undefined): boolean {
  const t = schema.type;
  if (t === undefined) return true;
  const types = Array.isArray(t) ? (t as string[]) : [t as string];
  return types.some((x) =>
    x === "object" ? isObj(value)
    : x === "array" ? Array.isArray(value)
    : x === "integer" ? Number.isInteger(value)
    : x === "number" ? typeof value === "number"
    : x === "null" ? value === null
    : typeof value === x,
  );
}

/**
 * `values` restricted to what the schema knows with the right types, over the schema's
 * defaults: what a form can start from, whatever shape the live parameters have.
 */
export function fitToSchema(schema: Schema, values: JsonValue | undefined): JsonValue {
  if (schema.properties) {
    const out: Obj = {};
    const given = isObj(values) ? values : {};
    for (const [key, sub] of Object.entries(schema.properties)) {
      const fitted = fitToSchema(sub, given[key]);
      if (fitted !== undefined) out[key] = fitted;
    }
    return out as JsonValue;
  }
  if (values !== undefined && typeMatches(schema, values)) return values;
  return (schema.default ?? undefined) as JsonValue;
}

/** JSON with object keys sorted: the form may rebuild an object with its keys in another order. */
function canonical(v: JsonValue | undefined): string | undefined {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** The `path=value` assignments that turn `before` into `after` (leaves; lists as JSON). */
export function changesAsSet(before: JsonValue | undefined, after: JsonValue | undefined, prefix = ""): string[] {
  if (isObj(after)) {
    const old = isObj(before) ? before : {};
    return Object.keys(after)
      .sort()
      .flatMap((k) => changesAsSet(old[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  if (after === undefined || canonical(before) === canonical(after)) return [];
  const text = typeof after === "string" ? after : JSON.stringify(after);
  return [`${prefix}=${text}`];
}
