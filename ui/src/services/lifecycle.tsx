import { useState } from "react";
import { PlayIcon, RestartIcon, StopIcon } from "../components/action-icons";
import type { InstanceSummary, OperationKind, OperationUpdate } from "../ipc";
import { lifecycleRequest, useOperation, useRunningOperation, useStartOperation } from "../operations";
import { fenceNotice } from "../standby/model";

type Lifecycle = "start" | "stop" | "restart";

const LABELS: Record<Lifecycle, [idle: string, busy: string]> = {
  start: ["Start", "Starting…"],
  stop: ["Stop", "Stopping…"],
  restart: ["Restart", "Restarting…"],
};

const ICONS = { start: PlayIcon, stop: StopIcon, restart: RestartIcon } as const;

/** Start/stop/restart of one instance through background operations, and what they show. */
export function useLifecycle(instance: InstanceSummary) {
  const start = useStartOperation();
  const running = useRunningOperation(instance);
  const [lastId, setLastId] = useState<string | null>(null);
  const last = useOperation(lastId);
  const run = (kind: Lifecycle) => {
    start.mutate(lifecycleRequest(kind, instance), { onSuccess: (id) => setLastId(id) });
  };
  return {
    run,
    /** The operation on this instance still running (from any screen). */
    running,
    /** The operation this control started last, once it failed or was cancelled (shown until dismissed). */
    failed: last?.state === "failed" || last?.state === "cancelled" ? last : undefined,
    /** Starting it failed before it could run (the core refused the request). */
    startError: start.error,
    pending: start.isPending,
    dismiss: () => {
      setLastId(null);
      start.reset();
    },
  };
}

/**
 * Which lifecycle actions an instance offers in its state. A standby offers none: it is kept
 * stopped and fenced, and a promote (its Standby card) is what starts it.
 */
export function lifecycleActions(instance: InstanceSummary): Lifecycle[] {
  if (instance.health === "unreachable" || instance.standbyOf !== null) return [];
  if (instance.health === "stopped") return ["start"];
  return ["stop", "restart"];
}

/** One-click Start / Stop / Restart buttons; the one running shows its progress. */
export function LifecycleButtons({
  instance,
  lifecycle,
}: {
  instance: InstanceSummary;
  lifecycle: ReturnType<typeof useLifecycle>;
}) {
  const busy: OperationUpdate | undefined = lifecycle.running;
  const busyKind: OperationKind | null = busy?.kind ?? null;
  const actions = lifecycleActions(instance);
  // while one runs, the button of that kind stays in place (showing progress) so nothing shifts
  const shown: Lifecycle[] = busyKind && ["start", "stop", "restart"].includes(busyKind) && !actions.includes(busyKind as Lifecycle)
    ? [busyKind as Lifecycle]
    : actions;
  return (
    <div className="lifecycle" role="group" aria-label={`Actions for ${instance.name}`}>
      {shown.map((kind) => {
        const Icon = ICONS[kind];
        const isBusy = busyKind === kind;
        return (
          <button
            key={kind}
            type="button"
            className={`button button--small${kind === "start" ? " button--primary" : ""}`}
            aria-label={`${LABELS[kind][0]} ${instance.name}`}
            aria-busy={isBusy || undefined}
            disabled={busy !== undefined || lifecycle.pending}
            onClick={() => lifecycle.run(kind)}
            data-action={kind}
          >
            {isBusy ? <span className="spinner" aria-hidden="true" /> : <Icon />}
            {isBusy ? LABELS[kind][1] : LABELS[kind][0]}
          </button>
        );
      })}
    </div>
  );
}

/** A fenced instance's notice with its one-click Lift fence (a Start); nothing otherwise. */
export function FenceNotice({ instance, lifecycle }: { instance: InstanceSummary; lifecycle: ReturnType<typeof useLifecycle> }) {
  // a standby's fence is its role (a promote lifts it), not something to lift by hand
  const notice = fenceNotice(instance);
  if (notice?.kind !== "fenced") return null;
  const lifting = lifecycle.running?.kind === "start";
  return (
    <div className="fence-notice" role="note" data-fenced="true">
      <span>
        <strong>{notice.text}.</strong> A move or copy put its fence up; starting it lifts the fence.
      </span>
      <button
        type="button"
        className="button button--small"
        aria-label={`Lift fence of ${instance.name}`}
        aria-busy={lifting || undefined}
        disabled={lifecycle.running !== undefined || lifecycle.pending}
        onClick={() => lifecycle.run("start")}
      >
        {lifting ? <span className="spinner" aria-hidden="true" /> : null}
        {lifting ? "Lifting…" : "Lift fence"}
      </button>
    </div>
  );
}

/**
 * What Logs, Metrics and Connect show for a stopped instance instead of waiting for a pod that
 * will not come: the service is stopped, with its one-click Start (a standby is started by a
 * promote, so it gets no Start).
 */
export function StoppedNotice({ instance, what }: { instance: InstanceSummary; what: string }) {
  const lifecycle = useLifecycle(instance);
  const starting = lifecycle.running?.kind === "start";
  return (
    <div className="stopped-notice" role="status" data-stopped="true">
      <p>
        <strong>{instance.name} is stopped</strong>: no pod runs, so there {what}. Its data is kept.
      </p>
      {instance.standbyOf ? (
        <p className="muted">It is the standby of {instance.standbyOf}: a promote starts it.</p>
      ) : (
        <button
          type="button"
          className="button button--primary"
          aria-busy={starting || undefined}
          disabled={lifecycle.running !== undefined || lifecycle.pending}
          onClick={() => lifecycle.run("start")}
        >
          {starting ? <span className="spinner" aria-hidden="true" /> : null}
          {starting ? "Starting…" : `Start ${instance.name}`}
        </button>
      )}
    </div>
  );
}
