import { useEffect, useId, useRef, useState } from "react";
import { Link } from "wouter";
import { TasksIcon } from "../components/action-icons";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { useBackend } from "../app/backend-context";
import { toApiError, type OperationUpdate } from "../ipc";
import { instancePath } from "../services/keys";
import { formatDuration } from "./progress";
import { ProgressSteps } from "./ProgressSteps";
import { useOperations } from "./queries";
import { useRuns, type RunEntry } from "../transfers/runs";
import { formatBytes } from "../transfers/wizard";
import "./operations.css";

const STATE_LABELS = { running: "Running", succeeded: "Done", failed: "Failed", cancelled: "Cancelled" } as const;

function elapsed(u: OperationUpdate, now: number): string {
  const start = Date.parse(u.startedAt);
  const end = u.finishedAt ? Date.parse(u.finishedAt) : now;
  return formatDuration(end - start);
}

/** Cancel for a running operation, after a confirmation saying what cancelling leaves behind. */
function CancelButton({ update }: { update: OperationUpdate }) {
  const backend = useBackend();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="button task__cancel"
        aria-label={`Cancel ${update.title}`}
        onClick={() => setAsking(true)}
      >
        Cancel
      </button>
      {error ? (
        <p className="task__cancel-error" role="alert">
          {error}
        </p>
      ) : null}
      {asking ? (
        <ConfirmDialog
          title={`Cancel "${update.title}"?`}
          confirmLabel="Stop it"
          danger
          onCancel={() => setAsking(false)}
          onConfirm={() => {
            setAsking(false);
            backend.cancelOperation(update.id).catch((e: unknown) => setError(toApiError(e).message));
          }}
        >
          <p>
            It stops at its next step. What it has done so far stays in the cluster: Recover on the instance page then
            finishes it or undoes it.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function Task({ update, now, onNavigate }: { update: OperationUpdate; now: number; onNavigate: () => void }) {
  const gone = update.kind === "uninstall" && update.state === "succeeded";
  return (
    <li className={`task task--${update.state}`} data-operation={update.id} data-state={update.state}>
      <div className="task__head">
        {gone ? (
          <span className="task__title">{update.title}</span>
        ) : (
          <Link href={instancePath(update.target)} className="task__title" onClick={onNavigate}>
            {update.title}
          </Link>
        )}
        <span className={`task__state task__state--${update.state}`}>{STATE_LABELS[update.state]}</span>
      </div>
      <div className="task__time">
        <span>{update.state === "running" ? `running for ${elapsed(update, now)}` : `took ${elapsed(update, now)}`}</span>
        {update.state === "running" ? <CancelButton update={update} /> : null}
      </div>
      {update.state !== "succeeded" ? <ProgressSteps update={update} compact /> : null}
    </li>
  );
}

const RUN_LABELS = {
  idle: "",
  running: "Running",
  cancelling: "Cancelling",
  succeeded: "Done",
  failed: "Failed",
  aborted: "Cancelled",
} as const;

/** A move, copy, standby run, resume or abort of this window: its step and, while streaming, its bytes. */
function TransferTask({ entry, onNavigate }: { entry: RunEntry; onNavigate: () => void }) {
  const { state } = entry;
  if (state.phase === "idle") return null;
  const step = state.progress.steps.find((s) => s.state === "active")?.name;
  const { bytes, expected } = state.progress;
  const tone = state.phase === "succeeded" ? "succeeded" : state.phase === "running" || state.phase === "cancelling" ? "running" : "failed";
  return (
    <li className={`task task--${tone}`} data-transfer-run={entry.key} data-state={state.phase}>
      <div className="task__head">
        <Link href={entry.href} className="task__title" onClick={onNavigate}>
          {entry.title}
        </Link>
        <span className={`task__state task__state--${tone}`}>{RUN_LABELS[state.phase]}</span>
      </div>
      {step || bytes > 0 ? (
        <p className="task__time">
          {step ?? ""}
          {bytes > 0 ? `${step ? " · " : ""}${formatBytes(bytes)}${expected ? ` of ${formatBytes(expected)}` : ""}` : ""}
        </p>
      ) : null}
    </li>
  );
}

/**
 * The sidebar's task tray: a button with the number of running operations, and a popover with
 * running and recent ones, their progress and their errors.
 */
export function TaskTray() {
  const operations = useOperations();
  const transfers = useRuns().filter((r) => r.state.phase !== "idle");
  const runningTransfers = transfers.filter((r) => r.state.phase === "running" || r.state.phase === "cancelling").length;
  const [open, setOpen] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const running = operations.filter((o) => o.state === "running");
  const runningCount = running.length + runningTransfers;
  const failedRecently = operations.some((o) => o.state === "failed");

  useEffect(() => {
    if (!open && runningCount === 0) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [open, runningCount]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const label =
    runningCount > 0 ? `Tasks: ${runningCount} running` : operations.length + transfers.length > 0 ? "Tasks: none running" : "Tasks";
  return (
    <div
      className="tray"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          setOpen(false);
          root.current?.querySelector<HTMLButtonElement>(".tray__button")?.focus();
        }
      }}
    >
      <button
        type="button"
        className={`tray__button${open ? " tray__button--open" : ""}`}
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={label}
        onClick={() => setOpen(!open)}
        data-testid="task-tray"
      >
        {runningCount > 0 ? <span className="spinner" aria-hidden="true" /> : <TasksIcon />}
        <span className="tray__label">Tasks</span>
        {runningCount > 0 ? (
          <span className="tray__count" data-testid="task-count">
            {runningCount}
          </span>
        ) : failedRecently ? (
          <span className="tray__dot" aria-hidden="true" />
        ) : null}
      </button>
      {open ? (
        <section id={panelId} className="tray__panel" aria-label="Running and recent operations">
          <header className="tray__header">
            <h2>Tasks</h2>
            <span className="muted">
              {runningCount} running · {operations.length + transfers.length - runningCount} recent
            </span>
          </header>
          {transfers.length > 0 ? (
            <ul className="tray__list" aria-label="Moves, copies and standbys">
              {transfers.map((r) => (
                <TransferTask key={r.key} entry={r} onNavigate={() => setOpen(false)} />
              ))}
            </ul>
          ) : null}
          {operations.length === 0 && transfers.length > 0 ? null : operations.length === 0 ? (
            <p className="tray__empty">
              No operations yet. Starting, stopping, installing or upgrading a service shows its progress here, even when you
              leave its screen.
            </p>
          ) : (
            <ul className="tray__list">
              {[...running, ...operations.filter((o) => o.state !== "running")].map((u) => (
                <Task key={u.id} update={u} now={now} onNavigate={() => setOpen(false)} />
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </div>
  );
}
