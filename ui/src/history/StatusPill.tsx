import type { RevisionStatus } from "../ipc/bindings/RevisionStatus";

const LABELS: Record<RevisionStatus, string> = {
  pending: "Pending",
  succeeded: "Succeeded",
  failed: "Failed",
  superseded: "Superseded",
};

/** A revision's status as a small coloured pill (with text, never colour alone); a revision the
 * core marked interrupted (Berth stopped before it finished) shows as such. */
export function StatusPill({ status, interrupted = false }: { status: RevisionStatus; interrupted?: boolean }) {
  const key = interrupted ? "interrupted" : status;
  return (
    <span className={`status-pill status-pill--${key}`} data-status={key}>
      {interrupted ? "Interrupted" : LABELS[status]}
    </span>
  );
}
