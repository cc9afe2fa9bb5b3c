import { useState } from "react";
import { Link } from "wouter";
import { useBackend } from "../app/backend-context";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorPanel } from "../components/ErrorPanel";
import { useContextProbes } from "../contexts/queries";
import type { InstanceSummary, StandbyInfo } from "../ipc";
import { formatTime } from "../services/format";
import { instancePath } from "../services/keys";
import { useTransferRun } from "../transfers/queries";
import type { RunState } from "../transfers/runs";
import { TransferProgressView } from "../transfers/TransferProgressView";
import { formatBytes } from "../transfers/wizard";
import { formatAge, pairAgeWords, instanceId, pairOf, splitId, STANDBY_STEPS, standbyOffers, stateWords, type Offer, type Reach } from "./model";
import { useDropStandby, useStandbys } from "./queries";
import "./standby.css";

type RunKind = "sync" | "promote" | "forcePromote";

const RUN_TITLES: Record<RunKind, string> = { sync: "Sync", promote: "Promote", forcePromote: "Promote anyway" };

function reachOf(probe: { data?: { reachable: boolean }; error: unknown } | undefined): Reach {
  if (probe?.error) return false;
  if (!probe?.data) return null;
  return probe.data.reachable;
}

/** One end of the pair: its role, where it is, and a link when it is not this page's instance. */
function End({ role, id, here, reach }: { role: string; id: string; here: boolean; reach: Reach }) {
  const where = splitId(id);
  return (
    <div className="standby-card__end" data-end={role.toLowerCase()}>
      <span className="standby-card__role">{role}</span>
      {here ? (
        <strong>{where.name}</strong>
      ) : (
        <Link href={instancePath(where)}>
          <strong>{where.name}</strong>
        </Link>
      )}
      <span className="standby-card__where">
        {where.context} / {where.namespace}
      </span>
      {reach === false ? <span className="standby-card__down">cluster does not answer</span> : null}
    </div>
  );
}

/** A button of the card: hidden when not offered, disabled with its reason as the tooltip. */
function Action({ offer, label, danger, onClick }: { offer: Offer; label: string; danger?: boolean; onClick: () => void }) {
  if (!offer.offered) return null;
  return (
    <button
      type="button"
      className={`button${danger ? " button--danger" : ""}`}
      disabled={offer.disabled !== null}
      title={offer.disabled ?? undefined}
      onClick={onClick}
    >
      {label}
    </button>
  );
}

/**
 * The Standby card of an instance that has a standby or is one: the pair, how old the standby's
 * data is, where the pair stands, and Sync now, Promote (planned, or forced when the active's
 * cluster does not answer) and Drop pairing. Runs show their progress here and in the task tray.
 */
export function StandbyCard({ instance }: { instance: InstanceSummary }) {
  const pairs = useStandbys();
  const found = pairs.data ? pairOf(instance, pairs.data) : null;
  if (!found) return null;
  return <PairCard key={found.pair.id} instance={instance} pair={found.pair} role={found.role} />;
}

function PairCard({ instance, pair, role }: { instance: InstanceSummary; pair: StandbyInfo; role: "active" | "standby" }) {
  const backend = useBackend();
  const [activeProbe, standbyProbe] = useContextProbes([pair.activeContext, pair.standbyContext]);
  const reach = { active: reachOf(activeProbe), standby: reachOf(standbyProbe) };
  const [last, setLast] = useState<RunKind>("sync");
  const [asking, setAsking] = useState<RunKind | "drop" | null>(null);
  const [understood, setUnderstood] = useState(false);
  const [deleteData, setDeleteData] = useState(false);
  const standby = splitId(pair.standby);
  const active = splitId(pair.active);
  const run = useTransferRun(
    `standby-pair:${instanceId(instance)}`,
    `${RUN_TITLES[last]} ${standby.name} (standby in ${standby.context})`,
    instancePath(instance),
  );
  const drop = useDropStandby();
  const busy = run.state.phase === "running" || run.state.phase === "cancelling" || drop.isPending;
  const offers = standbyOffers(pair, reach, busy);
  const state = stateWords(pair);
  const age = pair.dataAgeSecs === null ? null : formatAge(pair.dataAgeSecs);
  const asOf = formatTime(pair.dataAsOf);

  const start = (kind: RunKind) => {
    setAsking(null);
    setLast(kind);
    const steps = STANDBY_STEPS[kind];
    void run.start(steps, (id, onProgress) =>
      kind === "sync"
        ? backend.syncStandby(id, standby.name, standby.context, onProgress)
        : backend.promoteStandby(id, standby.name, standby.context, kind === "forcePromote", onProgress),
    );
  };

  return (
    <section className="card standby-card" aria-label="Standby" data-state={pair.state} data-role={role}>
      <header className="standby-card__head">
        <h2>Standby</h2>
        <span className={`standby-card__state standby-card__state--${state.tone}`} data-testid="standby-state">
          {state.label}
        </span>
        <span className="muted">{role === "standby" ? "this instance is the standby" : "this instance is the active"}</span>
      </header>
      <div className="standby-card__pair" aria-label="Pair">
        <End role="Active" id={pair.active} here={role === "active"} reach={reach.active} />
        <span className="standby-card__arrow" aria-hidden="true">
          →
        </span>
        <End role="Standby" id={pair.standby} here={role === "standby"} reach={reach.standby} />
      </div>
      <p className="standby-card__age" data-testid="standby-age">
        <strong>{pairAgeWords(pair)}</strong>
        {asOf ? <span className="muted"> · the standby holds the data as of {asOf}</span> : null}
      </p>
      {state.detail ? (
        <p className={`standby-card__detail standby-card__detail--${state.tone}`} role="note">
          {state.detail}
        </p>
      ) : null}

      <div className="standby-card__actions" role="group" aria-label="Standby actions">
        <Action offer={offers.sync} label="Sync now" onClick={() => start("sync")} />
        <Action offer={offers.promote} label="Promote…" onClick={() => setAsking("promote")} />
        <Action
          offer={offers.forcePromote}
          label="Promote anyway…"
          danger
          onClick={() => {
            setUnderstood(false);
            setAsking("forcePromote");
          }}
        />
        <Action
          offer={offers.drop}
          label="Drop pairing…"
          onClick={() => {
            setDeleteData(false);
            setAsking("drop");
          }}
        />
      </div>
      {!busy ? <WhyNot offers={offers} /> : null}

      {run.state.phase !== "idle" ? (
        <div className="standby-card__run" aria-label={`${RUN_TITLES[last]} progress`} data-phase={run.state.phase}>
          <h3>{runHeading(last, run.state)}</h3>
          <TransferProgressView progress={run.state.progress} label={`Progress of the ${last === "sync" ? "sync" : "promote"}`} />
          <RunOutcome kind={last} state={run.state} />
          {run.state.phase === "running" && last === "sync" ? (
            <button type="button" className="button" onClick={() => void run.cancel()}>
              Cancel the sync
            </button>
          ) : null}
          {run.state.phase === "succeeded" || run.state.phase === "failed" || run.state.phase === "aborted" ? (
            <button type="button" className="button" onClick={run.reset}>
              Dismiss
            </button>
          ) : null}
        </div>
      ) : null}
      {drop.error ? <ErrorPanel error={drop.error} fallbackTitle="The pairing could not be dropped" /> : null}

      {asking === "promote" ? (
        <ConfirmDialog
          title={`Promote ${standby.name} in ${standby.context}?`}
          confirmLabel={`Promote ${standby.name}`}
          onCancel={() => setAsking(null)}
          onConfirm={() => start("promote")}
        >
          <p>A planned switch: nothing written to the active is lost.</p>
          <ol className="standby-steps">
            <li>
              {active.name} in {active.context} is fenced: its clients can't reach it until the switch ends.
            </li>
            <li>A last sync copies its data to {standby.name} in {standby.context}, and the digests are checked.</li>
            <li>{active.name} in {active.context} is stopped and kept, fenced, as the new standby.</li>
            <li>
              {standby.name} in {standby.context} starts as the active: point your clients at it.
            </li>
          </ol>
          <p className="muted">Promote again to switch back.</p>
        </ConfirmDialog>
      ) : null}

      {asking === "forcePromote" ? (
        <ConfirmDialog
          title={`Promote ${standby.name} without its active?`}
          confirmLabel="Promote anyway"
          danger
          confirmDisabled={!understood}
          onCancel={() => setAsking(null)}
          onConfirm={() => start("forcePromote")}
        >
          <p>
            {pair.activeContext}, the active's cluster, does not answer. {standby.name} in {standby.context} starts from its last sync:
          </p>
          <p className="standby-card__data-age" data-testid="force-data-age">
            <strong>{age === null ? "It was never synced: it holds no data of the active." : `Its data is ${age} old`}</strong>
            {asOf ? ` (as of ${asOf}).` : "."}
          </p>
          <p>
            <strong>Everything written to the active since then is lost.</strong> When {pair.activeContext} answers again, Berth fences and stops
            the old active at its next command there, so there are never two writable primaries.
          </p>
          <label className="checkbox">
            <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
            {age === null ? "I understand the standby holds no data" : `I understand that the writes of the last ${age} are lost`}
          </label>
        </ConfirmDialog>
      ) : null}

      {asking === "drop" ? (
        <ConfirmDialog
          title="Drop the pairing?"
          confirmLabel={deleteData ? "Drop and delete the standby" : "Drop pairing"}
          danger={deleteData}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            drop.mutate({ name: standby.name, context: standby.context, deleteData });
          }}
        >
          <p>
            {active.name} in {active.context} and {standby.name} in {standby.context} stop being a pair. The active is never touched.
          </p>
          <label className="checkbox">
            <input type="checkbox" checked={deleteData} onChange={(e) => setDeleteData(e.target.checked)} />
            Also delete the standby's data (uninstall {standby.name} in {standby.context} with its volumes)
          </label>
          {deleteData ? null : <p className="muted">The standby stays, stopped and fenced, with the data of its last sync.</p>}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Why the offered actions that are disabled cannot run now (the same reason once). */
function WhyNot({ offers }: { offers: ReturnType<typeof standbyOffers> }) {
  const rows: [string, Offer][] = [
    ["Sync", offers.sync],
    ["Promote", offers.promote],
    ["Promote anyway", offers.forcePromote],
  ];
  const reasons = new Map<string, string[]>();
  for (const [label, offer] of rows) {
    if (offer.offered && offer.disabled) reasons.set(offer.disabled, [...(reasons.get(offer.disabled) ?? []), label]);
  }
  if (reasons.size === 0) return null;
  return (
    <ul className="muted standby-card__why">
      {[...reasons].map(([why, labels]) => (
        <li key={why}>
          {labels.join(", ")}: {why}.
        </li>
      ))}
    </ul>
  );
}

function runHeading(kind: RunKind, state: RunState): string {
  const what = kind === "sync" ? "Sync" : "Promote";
  switch (state.phase) {
    case "running":
      return `${what} in progress`;
    case "cancelling":
      return "Cancelling…";
    case "succeeded":
      return `${what} done`;
    case "aborted":
      return "Cancelled";
    default:
      return `${what} failed`;
  }
}

function RunOutcome({ kind, state }: { kind: RunKind; state: RunState }) {
  if (state.phase === "failed") return <ErrorPanel error={state.error} fallbackTitle={`The ${kind === "sync" ? "sync" : "promote"} failed`} />;
  if (state.phase === "aborted") {
    return <p role="status">{state.error ? state.error.message : "The sync was stopped: the standby keeps the data of its last sync."}</p>;
  }
  if (state.phase !== "succeeded") return null;
  const result = state.result;
  const target = splitId(result.target);
  const source = splitId(result.source);
  if (kind === "sync") {
    return (
      <p role="status">
        {target.name} in {target.context} now holds the data as of this sync: {formatBytes(result.bytes)} streamed and verified. {source.name} kept
        serving.
      </p>
    );
  }
  return (
    <p role="status">
      {target.name} in {target.context} is now the active.{" "}
      {kind === "promote"
        ? `${source.name} in ${source.context} is stopped and fenced as its standby.`
        : `${source.name} in ${source.context} is fenced and stopped once ${source.context} answers again.`}
    </p>
  );
}
