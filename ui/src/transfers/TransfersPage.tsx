import { Link } from "wouter";
import { EmptyState } from "../components/EmptyState";
import { ErrorPanel } from "../components/ErrorPanel";
import { HistoryIcon, RefreshIcon } from "../components/icons";
import "../history/history.css";
import type { TransferInfo } from "../ipc";
import { formatAge, formatTime } from "../services/format";
import { stoppedAt } from "./InterruptedTransfers";
import { useTransfers } from "./queries";
import "./transfers.css";
import { formatBytes, formatDuration } from "./wizard";

/** The History page's two views. */
export function HistoryTabs({ active }: { active: "operations" | "transfers" }) {
  return (
    <nav className="tabs history-tabs" aria-label="History views">
      <Link href="/history" className={`tabs__tab${active === "operations" ? " tabs__tab--active" : ""}`} aria-current={active === "operations" ? "page" : undefined}>
        Operations
      </Link>
      <Link
        href="/history/transfers"
        className={`tabs__tab${active === "transfers" ? " tabs__tab--active" : ""}`}
        aria-current={active === "transfers" ? "page" : undefined}
      >
        Transfers
      </Link>
    </nav>
  );
}

function outcome(t: TransferInfo): string {
  if (t.needsDecision) return `interrupted at ${stoppedAt(t)}`;
  return t.status;
}

/** Every move and copy, newest first: steps, bytes, digests and where each stopped. */
export function TransfersPage() {
  const transfers = useTransfers();
  const list = transfers.data ?? [];
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>History</h1>
          {transfers.isSuccess && list.length > 0 ? (
            <p className="page-header__summary">
              {list.length} {list.length === 1 ? "transfer" : "transfers"}
            </p>
          ) : null}
        </div>
        <button type="button" className="button" onClick={() => void transfers.refetch()} disabled={transfers.isFetching} aria-label="Refresh transfers">
          <RefreshIcon className={transfers.isFetching ? "spin" : undefined} /> Refresh
        </button>
      </header>
      <HistoryTabs active="transfers" />
      {transfers.isPending ? (
        <p className="muted" aria-busy="true">
          Loading transfers…
        </p>
      ) : transfers.isError ? (
        <ErrorPanel error={transfers.error} fallbackTitle="The transfers could not be read" onRetry={() => void transfers.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState icon={<HistoryIcon />} title="No moves or copies yet">
          <p>Move, copy or make a standby of an instance from its page; every transfer (standby syncs and promotes too) is journaled here with its steps and bytes.</p>
        </EmptyState>
      ) : (
        <table className="table history-table transfers-table" aria-label="Transfers">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Transfer</th>
              <th scope="col">Outcome</th>
              <th scope="col">Steps</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {list.map((t) => (
              <tr key={t.id} data-transfer={t.id} data-status={t.needsDecision ? "interrupted" : t.status}>
                <td title={formatTime(t.startedAt)}>{formatAge(t.startedAt)} ago</td>
                <td>
                  <span className="history-row__op">
                    {t.kind} #{t.id}
                  </span>{" "}
                  {t.definition} {t.version}
                  {t.targetVersion !== t.version ? ` → ${t.targetVersion}` : ""}
                  <span className="history-row__where">
                    {t.source} → {t.target}
                  </span>
                </td>
                <td>
                  <span className={`pill transfer-status transfer-status--${t.needsDecision ? "interrupted" : t.status}`}>{outcome(t)}</span>
                  {t.fenced ? <p className="history-row__error">source fenced</p> : null}
                  {t.error ? <p className="history-row__error">{t.error}</p> : null}
                </td>
                <td>
                  <ul className="transfer-steps">
                    {t.steps.map(([step, status, error], i) => {
                      const secs = t.stepSecs[i];
                      return (
                        <li key={step} data-step={step} data-state={status} title={error ?? undefined}>
                          {step}: {status}
                          {secs !== null && secs !== undefined ? ` · ${formatDuration(secs)}` : ""}
                        </li>
                      );
                    })}
                  </ul>
                </td>
                <td>
                  {formatBytes(t.bytes)}
                  {t.sourceDigest && t.sourceDigest === t.targetDigest ? <p className="muted">verified</p> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
