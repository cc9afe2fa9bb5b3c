import type { RevisionInfo } from "../ipc";
import type { RevisionOperation } from "../ipc/bindings/RevisionOperation";

/** What the History screen can be narrowed by. */
export interface HistoryFilter {
  text: string;
  instance: string | "all";
  context: string | "all";
  operation: RevisionOperation | "all";
  outcome: "all" | "succeeded" | "failed" | "interrupted" | "pending" | "superseded";
}

export const NO_HISTORY_FILTER: HistoryFilter = { text: "", instance: "all", context: "all", operation: "all", outcome: "all" };

/** `context/namespace/name`: how the filter names an instance. */
export function instanceKey(r: Pick<RevisionInfo, "context" | "namespace" | "name">): string {
  return `${r.context}/${r.namespace}/${r.name}`;
}

/** The entries that match every part of the filter. */
export function filterHistory(list: readonly RevisionInfo[], f: HistoryFilter): RevisionInfo[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return list.filter((r) => {
    if (f.instance !== "all" && instanceKey(r) !== f.instance) return false;
    if (f.context !== "all" && r.context !== f.context) return false;
    if (f.operation !== "all" && r.operation !== f.operation) return false;
    if (f.outcome !== "all") {
      const interrupted = r.interrupted;
      if (f.outcome === "interrupted" ? !interrupted : f.outcome === "failed" ? r.status !== "failed" || interrupted : r.status !== f.outcome)
        return false;
    }
    const hay = [r.name, r.service, r.version, r.operation, r.context, r.namespace, r.osUser, r.error ?? ""].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
