import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "wouter";
import { useBackend } from "../app/backend-context";
import { useServiceDetail } from "../catalog/queries";
import { ServiceIcon } from "../catalog/ServiceIcon";
import { ErrorPanel } from "../components/ErrorPanel";
import { toApiError, type ApiError, type InstanceSummary, type JsonValue, type ReconfigureInput } from "../ipc";
import { ProgressSteps, useOperation, useStartOperation } from "../operations";
import { DiffPreview } from "./Preview";
import { ServiceForm } from "./ServiceForm";
import { startedOperations, useReconfigureDiff } from "./queries";
import { diffParameters } from "../history/diff";
import { changesAsSet, fitToSchema } from "./values";
import "../catalog/catalog.css";

/** The names in `auth.users` of some parameters: the users whose passwords exist. */
export function usersOf(parameters: JsonValue | undefined): string[] {
  const users = (parameters as { auth?: { users?: unknown } } | null | undefined)?.auth?.users;
  if (!Array.isArray(users)) return [];
  return users.flatMap((u: unknown) => {
    const name = (u as { name?: unknown } | null)?.name;
    return typeof name === "string" && name !== "" ? [name] : [];
  });
}

/** Change an installed instance's parameters or version: the same form, a diff against what is live. */
export function ConfigurePage() {
  const params = useParams<{ context: string; namespace: string; name: string }>();
  const ref = {
    context: decodeURIComponent(params.context),
    namespace: decodeURIComponent(params.namespace),
    name: decodeURIComponent(params.name),
  };
  const key = `configure:${ref.context}/${ref.namespace}/${ref.name}`;
  const backend = useBackend();
  const status = useQuery<InstanceSummary, ApiError>({
    queryKey: ["instances", "status", ref.context, ref.namespace, ref.name],
    queryFn: () => backend.instanceStatus(ref).catch((e: unknown) => Promise.reject(toApiError(e))),
  });
  const detail = useServiceDetail(status.data?.service);
  const schema = detail.data?.parametersSchema;
  const live = useMemo(
    () => (schema && status.data ? fitToSchema(schema as never, status.data.parameters) : null),
    [schema, status.data],
  );
  const liveUsers = useMemo(() => usersOf(status.data?.parameters), [status.data]);
  const [values, setValues] = useState<JsonValue | null>(null);
  const [valid, setValid] = useState(true);
  const [version, setVersion] = useState<string | null>(null);
  const [tab, setTab] = useState<"configure" | "preview">("configure");
  const start = useStartOperation();
  const [operationId, setOperationId] = useState<string | undefined>(() => startedOperations.get(key));
  const operation = useOperation(operationId);
  useEffect(() => {
    if (live && values === null) setValues(live);
  }, [live, values]);

  const set = useMemo(() => {
    const changed = changesAsSet(live ?? {}, values ?? {});
    return changed.filter((s) => !s.startsWith("version="));
  }, [live, values]);
  const currentVersion = status.data?.version ?? null;
  const upgradeTo = version && version !== currentVersion ? version : null;
  const input: ReconfigureInput = {
    instance: ref,
    set,
    version: upgradeTo,
    rollback: false,
    rollbackTo: null,
    diffOnly: true,
    forceConflicts: false,
    noWait: false,
    timeoutSeconds: null,
  };
  const nothing = set.length === 0 && !upgradeTo;
  const diff = useReconfigureDiff(input, tab === "preview" && valid && !nothing);
  const versions = detail.data?.service.versions.find((v) => v.id === currentVersion)?.upgradableTo ?? [];

  const submit = () =>
    start.mutate(
      { kind: "reconfigure", ...input, diffOnly: false },
      {
        onSuccess: (id) => {
          startedOperations.set(key, id);
          setOperationId(id);
        },
      },
    );

  const error = status.error ?? detail.error;
  if (error) {
    return (
      <div className="page">
        <ErrorPanel error={error} fallbackTitle="This instance could not be loaded" />
      </div>
    );
  }
  const instancePath = `/instances/${params.context}/${params.namespace}/${params.name}`;
  return (
    <div className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link href="/services">Services</Link> / <Link href={instancePath}>{ref.name}</Link> / Configure
      </nav>
      <header className="detail-head">
        <ServiceIcon svg={detail.data?.iconSvg} title={detail.data?.service.title ?? ref.name} size={48} />
        <div>
          <h1>Configure {ref.name}</h1>
          <p className="muted">
            {detail.data?.service.title} {currentVersion} in <span className="mono">{ref.context}/{ref.namespace}</span>
          </p>
        </div>
      </header>
      {operation ? (
        <section className="card progress-card" aria-label="Progress" data-testid="configure-progress">
          <ProgressSteps update={operation} />
          {operation.state !== "running" ? (
            <button
              type="button"
              className="button"
              onClick={() => {
                startedOperations.delete(key);
                setOperationId(undefined);
                setValues(null);
                void status.refetch();
              }}
            >
              Change more
            </button>
          ) : null}
        </section>
      ) : (
        <>
          <section className="card target" aria-label="Version">
            <label>
              Version
              <select className="input" value={version ?? currentVersion ?? ""} onChange={(e) => setVersion(e.target.value)} aria-label="Version">
                {currentVersion ? <option value={currentVersion}>{currentVersion} (installed)</option> : null}
                {versions.map((v) => (
                  <option key={v} value={v}>
                    Upgrade to {v}
                  </option>
                ))}
              </select>
            </label>
          </section>
          <div className="form-tabs" role="tablist" aria-label="Configure form">
            <button type="button" role="tab" aria-selected={tab === "configure"} onClick={() => setTab("configure")}>
              Configure
            </button>
            <button type="button" role="tab" aria-selected={tab === "preview"} onClick={() => setTab("preview")}>
              Preview changes{nothing ? "" : ` (${set.length + (upgradeTo ? 1 : 0)})`}
            </button>
          </div>
          <div role="tabpanel" hidden={tab !== "configure"}>
            {schema && values !== null ? (
              <ServiceForm
                schema={schema}
                values={values}
                context={ref.context}
                instance={ref}
                liveUsers={liveUsers}
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
              {nothing ? (
                <p data-testid="diff-empty">Nothing changed yet: edit the form to see what would change.</p>
              ) : !valid ? (
                <p className="form-actions__note--error">Fix the highlighted fields to see the changes.</p>
              ) : (
                <>
                  <ParameterChanges before={live} after={values} from={currentVersion} to={upgradeTo} />
                  <DiffPreview result={diff.data} error={diff.error} pending={diff.isFetching} />
                </>
              )}
            </div>
          ) : null}
          <div className="form-actions">
            <button type="button" className="button button--primary" disabled={!valid || nothing || start.isPending} onClick={submit}>
              {upgradeTo ? `Upgrade to ${upgradeTo}` : "Apply changes"}
            </button>
            <span className="form-actions__note" role="status">
              {nothing ? "No changes" : `${set.length} parameter${set.length === 1 ? "" : "s"} changed${upgradeTo ? `, version ${currentVersion} → ${upgradeTo}` : ""}`}
            </span>
            {start.isError ? <span className="form-actions__note--error">{start.error.message}</span> : null}
          </div>
        </>
      )}
    </div>
  );
}

/** The parameters the form changes, before → after, above the Kubernetes fields they touch. */
function ParameterChanges({ before, after, from, to }: { before: JsonValue | null; after: JsonValue | null; from: string | null; to: string | null }) {
  // a secret typed into the form is not echoed back
  const secret = (path: string) => /password|secret|token/i.test(path);
  const changes = diffParameters(before, after)
    .filter((c) => c.path !== "version")
    .map((c) => (secret(c.path) ? { ...c, before: c.before && "••••", after: c.after && "••••" } : c));
  return (
    <section className="param-changes" aria-label="Parameters that change">
      <h3>Parameters</h3>
      <ul>
        {to ? (
          <li data-param="version">
            <span className="mono">version</span>: <del>{from}</del> → <ins>{to}</ins>
          </li>
        ) : null}
        {changes.map((c) => (
          <li key={c.path} data-param={c.path}>
            <span className="mono">{c.path}</span>: <del>{c.before ?? "—"}</del> → <ins>{c.after ?? "—"}</ins>
          </li>
        ))}
      </ul>
    </section>
  );
}
