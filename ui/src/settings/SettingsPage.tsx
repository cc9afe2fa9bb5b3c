import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useBackend } from "../app/backend-context";
import { ErrorPanel } from "../components/ErrorPanel";
import { useSaveSettings, useSettings } from "../install/queries";
import { toApiError, type ApiError, type AppInfo, type AppSettings, type Theme } from "../ipc";
import { applyTheme } from "./theme";
import "../catalog/catalog.css";

/** The choices for keeping standbys fresh while the app runs (minutes; null = off). */
const STANDBY_SYNC: { value: number | null; label: string }[] = [
  { value: null, label: "Off" },
  { value: 15, label: "Every 15 minutes" },
  { value: 60, label: "Every hour" },
  { value: 360, label: "Every 6 hours" },
  { value: 1440, label: "Every day" },
];

const THEMES: { value: Theme; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

function Preferences({ saved }: { saved: AppSettings }) {
  const save = useSaveSettings();
  const [namespace, setNamespace] = useState(saved.defaultNamespace ?? "");
  const [folders, setFolders] = useState<string[]>(saved.catalogFolders);
  const [newFolder, setNewFolder] = useState("");
  // a saved value that changed replaces the field; another setting saved meanwhile (the theme)
  // must not wipe what the user is typing
  const savedFolders = JSON.stringify(saved.catalogFolders);
  useEffect(() => {
    setNamespace(saved.defaultNamespace ?? "");
  }, [saved.defaultNamespace]);
  useEffect(() => {
    setFolders(JSON.parse(savedFolders) as string[]);
  }, [savedFolders]);
  const store = (next: Partial<AppSettings>) => save.mutate({ ...saved, defaultNamespace: namespace || null, catalogFolders: folders, ...next });

  return (
    <section className="card prefs-card" aria-label="Preferences">
      <h2 className="form-section__title">Preferences</h2>
      <div className="settings-grid">
        <div className="field-stack">
          <span id="theme-label">Theme</span>
          <div className="segmented" role="radiogroup" aria-labelledby="theme-label">
            {THEMES.map((t) => (
              <button
                type="button"
                role="radio"
                key={t.value}
                aria-checked={saved.theme === t.value}
                aria-pressed={saved.theme === t.value}
                onClick={() => {
                  applyTheme(t.value);
                  store({ theme: t.value });
                }}
              >
                {t.label}
              </button>
            ))}
          </div>
        </div>
        <form
          className="field-stack"
          onSubmit={(e) => {
            e.preventDefault();
            store({ defaultNamespace: namespace.trim() || null });
          }}
        >
          <label htmlFor="default-namespace">Default namespace</label>
          <div className="inline-form">
            <input id="default-namespace" className="input mono" placeholder="the context's own" value={namespace} onChange={(e) => setNamespace(e.target.value)} />
            <button type="submit" className="button">
              Save
            </button>
          </div>
          <span className="field-note">What the install form proposes; empty uses each context’s namespace.</span>
        </form>
        <div className="field-stack">
          <span>Extra catalog folders</span>
          <ul className="folder-list" aria-label="Extra catalog folders">
            {folders.length === 0 ? <li className="muted">None: only the built-in catalog.</li> : null}
            {folders.map((f) => (
              <li key={f}>
                <span className="mono">{f}</span>
                <button type="button" className="button button--ghost" aria-label={`Remove ${f}`} onClick={() => store({ catalogFolders: folders.filter((x) => x !== f) })}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (newFolder.trim()) {
                save.mutate(
                  { ...saved, defaultNamespace: namespace || null, catalogFolders: [...folders, newFolder.trim()] },
                  { onSuccess: () => setNewFolder("") },
                );
              }
            }}
          >
            <input className="input mono" aria-label="Catalog folder to add" placeholder="/home/you/berth-catalog" value={newFolder} onChange={(e) => setNewFolder(e.target.value)} />
            <button type="submit" className="button">
              Add folder
            </button>
          </form>
          <span className="field-note">Definitions there are listed after the built-in ones; the same id replaces a built-in.</span>
        </div>
        <div className="field-stack">
          <label htmlFor="standby-sync">Keep standbys fresh</label>
          <select
            id="standby-sync"
            className="input"
            value={saved.standbySyncMinutes ?? ""}
            onChange={(e) => store({ standbySyncMinutes: e.target.value === "" ? null : Number(e.target.value) })}
          >
            {STANDBY_SYNC.some((o) => o.value === saved.standbySyncMinutes) ? null : (
              <option value={saved.standbySyncMinutes ?? ""}>Every {saved.standbySyncMinutes} minutes</option>
            )}
            {STANDBY_SYNC.map((o) => (
              <option key={o.label} value={o.value ?? ""}>
                {o.label}
              </option>
            ))}
          </select>
          <span className="field-note">
            While Berth is open, each standby whose data is older than this is synced from its active. Closing the app stops it;
            <span className="mono"> berth standby watch --every</span> does the same from a terminal.
          </span>
        </div>
      </div>
      <p role="status" className="form-actions__note" data-testid="settings-status">
        {save.isPending ? "Saving…" : save.isError ? "" : save.isSuccess ? "Saved" : ""}
      </p>
      {save.isError ? (
        <p className="form-actions__note--error" role="alert" data-testid="settings-error">
          {save.error.message}
        </p>
      ) : null}
    </section>
  );
}

/** Preferences (theme, default namespace, catalog folders, standby schedule) and facts about this installation. */
export function SettingsPage() {
  const backend = useBackend();
  const settings = useSettings();
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
      {settings.isError ? (
        <ErrorPanel error={settings.error} fallbackTitle="Your preferences could not be read" />
      ) : settings.data ? (
        <Preferences saved={settings.data} />
      ) : null}
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
              <dt>Build</dt>
              <dd className="mono">
                {info.data
                  ? `${info.data.build.gitCommit} · ${info.data.build.buildDate} · ${info.data.build.target}`
                  : "…"}
              </dd>
            </div>
            <div>
              <dt>Kubernetes</dt>
              <dd className="mono">{info.data?.build.kubernetesVersions.join(", ") ?? "…"}</dd>
            </div>
            <div>
              <dt>Catalog</dt>
              <dd className="mono">{info.data?.build.catalogVersion ?? "…"}</dd>
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
              <dt>Data source</dt>
              <dd>{backend.kind === "mock" ? "Demo data (mock backend, nothing is saved)" : "Berth core"}</dd>
            </div>
          </dl>
        </section>
      )}
    </div>
  );
}
