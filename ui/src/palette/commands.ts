import type { InstanceSummary } from "../ipc";
import { instancePath } from "../services/keys";

/** One entry of the command palette. */
export interface Command {
  id: string;
  /** What the row says. */
  title: string;
  /** The group heading. */
  group: "Go to" | "Services" | "Actions" | "Install";
  /** Extra words that match (context, namespace, service). */
  keywords: string;
  /** A hint on the right (context/namespace). */
  hint?: string;
  /** Either navigate here… */
  href?: string;
  /** …or run this lifecycle operation. */
  lifecycle?: { kind: "start" | "stop" | "restart"; instance: InstanceSummary };
}

const SCREENS: [string, string][] = [
  ["Services", "/services"],
  ["Catalog", "/catalog"],
  ["Contexts", "/contexts"],
  ["History", "/history"],
  ["Settings", "/settings"],
];

/** Every command: screens, each instance's page and lifecycle actions, and installs. */
export function buildCommands(instances: readonly InstanceSummary[], services: readonly { id: string; title: string }[]): Command[] {
  const out: Command[] = SCREENS.map(([title, href]) => ({ id: `go:${href}`, title, group: "Go to", keywords: "screen page", href }));
  for (const i of instances) {
    const where = `${i.context}/${i.namespace}`;
    const keywords = `${i.service} ${i.version} ${i.context} ${i.namespace}`;
    out.push({ id: `open:${where}/${i.name}`, title: `${i.name}`, group: "Services", keywords: `open ${keywords}`, hint: where, href: instancePath(i) });
    const kinds: ("start" | "stop" | "restart")[] =
      i.health === "unreachable" ? [] : i.health === "stopped" ? ["start"] : ["stop", "restart"];
    for (const kind of kinds) {
      const verb = kind[0]!.toUpperCase() + kind.slice(1);
      out.push({ id: `${kind}:${where}/${i.name}`, title: `${verb} ${i.name}`, group: "Actions", keywords, hint: where, lifecycle: { kind, instance: i } });
    }
  }
  for (const s of services) {
    out.push({ id: `install:${s.id}`, title: `Install ${s.title}`, group: "Install", keywords: `${s.id} new add`, href: `/catalog/${encodeURIComponent(s.id)}/install` });
  }
  return out;
}

/**
 * Ranks commands for a query: every word must appear in the title or keywords; title prefix
 * matches first, then title matches, then keyword matches; the original order breaks ties.
 * Matches stay together by group (groups ordered by their best match), so each heading shows once.
 */
export function matchCommands(commands: readonly Command[], query: string): Command[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...commands];
  const scored: [number, number, Command][] = [];
  commands.forEach((c, index) => {
    const title = c.title.toLowerCase();
    const hay = `${title} ${c.keywords.toLowerCase()} ${(c.hint ?? "").toLowerCase()}`;
    if (!words.every((w) => hay.includes(w))) return;
    const score = title.startsWith(words[0]!) ? 0 : words.every((w) => title.includes(w)) ? 1 : 2;
    scored.push([score, index, c]);
  });
  const ranked = scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , c]) => c);
  const groups = [...new Set(ranked.map((c) => c.group))];
  return groups.flatMap((g) => ranked.filter((c) => c.group === g));
}
