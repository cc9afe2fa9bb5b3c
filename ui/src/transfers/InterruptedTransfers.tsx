import { useEffect, useState } from "react";
import { useBackend } from "../app/backend-context";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorPanel } from "../components/ErrorPanel";
import { AlertIcon } from "../components/icons";
import type { TransferInfo } from "../ipc";
import { useInterruptedTransfers, useTransferRun } from "./queries";
import "./transfers.css";
import { TransferProgressView } from "./TransferProgressView";
import { abortConsequences, abortSteps, applyProgress, initialProgress, transferSteps } from "./wizard";

const KIND_LABELS: Record<string, string> = { move: "Move", copy: "Copy", standby: "Standby", sync: "Standby sync", promote: "Promote" };

/** The steps a resume still has to run, as the journal says. */
function remainingSteps(t: TransferInfo): string[] {
  const all = transferSteps(t.kind);
  return all.filter((s) => !t.steps.some(([name, status]) => name === s && status === "succeeded"));
}

/** Where a transfer stopped, in words. */
export function stoppedAt(t: TransferInfo): string {
  const last = [...t.steps].reverse().find(([, status]) => status !== "succeeded") ?? t.steps[t.steps.length - 1];
  return last ? `${last[0]}${last[2] ? ` (${last[2]})` : ""}` : "its start";
}

function InterruptedRow({ transfer, onDismiss }: { transfer: TransferInfo; onDismiss: () => void }) {
  const backend = useBackend();
  const run = useTransferRun(`transfer:${transfer.id}`, `Transfer ${transfer.id}: ${transfer.kind} ${transfer.source.split("/").pop() ?? ""}`, "/history/transfers");
  const [confirmAbort, setConfirmAbort] = useState(false);
  const what = `${KIND_LABELS[transfer.kind] ?? transfer.kind} of ${transfer.source} to ${transfer.target}`;
  const busy = run.state.phase === "running";
  const done = run.state.phase === "succeeded";
  return (
    <li className="interrupted-banner__item" data-transfer={transfer.id}>
      <div className="interrupted-banner__row">
        <p>
          <strong>{what}</strong> stopped at {stoppedAt(transfer)}
          {transfer.error ? `: ${transfer.error}` : ""}.
          {transfer.fenced ? " The source is fenced (its clients cannot reach it) until you resume or abort." : ""}
        </p>
        {!done ? (
          <>
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => void run.start(remainingSteps(transfer), (id, onProgress) => backend.resumeTransfer(id, transfer.id, onProgress))}
            >
              Resume
            </button>
            <button type="button" className="button button--danger" disabled={busy} onClick={() => setConfirmAbort(true)}>
              Abort
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
      {run.state.phase !== "idle" ? <TransferProgressView progress={run.state.progress} label={`Progress of transfer ${transfer.id}`} /> : null}
      {run.state.phase === "succeeded" ? (
        <p role="status">
          Transfer {transfer.id} {run.state.result.status === "aborted" ? "aborted: the target was removed and the source's fence lifted." : "finished."}
        </p>
      ) : null}
      {run.state.phase === "failed" ? <ErrorPanel error={run.state.error} fallbackTitle={`Transfer ${transfer.id} did not finish`} /> : null}
      {confirmAbort ? (
        <ConfirmDialog
          title={`Abort transfer ${transfer.id}?`}
          confirmLabel="Abort the transfer"
          danger
          onCancel={() => setConfirmAbort(false)}
          onConfirm={() => {
            setConfirmAbort(false);
            void run.start(abortSteps(transfer.kind), (id, onProgress) => backend.abortTransfer(id, transfer.id, onProgress));
          }}
        >
          <ul className="transfer-undo">
            {abortConsequences(
              transfer.kind,
              transfer.steps.reduce((m, [step]) => applyProgress(m, { type: "step", step }), initialProgress([])),
            ).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}

/**
 * Transfers interrupted (their process gone) or failed, shown at start-up above every screen with
 * Resume and Abort; nothing when there are none.
 */
export function InterruptedTransfers() {
  const interrupted = useInterruptedTransfers();
  // rows stay until dismissed, so a resumed or aborted one keeps showing its outcome
  const [kept, setKept] = useState<ReadonlyMap<number, TransferInfo>>(new Map());
  const [dismissed, setDismissed] = useState<ReadonlySet<number>>(new Set());
  useEffect(() => {
    const data = interrupted.data;
    if (!data) return;
    setKept((before) => {
      const next = new Map(before);
      for (const t of data) next.set(t.id, t);
      return next;
    });
  }, [interrupted.data]);
  const list = [...kept.values()].filter((t) => !dismissed.has(t.id));
  if (list.length === 0) return null;
  return (
    <section className="banner banner--warning interrupted-banner" aria-label="Interrupted transfers">
      <div className="interrupted-banner__row">
        <AlertIcon className="banner__icon" />
        <p>
          {list.length === 1 ? "A move or copy was interrupted" : `${list.length} moves or copies were interrupted`}: resume to finish, or abort to
          undo. The source is never deleted.
        </p>
      </div>
      <ul className="transfer-undo">
        {list.map((t) => (
          <InterruptedRow key={t.id} transfer={t} onDismiss={() => setDismissed(new Set([...dismissed, t.id]))} />
        ))}
      </ul>
    </section>
  );
}
