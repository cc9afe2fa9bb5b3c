import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useBackend } from "../app/backend-context";
import { useServiceDetail } from "../catalog/queries";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorPanel } from "../components/ErrorPanel";
import { toApiError, type ApiError, type CredentialInfo, type InstanceSummary, type RotateCredentialResult } from "../ipc";

type Rotation = { key: string; steps: string[]; result?: RotateCredentialResult; error?: ApiError };

/**
 * The credentials Berth keeps for an instance: masked, revealed or copied only on request (the
 * value lives in this component's state while shown, never in a cache or page storage), and
 * rotated in the engine, the keyring and the Secret, after a confirmation that says the pods
 * restart.
 */
export function CredentialsCard({ instance }: { instance: InstanceSummary }) {
  const backend = useBackend();
  const ref = { name: instance.name, context: instance.context, namespace: instance.namespace };
  const list = useQuery<CredentialInfo[], ApiError>({
    queryKey: ["credentials", instance.context, instance.namespace, instance.name],
    queryFn: () => backend.instanceCredentials(ref, false).catch((e: unknown) => Promise.reject(toApiError(e))),
  });
  const rotatable = useServiceDetail(instance.service).data?.service.capabilities.rotate ?? false;
  const [shown, setShown] = useState<Record<string, string>>({});
  const [copied, setCopied] = useState<string | null>(null);
  const [asking, setAsking] = useState<CredentialInfo | null>(null);
  const [rotation, setRotation] = useState<Rotation | null>(null);

  const valueOf = async (key: string) => {
    const all = await backend.instanceCredentials(ref, true);
    return all.find((c) => c.key === key)?.value ?? "";
  };
  const reveal = async (key: string) => setShown({ ...shown, [key]: await valueOf(key) });
  const hide = (key: string) => setShown(Object.fromEntries(Object.entries(shown).filter(([k]) => k !== key)));
  const copy = async (key: string) => {
    await navigator.clipboard?.writeText(shown[key] ?? (await valueOf(key)));
    setCopied(key);
  };
  const rotate = (c: CredentialInfo) => {
    setAsking(null);
    const run: Rotation = { key: c.key, steps: [] };
    setRotation(run);
    hide(c.key);
    backend
      .rotateCredential({ instance: ref, key: c.user ? "" : c.key, user: c.user, check: false }, (event) => {
        if (event.kind === "step") setRotation((r) => (r ? { ...r, steps: [...r.steps, event.name] } : r));
      })
      .then((result) => setRotation((r) => (r ? { ...r, result } : r)))
      .catch((e: unknown) => setRotation((r) => (r ? { ...r, error: toApiError(e) } : r)));
  };
  const running = rotation !== null && !rotation.result && !rotation.error;

  return (
    <section className="card settings-card" aria-labelledby="credentials-title">
      <h2 id="credentials-title">Credentials</h2>
      {list.error ? (
        <ErrorPanel error={list.error} fallbackTitle="The credentials could not be read" onRetry={() => void list.refetch()} />
      ) : list.data && list.data.length === 0 ? (
        <p className="muted">Berth keeps no credentials for this service.</p>
      ) : (
        <table className="credentials-table" aria-label="Credentials">
          <tbody>
            {(list.data ?? []).map((c) => (
              <tr key={c.key} data-key={c.key}>
                <th scope="row">
                  <span className="mono">{c.user ?? c.key}</span>
                  <span className="credentials-table__what">{c.description}</span>
                  {rotatable && c.fixed ? (
                    <span className="credentials-table__what" data-testid="credential-fixed">
                      Cannot be rotated in place: {c.fixed}.
                    </span>
                  ) : null}
                </th>
                <td className="mono" data-testid="credential-value">
                  {!c.stored ? "not in this keyring (berth adopt)" : shown[c.key] ?? "••••••••"}
                </td>
                <td className="credentials-table__actions">
                  {c.stored ? (
                    <>
                      <button type="button" className="button button--small" onClick={() => (c.key in shown ? hide(c.key) : void reveal(c.key))}>
                        {c.key in shown ? "Hide" : "Reveal"}
                      </button>
                      <button type="button" className="button button--small" onClick={() => void copy(c.key)}>
                        {copied === c.key ? "Copied" : "Copy"}
                      </button>
                    </>
                  ) : null}
                  {rotatable && !c.fixed && instance.health !== "stopped" ? (
                    <button type="button" className="button button--small" disabled={running} onClick={() => setAsking(c)} aria-label={`Rotate ${c.user ?? c.key}`}>
                      Rotate…
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!rotatable ? <p className="muted">This service's definition cannot change its credentials in place.</p> : null}
      {rotation ? (
        <div className="credentials-rotation" role="status" data-testid="rotation">
          <ol>
            {rotation.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
          {rotation.result ? (
            <p>
              A new {rotation.result.key} is set in the engine, your keyring and the Secret; the pods restarted
              {rotation.result.revision !== null ? ` (revision ${rotation.result.revision})` : ""}. Reveal shows it.
            </p>
          ) : null}
          {rotation.error ? <ErrorPanel error={rotation.error} fallbackTitle="The rotation failed" /> : null}
        </div>
      ) : null}
      {asking ? (
        <ConfirmDialog
          title={`Rotate ${asking.user ?? asking.key}?`}
          confirmLabel="Rotate"
          onConfirm={() => rotate(asking)}
          onCancel={() => setAsking(null)}
        >
          <p>
            A new value is generated and set in {instance.name}'s engine, then kept in your keyring and in its Secret. The pods
            restart to read it, and clients using the old value must be given the new one.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
