import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { useBackend } from "../app/backend-context";
import { TrashIcon } from "../components/action-icons";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorPanel } from "../components/ErrorPanel";
import { toApiError, type ApiError, type InstanceSummary, type ServiceVersion } from "../ipc";
import { ProgressSteps, useOperation, useStartOperation } from "../operations";
import { instancePath } from "../services/keys";
import { LifecycleButtons, useLifecycle } from "../services/lifecycle";
import { CredentialsCard } from "./CredentialsCard";

/** The versions this instance can move to in place, and those only a copy reaches. */
export function upgradeTargets(versions: ServiceVersion[], current: string): { inPlace: string[]; byCopy: string[] } {
  const mine = versions.find((v) => v.id === current);
  return { inPlace: mine?.upgradableTo ?? [], byCopy: mine?.copyUpgradableTo ?? [] };
}

function Upgrade({ instance }: { instance: InstanceSummary }) {
  const backend = useBackend();
  const versions = useQuery<ServiceVersion[], ApiError>({
    queryKey: ["catalog", "versions", instance.service],
    queryFn: () => backend.serviceVersions(instance.service).catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: 5 * 60_000,
  });
  const start = useStartOperation();
  const [version, setVersion] = useState("");
  const [opId, setOpId] = useState<string | null>(null);
  const op = useOperation(opId);
  const targets = versions.data ? upgradeTargets(versions.data, instance.version) : { inPlace: [], byCopy: [] };

  const upgrade = () =>
    start.mutate(
      {
        kind: "reconfigure",
        instance: { name: instance.name, context: instance.context, namespace: instance.namespace },
        set: [],
        version,
        rollback: false,
        rollbackTo: null,
        diffOnly: false,
        forceConflicts: false,
        noWait: false,
        timeoutSeconds: null,
      },
      { onSuccess: setOpId },
    );

  return (
    <section className="card settings-card" aria-labelledby="upgrade-title">
      <h2 id="upgrade-title">Upgrade</h2>
      <p className="muted">
        Runs {instance.service} {instance.version}. An upgrade re-renders the service with the new version and rolls the pods.
      </p>
      {versions.isError ? (
        <ErrorPanel error={versions.error} fallbackTitle="Versions could not be read" />
      ) : (
        <div className="settings-card__row">
          <label className="field">
            <span>Version</span>
            <select
              className="select"
              value={version}
              onChange={(e) => setVersion(e.target.value)}
              disabled={versions.isPending || targets.inPlace.length === 0}
            >
              <option value="">{versions.isPending ? "Loading…" : targets.inPlace.length ? "Choose a version" : "No newer version in place"}</option>
              {targets.inPlace.map((v) => (
                <option key={v} value={v}>
                  {instance.service} {v}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button button--primary" disabled={!version || op?.state === "running"} onClick={upgrade}>
            Upgrade
          </button>
        </div>
      )}
      {targets.byCopy.length > 0 ? (
        <p className="muted settings-card__note">
          {targets.byCopy.map((v) => `${instance.service} ${v}`).join(", ")} cannot be reached in place: it needs a copy of the data into
          a new instance. Use Copy… above and pick the version of the copy.
        </p>
      ) : null}
      {start.error ? <ErrorPanel error={start.error} fallbackTitle="The upgrade could not start" /> : null}
      {op ? <ProgressSteps update={op} /> : null}
    </section>
  );
}

function Uninstall({ instance }: { instance: InstanceSummary }) {
  const [, navigate] = useLocation();
  const start = useStartOperation();
  const [asking, setAsking] = useState(false);
  const [deleteData, setDeleteData] = useState(false);
  const [typed, setTyped] = useState("");
  const [opId, setOpId] = useState<string | null>(null);
  const op = useOperation(opId);
  const confirm = () => {
    setAsking(false);
    start.mutate(
      { kind: "uninstall", instance: { name: instance.name, context: instance.context, namespace: instance.namespace }, deleteData },
      { onSuccess: setOpId },
    );
  };
  if (op?.state === "succeeded") {
    return (
      <section className="card settings-card" aria-labelledby="uninstall-title">
        <h2 id="uninstall-title">Uninstalled</h2>
        <p>
          {instance.name} was removed{deleteData ? " with its data" : "; its volumes and credentials are kept"}.
        </p>
        <button type="button" className="button" onClick={() => navigate("/services")}>
          Back to Services
        </button>
      </section>
    );
  }
  return (
    <section className="card settings-card settings-card--danger" aria-labelledby="uninstall-title">
      <h2 id="uninstall-title">Uninstall</h2>
      <fieldset className="choice">
        <legend className="visually-hidden">What happens to the data</legend>
        <label>
          <input type="radio" name="data" checked={!deleteData} onChange={() => setDeleteData(false)} />
          <span>
            <strong>Keep the data</strong> — volumes and credentials stay; installing the same name again finds them.
          </span>
        </label>
        <label>
          <input type="radio" name="data" checked={deleteData} onChange={() => setDeleteData(true)} />
          <span>
            <strong>Delete the data</strong> — volumes and credentials are deleted. This cannot be undone.
          </span>
        </label>
      </fieldset>
      <button
        type="button"
        className="button button--danger"
        onClick={() => {
          setTyped("");
          setAsking(true);
        }}
        disabled={op?.state === "running"}
      >
        <TrashIcon /> Uninstall {instance.name}…
      </button>
      {start.error ? <ErrorPanel error={start.error} fallbackTitle="The uninstall could not start" /> : null}
      {op ? <ProgressSteps update={op} /> : null}
      {asking ? (
        <ConfirmDialog
          title={`Uninstall ${instance.name}?`}
          confirmLabel={deleteData ? "Uninstall and delete data" : "Uninstall"}
          danger
          confirmDisabled={typed !== instance.name}
          onConfirm={confirm}
          onCancel={() => setAsking(false)}
        >
          <p>
            {deleteData
              ? `Every object of ${instance.name} in ${instance.context}/${instance.namespace} is deleted, with its volumes and credentials.`
              : `Every object of ${instance.name} in ${instance.context}/${instance.namespace} is deleted; its volumes and credentials are kept.`}
          </p>
          <label className="field">
            <span>
              Type <strong className="mono">{instance.name}</strong> to confirm
            </span>
            <input className="input" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Stop/start, reconfigure, upgrade and uninstall. */
export function SettingsTab({ instance }: { instance: InstanceSummary }) {
  const lifecycle = useLifecycle(instance);
  return (
    <div className="settings-tab">
      <section className="card settings-card" aria-labelledby="run-title">
        <h2 id="run-title">Run state</h2>
        <p className="muted">
          {instance.health === "stopped"
            ? "Stopped: no pods run, the data is kept. Start brings back exactly the replicas it had."
            : "Stop scales it to zero and keeps its data; Restart rolls every pod."}
        </p>
        <LifecycleButtons instance={instance} lifecycle={lifecycle} />
        {lifecycle.running ? <ProgressSteps update={lifecycle.running} /> : lifecycle.failed ? <ProgressSteps update={lifecycle.failed} /> : null}
      </section>
      <section className="card settings-card" aria-labelledby="reconfigure-title">
        <h2 id="reconfigure-title">Configuration</h2>
        <p className="muted">Change replicas, resources, storage, users and exposure; you see the diff against what is live before applying.</p>
        <Link href={instancePath(instance, "configure")} className="button">
          Reconfigure…
        </Link>
      </section>
      <CredentialsCard instance={instance} />
      <Upgrade instance={instance} />
      <Uninstall instance={instance} />
    </div>
  );
}
