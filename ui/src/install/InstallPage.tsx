import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "wouter";
import { ServiceIcon } from "../catalog/ServiceIcon";
import { useServiceDetail } from "../catalog/queries";
import { ErrorPanel } from "../components/ErrorPanel";
import { useContextList } from "../contexts/queries";
import type { JsonValue, RenderInput } from "../ipc";
import { ProgressSteps, useOperation, useStartOperation } from "../operations";
import { ManifestPreview } from "./Preview";
import { ServiceForm } from "./ServiceForm";
import { startedOperations, useNamespaces, useRender, useSettings } from "./queries";
import { fitToSchema } from "./values";
import "../catalog/catalog.css";
import { isInstanceName, MAX_INSTANCE_NAME } from "../ipc/bindings/InstanceName";
import { useBackend } from "../app/backend-context";
import { instancePath } from "../services/keys";
import { contextInstancesQuery, useInstanceDetails } from "../services/queries";
import { nameTaken, namespaceMissing } from "./target-checks";


/** Install a service: target, version, parameters in sections, a preview, then progress. */
export function InstallPage() {
  const { id } = useParams<{ id: string }>();
  const detail = useServiceDetail(id);
  const contexts = useContextList();
  const settings = useSettings();
  const current = contexts.data?.contexts.find((c) => c.current) ?? contexts.data?.contexts[0];
  const [context, setContext] = useState<string | null>(null);
  const target = context ?? current?.name ?? null;
  const targetInfo = contexts.data?.contexts.find((c) => c.name === target);
  const [namespace, setNamespace] = useState<string | null>(null);
  const ns = namespace ?? settings.data?.defaultNamespace ?? targetInfo?.namespace ?? "default";
  const namespaces = useNamespaces(target);
  const [name, setName] = useState<string | null>(null);
  const instance = name ?? id;
  const defaultVersion = detail.data?.service.versions.find((v) => v.default)?.id ?? null;
  const [version, setVersion] = useState<string | null>(null);
  const chosenVersion = version ?? defaultVersion;
  const schema = detail.data?.parametersSchema;
  const [values, setValues] = useState<JsonValue | null>(null);
  const [valid, setValid] = useState(true);
  const [tab, setTab] = useState<"configure" | "preview">("configure");
  const start = useStartOperation();
  const [operationId, setOperationId] = useState<string | undefined>(() => startedOperations.get(`install:${id}`));
  const operation = useOperation(operationId);

  useEffect(() => {
    if (schema && values === null) setValues(fitToSchema(schema as never, {}));
  }, [schema, values]);

  const formValues = useMemo(() => {
    const v = { ...((values ?? {}) as Record<string, JsonValue>) };
    if (chosenVersion && schema && (schema as { properties?: Record<string, unknown> }).properties?.version) v.version = chosenVersion;
    return v as JsonValue;
  }, [values, chosenVersion, schema]);
  const backend = useBackend();
  const listing = useQuery({ ...contextInstancesQuery(backend, target ?? ""), enabled: target !== null });
  const taken = nameTaken(listing.data?.instances, ns, instance);
  const missingNamespace = namespaceMissing(namespaces.data, ns);
  const [createNamespace, setCreateNamespace] = useState(false);
  const nameValid = isInstanceName(instance) && !taken;
  const targetReady = !missingNamespace || createNamespace;
  const renderInput: RenderInput = { service: id, instance, namespace: ns, version: chosenVersion, values: formValues, set: [] };
  const render = useRender(renderInput, tab === "preview" && valid && nameValid && values !== null);

  const submit = () => {
    start.mutate(
      {
        kind: "install",
        service: id,
        name: instance,
        context: target,
        namespace: ns,
        // only when the user asked: a typo must not silently make a namespace
        createNamespace: missingNamespace && createNamespace,
        version: chosenVersion,
        values: formValues,
        set: [],
        noWait: false,
        timeoutSeconds: null,
        atomic: false,
        dryRun: false,
      },
      {
        onSuccess: (opId) => {
          startedOperations.set(`install:${id}`, opId);
          setOperationId(opId);
        },
      },
    );
  };

  if (detail.isError) {
    return (
      <div className="page">
        <ErrorPanel error={detail.error} fallbackTitle="This service could not be loaded" onRetry={() => void detail.refetch()} />
      </div>
    );
  }
  const d = detail.data;
  const running = operation?.state === "running";
  return (
    <div className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link href="/catalog">Catalog</Link> / <Link href={`/catalog/${id}`}>{d?.service.title ?? id}</Link> / Install
      </nav>
      <header className="detail-head">
        <ServiceIcon svg={d?.iconSvg} title={d?.service.title ?? id} size={48} />
        <div>
          <h1>Install {d?.service.title ?? id}</h1>
          <p className="muted">{d?.service.summary}</p>
        </div>
      </header>
      {operation ? (
        <section className="card progress-card" aria-label="Install progress" data-testid="install-progress">
          <ProgressSteps update={operation} />
          {operation.state === "succeeded" ? <Installed target={operation.target} /> : null}
          {operation.state === "failed" ? (
            <p className="muted">The form below keeps what you filled in: change what the error names, then install again.</p>
          ) : null}
          {!running ? (
            <button
              type="button"
              className="button"
              onClick={() => {
                startedOperations.delete(`install:${id}`);
                setOperationId(undefined);
              }}
            >
              Install another
            </button>
          ) : (
            <p className="muted">You can leave this page: the install carries on and the task tray shows it.</p>
          )}
        </section>
      ) : null}
      {!operation || operation.state === "failed" ? (
        <>
          <section className="card target" aria-label="Where to install">
            <label>
              Context
              <select className="input" value={target ?? ""} onChange={(e) => setContext(e.target.value)} aria-label="Context">
                {contexts.data?.contexts.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Namespace
              <input className="input mono" list="install-namespaces" value={ns} onChange={(e) => setNamespace(e.target.value)} aria-label="Namespace" />
              <datalist id="install-namespaces">
                {namespaces.data?.map((n) => <option key={n} value={n} />)}
              </datalist>
              {missingNamespace ? (
                <span className="field-note" data-testid="namespace-missing">
                  <input type="checkbox" checked={createNamespace} onChange={(e) => setCreateNamespace(e.target.checked)} aria-label={`Create namespace ${ns}`} />{" "}
                  {ns} does not exist in {target}: create it
                </span>
              ) : null}
            </label>
            <label>
              Instance name
              <input className="input mono" value={instance} onChange={(e) => setName(e.target.value)} aria-label="Instance name" aria-invalid={!nameValid} />
              {taken ? (
                <span className="field-error" data-testid="name-taken">
                  {instance} already exists in {target}/{ns}: choose another name.
                </span>
              ) : !nameValid ? (
                <span className="field-error">Lower-case letters, digits and '-', a letter or digit at both ends, at most {MAX_INSTANCE_NAME}.</span>
              ) : null}
            </label>
            <label>
              Version
              <select className="input" value={chosenVersion ?? ""} onChange={(e) => setVersion(e.target.value)} aria-label="Version">
                {d?.service.versions.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.id}
                    {v.default ? " (default)" : ""}
                  </option>
                ))}
              </select>
            </label>
          </section>
          <div className="form-tabs" role="tablist" aria-label="Install form">
            <button type="button" role="tab" aria-selected={tab === "configure"} onClick={() => setTab("configure")}>
              Configure
            </button>
            <button type="button" role="tab" aria-selected={tab === "preview"} onClick={() => setTab("preview")}>
              Preview
            </button>
          </div>
          <div role="tabpanel" hidden={tab !== "configure"}>
            {schema && values !== null ? (
              <ServiceForm
                schema={schema}
                values={formValues}
                context={target}
                onChange={(v, ok) => {
                  setValues(v);
                  setValid(ok);
                }}
              />
            ) : (
              <p className="muted" aria-busy="true">
                Loading the form…
              </p>
            )}
          </div>
          {tab === "preview" ? (
            <div role="tabpanel">
              {!valid || !nameValid ? (
                <p className="form-actions__note--error">Fix the highlighted fields to see the preview.</p>
              ) : (
                <ManifestPreview rendered={render.data} error={render.error} pending={render.isFetching} />
              )}
            </div>
          ) : null}
          <div className="form-actions">
            <button type="button" className="button button--primary" disabled={!valid || !nameValid || !target || !targetReady || start.isPending} onClick={submit}>
              Install {d?.service.title ?? id}
            </button>
            <span className={`form-actions__note${valid && nameValid && targetReady ? "" : " form-actions__note--error"}`} role="status">
              {!valid || !nameValid
                ? "Some fields need attention."
                : !targetReady
                  ? `Namespace ${ns} does not exist: tick "create it" or pick another.`
                : `${instance} in ${target ?? "?"}/${ns}${chosenVersion ? `, version ${chosenVersion}` : ""}`}
            </span>
            {start.isError ? <span className="form-actions__note--error">{start.error.message}</span> : null}
          </div>
        </>
      ) : null}
    </div>
  );
}

/** The end of a successful install: it is ready, where clients reach it, and how to connect. */
function Installed({ target }: { target: { context: string; namespace: string; name: string } }) {
  const details = useInstanceDetails(target);
  const instance = details.data?.instance;
  return (
    <div className="installed" data-testid="installed">
      <p className="installed__title">
        <strong>{target.name}</strong> is installed in {target.context} / {target.namespace}
        {instance ? ` · ${instance.podsReady}/${instance.podsTotal} pods ready` : ""}.
      </p>
      {instance?.endpoint ? (
        <p>
          Clients in the cluster reach it at <code data-testid="installed-endpoint">{instance.endpoint}</code>.
        </p>
      ) : null}
      <p className="installed__links">
        <Link href={instancePath(target, "connect")} className="button button--primary">
          Connect…
        </Link>{" "}
        <Link href={instancePath(target)} className="button">
          Open {target.name}
        </Link>
      </p>
    </div>
  );
}
