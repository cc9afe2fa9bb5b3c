/**
 * JSON → YAML text for the Preview tab. Rendered objects are plain JSON (maps, lists, strings,
 * numbers, booleans, null), so a short emitter is enough; a full YAML library would add tens of
 * kilobytes to the bundle for features the preview never needs.
 */
import type { JsonValue } from "../ipc";

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./:@-]*( [A-Za-z0-9_./:@()-]+)*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value !== "string") return String(value);
  if (value === "" || !PLAIN.test(value) || RESERVED.test(value) || /^[-+]?[\d.]/.test(value)) {
    return JSON.stringify(value);
  }
  return value;
}

function emit(value: JsonValue | undefined, indent: string, out: string[], lead: string): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return void out.push(`${lead}[]`);
    if (lead) out.push(lead.trimEnd());
    for (const item of value) {
      if (item !== null && typeof item === "object") {
        const lines: string[] = [];
        emit(item, `${indent}  `, lines, "");
        lines[0] = `${indent}- ${lines[0]!.trimStart()}`;
        out.push(...lines);
      } else {
        out.push(`${indent}- ${scalar(item)}`);
      }
    }
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return void out.push(`${lead}{}`);
    if (lead) out.push(lead.trimEnd());
    for (const [k, v] of entries) {
      const key = `${indent}${scalar(k)}:`;
      if (typeof v === "string" && v.includes("\n")) {
        out.push(`${key} |${v.endsWith("\n") ? "" : "-"}`);
        for (const line of v.replace(/\n$/, "").split("\n")) out.push(line ? `${indent}  ${line}` : "");
      } else if (v !== null && typeof v === "object" && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
        emit(v as JsonValue, Array.isArray(v) ? indent : `${indent}  `, out, key);
      } else {
        emit(v as JsonValue, indent, out, `${key} `);
      }
    }
  } else {
    out.push(`${lead}${scalar(value ?? null)}`);
  }
}

/** One document's YAML. */
export function toYaml(value: JsonValue): string {
  const out: string[] = [];
  emit(value, "", out, "");
  return `${out.join("\n")}\n`;
}

/** Several objects as one multi-document stream. */
export function toYamlStream(objects: JsonValue[]): string {
  return objects.map(toYaml).join("---\n");
}
