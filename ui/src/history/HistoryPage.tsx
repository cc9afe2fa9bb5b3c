import { useMemo, useState } from "react";
import { Link } from "wouter";
import { EmptyState } from "../components/EmptyState";
import { ErrorPanel } from "../components/ErrorPanel";
import { HistoryIcon, RefreshIcon, SearchIcon } from "../components/icons";
import "../instance/instance.css";
import { formatAge, formatTime } from "../services/format";
import { instancePath } from "../services/keys";
import { useHistory } from "../services/queries";
import { summarizeChanges } from "./changes";
import { filterHistory, instanceKey, NO_HISTORY_FILTER, type HistoryFilter } from "./filter";
import "./history.css";
import { StatusPill } from "./StatusPill";
import { HistoryTabs } from "../transfers/TransfersPage";

const OUTCOMES: { value: HistoryFilter["outcome"]; label: string }[] = [
  { value: "all", label: "All" },
  { value: "succeeded", label: "Succeeded" },
  { value: "failed", label: "Failed" },
  { value: "interrupted", label: "Interrupted" },
  { value: "pending", label: "Pending" },
  { value: "superseded", label: "Superseded" },
];

/** Every operation Berth ran, newest first, filterable; interrupted ones stand out. */
export function HistoryPage() {
  const history = useHistory({ limit: 1000 });
  const [filter, setFilter] = useState<HistoryFilter>(NO_HISTORY_FILTER);
  const list = useMemo(() => history.data ?? [], [history.data]);
  const shown = filterHistory(list, filter);
  const instances = useMemo(() => [...new Set(list.map(instanceKey))].sort(), [list]);
  const contexts = useMemo(() => [...new Set(list.map((r) => r.context))].sort(), [list]);
  const operations = useMemo(() => [...new Set(list.map((r) => r.operation))].sort(), [list]);
  const interrupted = list.filter((r) => r.interrupted).length;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>History</h1>
          {history.isSuccess && list.length > 0 ? (
            <p className="page-header__summary" data-testid="history-summary">
              {list.length} {list.length === 1 ? "operation" : "operations"}
              {interrupted ? ` · ${interrupted} interrupted` : ""}
            </p>
          ) : null}
        </div>
        <button type="button" className="button" onClick={() => void history.refetch()} disabled={history.isFetching} aria-label="Refresh history">
          <RefreshIcon className={history.isFetching ? "spin" : undefined} /> Refresh
        </button>
      </header>
      <HistoryTabs active="operations" />
      {history.isPending ? (
        <div aria-busy="true" aria-label="Loading history">
          {[0, 1, 2, 3].map((i) => (
            <div key={i} className="skeleton history-skeleton" />
          ))}
        </div>
      ) : history.isError ? (
        <ErrorPanel error={history.error} fallbackTitle="History could not be read" onRetry={() => void history.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState
          icon={<HistoryIcon />}
          title="No operations recorded"
          actions={
            <Link href="/catalog" className="button button--primary">
              Browse the catalog
            </Link>
          }
        >
          <p>
            Every install, upgrade, reconfiguration, stop, start and rollback is recorded here, on this machine, with its
            parameters and outcome, so you can see what changed and roll back.
          </p>
          <p>Nothing has been run yet.</p>
        </EmptyState>
      ) : (
        <>
          <div className="toolbar history-toolbar" role="search">
            <label className="search">
              <SearchIcon aria-hidden="true" />
              <span className="visually-hidden">Search history</span>
              <input
                type="search"
                placeholder="Search by instance, service, error…"
                value={filter.text}
                onChange={(e) => setFilter({ ...filter, text: e.target.value })}
              />
            </label>
            <select className="select" aria-label="Filter by instance" value={filter.instance} onChange={(e) => setFilter({ ...filter, instance: e.target.value })}>
              <option value="all">All instances</option>
              {instances.map((i) => (
                <option key={i} value={i}>
                  {i.split("/").slice(2).join("/")} ({i.split("/")[0]})
                </option>
              ))}
            </select>
            <select className="select" aria-label="Filter by context" value={filter.context} onChange={(e) => setFilter({ ...filter, context: e.target.value })}>
              <option value="all">All contexts</option>
              {contexts.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <select className="select" aria-label="Filter by operation" value={filter.operation} onChange={(e) => setFilter({ ...filter, operation: e.target.value as HistoryFilter["operation"] })}>
              <option value="all">All operations</option>
              {operations.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
            <select
              className="select"
              aria-label="Filter by outcome"
              value={filter.outcome}
              onChange={(e) => setFilter({ ...filter, outcome: e.target.value as HistoryFilter["outcome"] })}
            >
              {OUTCOMES.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.value === "all" ? "All outcomes" : o.label}
                </option>
              ))}
            </select>
          </div>
          {shown.length === 0 ? (
            <div className="no-match">
              <p>No operation matches this filter.</p>
              <button type="button" className="button" onClick={() => setFilter(NO_HISTORY_FILTER)}>
                Clear filters
              </button>
            </div>
          ) : (
            <table className="table history-table" aria-label="Operations">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Instance</th>
                  <th scope="col">Operation</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Changes</th>
                  <th scope="col">Version</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => {
                  const interruptedRow = r.interrupted;
                  return (
                    <tr
                      key={`${instanceKey(r)}#${r.revision}`}
                      className={interruptedRow ? "history-row--interrupted" : r.status === "failed" ? "history-row--failed" : undefined}
                      data-history={`${instanceKey(r)}#${r.revision}`}
                      data-status={interruptedRow ? "interrupted" : r.status}
                    >
                      <td title={formatTime(r.startedAt)}>{formatAge(r.startedAt)} ago</td>
                      <td>
                        <Link href={instancePath(r, "history")} className="history-row__instance">
                          {r.name}
                        </Link>
                        <span className="history-row__where">
                          {r.context} / {r.namespace}
                        </span>
                      </td>
                      <td>
                        <span className="history-row__op">{r.operation}</span> <span className="muted">#{r.revision}</span>
                      </td>
                      <td>
                        <StatusPill status={r.status} interrupted={r.interrupted} />
                        {r.error ? <p className="history-row__error">{r.error}</p> : null}
                      </td>
                      <td className="history-row__changes" data-testid="history-changes">
                        <Changes changes={r.changes} />
                      </td>
                      <td>
                        {r.service} {r.version}
                      </td>
                      <td>{r.osUser}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

/** A revision's parameter changes in its row: the first two, then how many more (all on hover). */
function Changes({ changes }: { changes: Parameters<typeof summarizeChanges>[0] }) {
  if (changes.length === 0) return <span className="muted">—</span>;
  const { shown, more, all } = summarizeChanges(changes);
  return (
    <span title={all}>
      {shown.map((line) => (
        <span key={line} className="history-row__change mono">
          {line}
        </span>
      ))}
      {more > 0 ? <span className="muted"> +{more} more</span> : null}
    </span>
  );
}
