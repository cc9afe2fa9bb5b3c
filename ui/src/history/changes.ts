import type { ParameterChange } from "../ipc/bindings/ParameterChange";
import type { JsonValue } from "../ipc/bindings/serde_json/JsonValue";

function show(value: JsonValue | null): string {
  if (value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `resources.memory: 1Gi → 2Gi`; an added parameter has no before, a removed one no after. */
export function formatChange(c: ParameterChange): string {
  if (c.old === null) return `${c.path}: ${show(c.new)} (added)`;
  if (c.new === null) return `${c.path}: ${show(c.old)} (removed)`;
  return `${c.path}: ${show(c.old)} → ${show(c.new)}`;
}

/** The first `limit` changes of a revision for its row, how many more there are, and all of them. */
export function summarizeChanges(changes: readonly ParameterChange[], limit = 2): { shown: string[]; more: number; all: string } {
  const lines = changes.map(formatChange);
  return { shown: lines.slice(0, limit), more: Math.max(0, lines.length - limit), all: lines.join("\n") };
}
