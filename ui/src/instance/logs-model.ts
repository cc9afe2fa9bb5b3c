import type { InstanceLogLine } from "../ipc";

/** At most this many lines are kept; older ones are dropped (a long follow stays bounded). */
export const MAX_LINES = 200_000;

/** Appends `more` to `lines` in place, dropping the oldest past `max`. */
export function appendBounded(lines: InstanceLogLine[], more: readonly InstanceLogLine[], max = MAX_LINES): void {
  for (const l of more) lines.push(l);
  if (lines.length > max) lines.splice(0, lines.length - max);
}

/** The lines a view shows: of one pod (or all), containing `query` (case-insensitive). */
export function visibleLines(lines: readonly InstanceLogLine[], pod: string | null, query: string): InstanceLogLine[] {
  const q = query.trim().toLowerCase();
  if (!pod && !q) return lines as InstanceLogLine[];
  return lines.filter((l) => (!pod || l.pod === pod) && (!q || l.line.toLowerCase().includes(q) || l.prefix.toLowerCase().includes(q)));
}

/** Splits `text` into parts, marking every case-insensitive occurrence of `query`. */
export function highlight(text: string, query: string): { text: string; match: boolean }[] {
  const q = query.trim().toLowerCase();
  if (!q) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (;;) {
    const i = lower.indexOf(q, at);
    if (i < 0) break;
    if (i > at) parts.push({ text: text.slice(at, i), match: false });
    parts.push({ text: text.slice(i, i + q.length), match: true });
    at = i + q.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}

/** Every pod seen in the lines, sorted. */
export function podsOf(lines: readonly InstanceLogLine[], known: Set<string>): boolean {
  let added = false;
  for (const l of lines) {
    if (!known.has(l.pod)) {
      known.add(l.pod);
      added = true;
    }
  }
  return added;
}

/** A log line's severity, from its text, for colouring. */
export function severity(line: string): "error" | "warning" | null {
  if (/\b(ERROR|FATAL|PANIC|error|panic|fatal)\b/.test(line)) return "error";
  if (/\b(WARNING|WARN|warn|warning)\b/.test(line)) return "warning";
  return null;
}
