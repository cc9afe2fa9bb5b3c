import { useState } from "react";
import type { InstanceSummary } from "../ipc";
import { lifecycleRequest, useStartOperation } from "../operations";
import { lifecycleActions } from "./lifecycle";

/** The rows chosen on the Services screen for one action on all of them. */
export interface Selection {
  has(id: string): boolean;
  toggle(instance: InstanceSummary): void;
  clear(): void;
  /** The selected instances as listed now. */
  items(): InstanceSummary[];
}

type Bulk = "start" | "stop" | "restart";

const LABELS: Record<Bulk, string> = { start: "Start", stop: "Stop", restart: "Restart" };

/**
 * What the selected rows can do together: each action names how many of them offer it (a
 * stopped one cannot stop, a standby neither), and starts one background operation per service,
 * shown in each row and in the task tray.
 */
export function BulkBar({ selection }: { selection: Selection }) {
  const start = useStartOperation();
  const [note, setNote] = useState<string | null>(null);
  const items = selection.items();
  if (items.length === 0) return note ? <p className="bulk-bar__note" role="status">{note}</p> : null;
  const able = (kind: Bulk) => items.filter((i) => lifecycleActions(i).includes(kind));
  const run = async (kind: Bulk) => {
    const targets = able(kind);
    const results = await Promise.allSettled(targets.map((i) => start.mutateAsync(lifecycleRequest(kind, i))));
    const refused = results.filter((r) => r.status === "rejected").length;
    setNote(
      `${LABELS[kind]} started for ${targets.length - refused} of ${targets.length} service${targets.length === 1 ? "" : "s"}` +
        (refused ? `; ${refused} refused (see each row)` : ""),
    );
    selection.clear();
  };
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected services">
      <span>
        <strong>{items.length}</strong> selected
      </span>
      {(["start", "stop", "restart"] as const).map((kind) => {
        const n = able(kind).length;
        return (
          <button key={kind} type="button" className="button button--small" disabled={n === 0 || start.isPending} onClick={() => void run(kind)}>
            {LABELS[kind]} {n > 0 ? `(${n})` : ""}
          </button>
        );
      })}
      <button type="button" className="button button--small button--ghost" onClick={selection.clear}>
        Clear selection
      </button>
    </div>
  );
}
