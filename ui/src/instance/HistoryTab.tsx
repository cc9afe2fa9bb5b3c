import { useState } from "react";
import { RollbackIcon } from "../components/action-icons";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorPanel } from "../components/ErrorPanel";
import { diffParameters } from "../history/diff";
import { StatusPill } from "../history/StatusPill";
import type { InstanceSummary, RevisionInfo } from "../ipc";
import { ProgressSteps, useOperation, useStartOperation } from "../operations";
import { formatAge, formatTime } from "../services/format";
import { useHistory } from "../services/queries";

/** The previous revision recorded for the same instance. */
function previousOf(list: RevisionInfo[], r: RevisionInfo): RevisionInfo | undefined {
  return list.find((x) => x.revision < r.revision);
}

/** Whether a revision can be rolled back to: it applied fine and is not what runs now. */
export function canRollBackTo(r: RevisionInfo, current: number): boolean {
  return r.revision !== current && (r.status === "succeeded" || r.status === "superseded") && r.operation !== "uninstall";
}

/** The revision timeline of one instance, with parameter diffs and one-click rollback. */
export function HistoryTab({ instance }: { instance: InstanceSummary }) {
  const history = useHistory({ name: instance.name, context: instance.context, namespace: instance.namespace });
  const start = useStartOperation();
  const [asking, setAsking] = useState<RevisionInfo | null>(null);
  const [opId, setOpId] = useState<string | null>(null);
  const op = useOperation(opId);

  if (history.isPending) return <div className="skeleton" style={{ height: 180 }} aria-busy="true" aria-label="Loading history" />;
  if (history.isError) return <ErrorPanel error={history.error} fallbackTitle="History could not be read" onRetry={() => void history.refetch()} />;
  const list = history.data;

  const rollback = (r: RevisionInfo) => {
    setAsking(null);
    start.mutate(
      {
        kind: "reconfigure",
        instance: { name: instance.name, context: instance.context, namespace: instance.namespace },
        set: [],
        version: null,
        rollback: true,
        rollbackTo: r.revision,
        diffOnly: false,
        forceConflicts: false,
        noWait: false,
        timeoutSeconds: null,
      },
      { onSuccess: setOpId },
    );
  };

  return (
    <div>
      {op ? (
        <div className="card op-card" aria-label="Rollback progress">
          <h2 className="section-title">{op.title}</h2>
          <ProgressSteps update={op} />
        </div>
      ) : null}
      {start.error ? <ErrorPanel error={start.error} fallbackTitle="The rollback could not start" /> : null}
      {list.length === 0 ? (
        <p className="muted">Nothing recorded for this instance on this machine.</p>
      ) : (
        <ol className="timeline" aria-label={`Revisions of ${instance.name}`}>
          {list.map((r) => {
            const before = previousOf(list, r);
            const changes = before ? diffParameters(before.parameters, r.parameters) : [];
            const current = r.revision === instance.revision;
            return (
              <li key={r.revision} className={`timeline__item timeline__item--${r.status}`} data-revision={r.revision}>
                <div className="timeline__head">
                  <span className="timeline__rev">#{r.revision}</span>
                  <strong className="timeline__op">{r.operation}</strong>
                  <StatusPill status={r.status} interrupted={r.interrupted} />
                  {current ? <span className="pill pill--current">Current</span> : null}
                  <span className="timeline__when" title={formatTime(r.startedAt)}>
                    {formatAge(r.startedAt)} ago · {r.service} {r.version} · {r.osUser}
                  </span>
                  {canRollBackTo(r, instance.revision) ? (
                    <button
                      type="button"
                      className="button button--small timeline__action"
                      onClick={() => setAsking(r)}
                      disabled={op?.state === "running"}
                      aria-label={`Roll back to revision ${r.revision}`}
                    >
                      <RollbackIcon /> Roll back
                    </button>
                  ) : null}
                </div>
                {r.error ? <p className="timeline__error">{r.error}</p> : null}
                {changes.length > 0 ? (
                  <ul className="diff" aria-label={`Changes in revision ${r.revision}`}>
                    {changes.map((c) => (
                      <li key={c.path}>
                        <span className="mono">{c.path}</span>: <del>{c.before ?? "unset"}</del> → <ins>{c.after ?? "unset"}</ins>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
      {asking ? (
        <ConfirmDialog
          title={`Roll back ${instance.name} to revision ${asking.revision}?`}
          confirmLabel="Roll back"
          onConfirm={() => rollback(asking)}
          onCancel={() => setAsking(null)}
        >
          <p>
            Berth re-applies the parameters and version of revision {asking.revision} ({asking.service} {asking.version}) and
            records it as a new revision. Pods restart where their settings change; data is kept.
          </p>
          {diffParameters(instance.parameters, asking.parameters).length > 0 ? (
            <ul className="diff">
              {diffParameters(instance.parameters, asking.parameters).map((c) => (
                <li key={c.path}>
                  <span className="mono">{c.path}</span>: <del>{c.before ?? "unset"}</del> → <ins>{c.after ?? "unset"}</ins>
                </li>
              ))}
            </ul>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
