const LABELS: Record<string, string> = {
  pending: "Pending",
  succeeded: "Succeeded",
  failed: "Failed",
  superseded: "Superseded",
};

/** True when a failed revision failed because Berth stopped before it finished. */
export function isInterrupted(status: string, error: string | null): boolean {
  return status === "failed" && !!error && /interrupted/i.test(error);
}

/** A revision's status as a small coloured pill (with text, never colour alone). */
export function StatusPill({ status, error }: { status: string; error?: string | null }) {
  const interrupted = isInterrupted(status, error ?? null);
  const key = interrupted ? "interrupted" : status;
  return (
    <span className={`status-pill status-pill--${key}`} data-status={key}>
      {interrupted ? "Interrupted" : (LABELS[status] ?? status)}
    </span>
  );
}
