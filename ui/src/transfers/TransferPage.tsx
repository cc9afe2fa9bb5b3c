import { useMemo, useState } from "react";
import { Link, useParams } from "wouter";
import { useBackend } from "../app/backend-context";
import { useServiceDetail } from "../catalog/queries";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ChevronLeftIcon } from "../components/action-icons";
import { ErrorPanel } from "../components/ErrorPanel";
import { InlineCode } from "../components/InlineCode";
import { useContextList, useContextProbes } from "../contexts/queries";
import { toApiError, type ApiError, type TransferPlan } from "../ipc";
import { instancePath } from "../services/keys";
import { useInstanceDetails } from "../services/queries";
import { useTargetClasses, useTargetNamespaces, useTransferRun } from "./queries";
import type { RunState } from "./runs";
import "./transfers.css";
import { TransferProgressView } from "./TransferProgressView";
import {
  abortConsequences,
  formatBytes,
  formatDuration,
  formProblem,
  initialForm,
  planVerdict,
  standbyInput,
  targetGroups,
  transferInput,
  transferSteps,
  type TransferForm,
  type TransferKind,
  type TransferSource,
} from "./wizard";

function decode(part: string | undefined): string {
  try {
    return decodeURIComponent(part ?? "");
  } catch {
    return part ?? "";
  }
}

const TITLES: Record<TransferKind, string> = { move: "Move", copy: "Copy", standby: "Standby" };

/** What each kind does to the source, under the title. */
const SUMMARIES: Record<TransferKind, string> = {
  move: " · the source is fenced while its data streams, then stopped (its data kept)",
  copy: " · the source keeps serving; the copy gets a consistent snapshot",
  standby:
    " · a copy in another cluster with the same credentials, kept stopped and fenced, synced on demand and promoted in one step; the active keeps serving",
};

/** The move/copy wizard: `#/instances/:context/:namespace/:name/transfer/:kind`. */
export function TransferPage() {
  const params = useParams<{ context: string; namespace: string; name: string; kind: string }>();
  const source: TransferSource = { context: decode(params.context), namespace: decode(params.namespace), name: decode(params.name) };
  const kind: TransferKind = params.kind === "copy" || params.kind === "standby" ? params.kind : "move";
  return <Wizard key={`${kind}:${source.context}/${source.namespace}/${source.name}`} source={source} kind={kind} />;
}

function Wizard({ source, kind }: { source: TransferSource; kind: TransferKind }) {
  const backend = useBackend();
  const [form, setForm] = useState<TransferForm>(() => initialForm(source, kind));
  const [plan, setPlan] = useState<TransferPlan | null>(null);
  const [planning, setPlanning] = useState(false);
  const [planError, setPlanError] = useState<ApiError | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const run = useTransferRun(
    `${kind}:${source.context}/${source.namespace}/${source.name}`,
    kind === "standby" ? `Standby of ${source.name}${form.to ? ` on ${form.to}` : ""}` : `${TITLES[kind]} ${source.name}${form.to ? ` to ${form.to}` : ""}`,
    `${instancePath(source)}/transfer/${kind}`,
  );
  const problem = formProblem(form, source, kind);
  const edit = (change: Partial<TransferForm>) => {
    setForm({ ...form, ...change });
    setPlan(null);
    setPlanError(null);
  };

  const checkPlan = async () => {
    setPlanning(true);
    setPlanError(null);
    try {
      setPlan(await backend.planTransfer(transferInput(form, source, kind)));
    } catch (e) {
      setPlanError(toApiError(e));
    } finally {
      setPlanning(false);
    }
  };

  const confirm = () => {
    if (!plan) return;
    if (kind === "standby") {
      const input = standbyInput(form, source);
      void run.start(transferSteps("standby", plan.carriesData), (id, onProgress) => backend.createStandby(id, input, onProgress));
      return;
    }
    const input = transferInput(form, source, kind);
    void run.start(plan.steps, (id, onProgress) => backend.runTransfer(id, input, onProgress));
  };

  const verb = TITLES[kind];
  const started = run.state.phase !== "idle";
  const finished = run.state.phase === "succeeded" || run.state.phase === "failed" || run.state.phase === "aborted";
  return (
    <div className="page transfer-page" data-kind={kind}>
      <header className="page-header">
        <div>
          <Link href={instancePath(source)} className="back-link">
            <ChevronLeftIcon /> {source.name}
          </Link>
          <h1>{kind === "standby" ? `Standby of ${source.name}` : `${verb} ${source.name}`}</h1>
          <p className="page-header__summary">
            from {source.context} / {source.namespace}
            {SUMMARIES[kind]}
          </p>
        </div>
      </header>

      {!started ? (
        <TargetForm source={source} kind={kind} form={form} edit={edit} />
      ) : null}

      {!started ? (
        <div className="transfer-actions">
          {problem ? <p className="muted" data-testid="form-problem">{problem}</p> : null}
          <button type="button" className="button" disabled={problem !== null || planning} onClick={() => void checkPlan()}>
            {planning ? "Checking…" : plan ? "Check again" : "Check the plan"}
          </button>
        </div>
      ) : null}

      {planError ? <ErrorPanel error={planError} fallbackTitle="The plan could not be made" /> : null}
      {plan && !started ? <PlanView plan={plan} kind={kind} onConfirm={confirm} /> : null}

      {run.state.phase !== "idle" ? (
        <section className="card transfer-run" aria-label="Progress" data-phase={run.state.phase}>
          <h2>
            {run.state.phase === "running"
              ? `${kind === "standby" ? "Creating the standby" : `${verb} in progress`}`
              : run.state.phase === "cancelling"
                ? "Cancelling…"
                : run.state.phase === "succeeded"
                  ? `${kind === "standby" ? "Standby ready" : `${verb} done`}`
                  : run.state.phase === "aborted"
                    ? "Cancelled"
                    : `${verb} failed`}
          </h2>
          <TransferProgressView progress={run.state.progress} label={`Progress of the ${kind}`} />
          {run.state.phase === "running" ? (
            <button type="button" className="button button--danger" onClick={() => setConfirmCancel(true)}>
              Cancel
            </button>
          ) : null}
          <Outcome state={run.state} kind={kind} source={source} />
          {finished ? (
            <button type="button" className="button" onClick={run.reset}>
              Start over
            </button>
          ) : null}
        </section>
      ) : null}

      {confirmCancel ? (
        <ConfirmDialog
          title={`Cancel the ${kind}?`}
          confirmLabel={`Cancel and undo the ${kind}`}
          danger
          onCancel={() => setConfirmCancel(false)}
          onConfirm={() => {
            setConfirmCancel(false);
            void run.cancel();
          }}
        >
          <ul className="transfer-undo">
            {abortConsequences(kind, run.state.phase === "running" ? run.state.progress : null).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function TargetForm({
  source,
  kind,
  form,
  edit,
}: {
  source: TransferSource;
  kind: TransferKind;
  form: TransferForm;
  edit: (change: Partial<TransferForm>) => void;
}) {
  const contexts = useContextList();
  const all = useMemo(() => contexts.data?.contexts ?? [], [contexts.data]);
  const probes = useContextProbes(all.map((c) => c.name));
  const groups = targetGroups(all, probes);
  const namespaces = useTargetNamespaces(form.to);
  const classes = useTargetClasses(form.to);
  const details = useInstanceDetails(source);
  const instance = details.data?.instance;
  const service = useServiceDetail(instance?.service);
  const copyVersions = service.data?.service.versions.find((v) => v.id === instance?.version)?.copyUpgradableTo ?? [];
  const sourceClasses = [...new Set((details.data?.volumes ?? []).map((v) => v.storageClass).filter((c): c is string => !!c))];
  const mapped = (from: string) => form.storageClassMap.find(([f]) => f === from)?.[1] ?? "";
  const setMapping = (from: string, to: string) =>
    edit({ storageClassMap: [...form.storageClassMap.filter(([f]) => f !== from), ...(to ? [[from, to] as [string, string]] : [])] });
  const nsMissing = form.to !== "" && namespaces.isSuccess && !namespaces.data.includes(form.toNamespace.trim());

  return (
    <section className="card transfer-form" aria-label="Target">
      <label className="field">
        <span className="field__label">Target context</span>
        <select className="select" aria-label="Target context" value={form.to} onChange={(e) => edit({ to: e.target.value, storageClassMap: [] })}>
          <option value="">Pick a context…</option>
          {groups.map((g) => (
            <optgroup key={g.location} label={g.label}>
              {g.options.map((o) => (
                <option key={o.name} value={o.name} disabled={o.disabled !== null} data-location={g.location}>
                  {o.name}
                  {o.name === source.context ? " (this one)" : ""}
                  {o.disabled ? ` — ${o.disabled}` : ""}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>

      <label className="field">
        <span className="field__label">Target namespace</span>
        <input
          className="input"
          aria-label="Target namespace"
          list="transfer-namespaces"
          value={form.toNamespace}
          onChange={(e) => edit({ toNamespace: e.target.value })}
        />
        <datalist id="transfer-namespaces">
          {(namespaces.data ?? []).map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={form.createNamespace} onChange={(e) => edit({ createNamespace: e.target.checked })} />
        Create the namespace if it does not exist
        {nsMissing && !form.createNamespace ? <span className="muted"> ({form.toNamespace} is not on {form.to})</span> : null}
      </label>

      {kind === "copy" ? (
        <label className="field">
          <span className="field__label">Name of the copy</span>
          <input className="input" aria-label="Name of the copy" value={form.name} onChange={(e) => edit({ name: e.target.value })} />
        </label>
      ) : null}
      {kind === "copy" && instance && copyVersions.length > 0 ? (
        <label className="field">
          <span className="field__label">Version of the copy</span>
          <select className="select" aria-label="Version of the copy" value={form.version} onChange={(e) => edit({ version: e.target.value })}>
            <option value="">
              {instance.service} {instance.version} (the same)
            </option>
            {copyVersions.map((v) => (
              <option key={v} value={v}>
                {instance.service} {v} (a newer major version: the data is dumped and restored)
              </option>
            ))}
          </select>
        </label>
      ) : null}

      {form.to !== "" ? (
        <fieldset className="field transfer-classes">
          <legend className="field__label">Storage classes</legend>
          {sourceClasses.length === 0 ? (
            <p className="muted">The instance has no volumes with a storage class.</p>
          ) : (
            sourceClasses.map((from) => (
              <label key={from} className="transfer-classes__row">
                <span className="mono">{from}</span> →
                {classes.isError ? (
                  <input className="input" aria-label={`Storage class for ${from}`} value={mapped(from)} onChange={(e) => setMapping(from, e.target.value)} />
                ) : (
                  <select className="select" aria-label={`Storage class for ${from}`} value={mapped(from)} onChange={(e) => setMapping(from, e.target.value)}>
                    <option value="">same name, else the target's default</option>
                    {(classes.data ?? []).map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.name}
                        {c.isDefault ? " (default)" : ""}
                      </option>
                    ))}
                  </select>
                )}
              </label>
            ))
          )}
        </fieldset>
      ) : null}

      <label className="field">
        <span className="field__label">Overrides for the target (path=value, one a line)</span>
        <textarea
          className="input transfer-overrides"
          aria-label="Overrides"
          rows={3}
          placeholder="resources.memory=2Gi"
          value={form.overrides}
          onChange={(e) => edit({ overrides: e.target.value })}
        />
      </label>
    </section>
  );
}

const LEVEL_LABEL = { ok: "ok", warning: "warning", problem: "problem", badInput: "bad input" } as const;

function PlanView({ plan, kind, onConfirm }: { plan: TransferPlan; kind: TransferKind; onConfirm: () => void }) {
  const verdict = planVerdict(plan);
  return (
    <section className="card transfer-plan" aria-label="Plan" data-can-confirm={verdict.canConfirm}>
      <h2>Plan</h2>
      <p>
        {plan.source.join(" / ")} → <strong>{plan.target.join(" / ")}</strong> · {plan.definition} {plan.targetVersion}
      </p>
      <ul className="checks">
        {plan.checks.map((c) => (
          <li key={c.name} className={`check check--${c.level}`} data-check={c.name} data-level={c.level}>
            <span className="check__level">{LEVEL_LABEL[c.level]}</span>
            <span className="check__name">{c.name}</span>
            <span className="check__message">
              <InlineCode text={c.message} />
            </span>
          </li>
        ))}
      </ul>
      <dl className="transfer-figures">
        <dt>Data</dt>
        <dd data-testid="plan-data">
          {plan.carriesData ? (plan.dataBytes !== null ? formatBytes(plan.dataBytes) : "size unknown") : "configuration and credentials only"}
        </dd>
        <dt>Expected downtime</dt>
        <dd data-testid="plan-downtime">
          {kind !== "move" ? "none (the source keeps serving)" : plan.expectedDowntimeSecs !== null ? `about ${formatDuration(plan.expectedDowntimeSecs)}` : "unknown"}
        </dd>
        <dt>Steps</dt>
        <dd>{(kind === "standby" ? transferSteps("standby", plan.carriesData) : plan.steps).join(" → ")}</dd>
      </dl>
      {verdict.canConfirm ? null : (
        <p className="transfer-refusal" role="alert">
          {verdict.problems.length === 1 ? "One problem stands" : `${verdict.problems.length} problems stand`} in the way; nothing was changed.
        </p>
      )}
      <button type="button" className="button button--primary" disabled={!verdict.canConfirm} onClick={onConfirm}>
        {kind === "standby" ? `Create the standby on ${plan.target[0]}` : `${TITLES[kind]} ${plan.source[2]} to ${plan.target[0]}`}
      </button>
    </section>
  );
}

function Outcome({ state, kind, source }: { state: RunState; kind: TransferKind; source: TransferSource }) {
  if (state.phase === "succeeded") {
    const [context = "", namespace = "", name = ""] = state.result.target.split("/");
    return (
      <div className="transfer-outcome" role="status">
        <p>
          {kind === "move"
            ? `${source.name} now runs in ${context} / ${namespace}; the source is stopped with its data kept.`
            : kind === "standby"
              ? `The standby of ${source.name} is ready in ${context} / ${namespace}: stopped and fenced, holding the data as of now. ${source.name} kept serving.`
              : `${name} runs in ${context} / ${namespace}; ${source.name} kept serving.`}{" "}
          {formatBytes(state.result.bytes)} streamed and verified.
        </p>
        {kind === "standby" ? (
          <Link href={instancePath(source)} className="button button--primary">
            Back to {source.name}
          </Link>
        ) : (
          <Link href={instancePath({ context, namespace, name })} className="button button--primary">
            Open {name}
          </Link>
        )}
      </div>
    );
  }
  if (state.phase === "failed") {
    return <ErrorPanel error={state.error} fallbackTitle={`The ${kind} failed`} />;
  }
  if (state.phase === "aborted") {
    return (
      <div className="transfer-outcome" role="status">
        {state.error ? (
          <ErrorPanel error={state.error} fallbackTitle="The abort did not finish" />
        ) : state.result ? (
          <p>
            Transfer {state.result.id} was aborted: the target was removed{kind === "move" ? " and the source's fence lifted" : ""}. The source is untouched.
          </p>
        ) : (
          <p>Cancelled before anything was changed.</p>
        )}
      </div>
    );
  }
  return null;
}
