import { useQuery } from "@tanstack/react-query";
import { useBackend } from "../app/backend-context";
import { ErrorPanel } from "../components/ErrorPanel";
import { toApiError, type ApiError, type AppInfo } from "../ipc";

/** The app's version, where its data lives, the keyring it stores credentials in, and the theme. */
export function SettingsPage() {
  const backend = useBackend();
  const info = useQuery<AppInfo, ApiError>({
    queryKey: ["appInfo"],
    queryFn: () => backend.appInfo().catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: Infinity,
  });

  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
      {info.isError ? (
        <ErrorPanel error={info.error} fallbackTitle="App information is unavailable" />
      ) : (
        <section className="card" aria-label="About this installation" aria-busy={info.isPending}>
          <dl className="settings-list">
            <div>
              <dt>Version</dt>
              <dd className="mono">{info.data?.version ?? "…"}</dd>
            </div>
            <div>
              <dt>Data folder</dt>
              <dd className="mono">{info.data?.home ?? "…"}</dd>
            </div>
            <div>
              <dt>Keyring</dt>
              <dd>
                {info.data ? (
                  <>
                    <span className={`dot ${info.data.keyring.available ? "dot--up" : "dot--down"}`} aria-hidden="true" />{" "}
                    {info.data.keyring.available ? "Available" : "Unavailable"} — {info.data.keyring.backend}
                    {info.data.keyring.message ? <span className="settings-list__note">{info.data.keyring.message}</span> : null}
                  </>
                ) : (
                  "…"
                )}
              </dd>
            </div>
            <div>
              <dt>Theme</dt>
              <dd>Follows your system’s light or dark setting</dd>
            </div>
            <div>
              <dt>Data source</dt>
              <dd>{backend.kind === "mock" ? "Demo data (mock backend, nothing is saved)" : "Berth core"}</dd>
            </div>
          </dl>
        </section>
      )}
    </div>
  );
}
