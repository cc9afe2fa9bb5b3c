import type { ContextInfo, Location } from "../ipc";

/** What the user narrowed the list to. */
export interface ContextFilter {
  /** Free text; every whitespace-separated word must appear in name, cluster, server, user or namespace. */
  text: string;
  location: Location | "all";
}

export const NO_FILTER: ContextFilter = { text: "", location: "all" };

function haystack(c: ContextInfo): string {
  return [c.name, c.cluster, c.server, c.user, c.namespace].filter(Boolean).join(" ").toLowerCase();
}

/** True when `c` passes the filter. */
export function matches(c: ContextInfo, filter: ContextFilter): boolean {
  if (filter.location !== "all" && c.location !== filter.location) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = haystack(c);
  return words.every((w) => text.includes(w));
}

/** Favourites first, then by name (natural order, so `node-2` sorts before `node-10`). */
export function compareContexts(a: ContextInfo, b: ContextInfo): number {
  if (a.favourite !== b.favourite) return a.favourite ? -1 : 1;
  return a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: "base" });
}

/** The contexts to show, in display order. */
export function visibleContexts(all: readonly ContextInfo[], filter: ContextFilter): ContextInfo[] {
  return all.filter((c) => matches(c, filter)).sort(compareContexts);
}
