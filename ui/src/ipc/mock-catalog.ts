import type { ApiError } from "./bindings/ApiError";
import type { AppSettings } from "./bindings/AppSettings";
import type { CatalogList } from "./bindings/CatalogList";
import type { CreateLocalClusterInput } from "./bindings/CreateLocalClusterInput";
import type { LocalClusterCreated } from "./bindings/LocalClusterCreated";
import type { LocalClusterToolInfo } from "./bindings/LocalClusterToolInfo";
import type { ObjectChange } from "./bindings/ObjectChange";
import type { ReconfigureInput } from "./bindings/ReconfigureInput";
import type { ReconfigureResult } from "./bindings/ReconfigureResult";
import type { RenderInput } from "./bindings/RenderInput";
import type { RenderedManifests } from "./bindings/RenderedManifests";
import type { ServiceDetail } from "./bindings/ServiceDetail";
import type { StorageClassInfo } from "./bindings/StorageClassInfo";
import type { JsonValue } from "./bindings/serde_json/JsonValue";
// What the real API answers for the built-in catalog, written by a Rust test
// (`BERTH_BLESS=1 cargo test -p berth-api --test mock_catalog`), so the mock never drifts from it.
import fixture from "./mock-catalog.json";

interface CatalogFixture {
  list: CatalogList;
  details: Record<string, ServiceDetail>;
  renders: Record<string, RenderedManifests>;
}

const CATALOG = fixture as unknown as CatalogFixture;

type Json = { [key: string]: JsonValue | undefined };

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function reject(code: ApiError["code"], message: string): Promise<never> {
  const error: ApiError = { code, message };
  return Promise.reject(error);
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `base` with `over` merged in (objects deeply, everything else replaced). */
export function mergeValues(base: JsonValue, over: JsonValue | undefined): JsonValue {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeValues(base[k] as JsonValue, v) : v;
  return out as JsonValue;
}

/** The StorageClasses each demo context has; contexts not listed are unreachable. */
export const STORAGE_CLASSES: Record<string, StorageClassInfo[]> = {
  "kind-berth-dev": [{ name: "standard", provisioner: "rancher.io/local-path", isDefault: true }],
  "gke_acme_europe-west1_prod": [
    { name: "standard-rwo", provisioner: "pd.csi.storage.gke.io", isDefault: true },
    { name: "premium-rwo", provisioner: "pd.csi.storage.gke.io", isDefault: false },
    { name: "standard", provisioner: "kubernetes.io/gce-pd", isDefault: false },
  ],
  "onprem-lab": [
    { name: "longhorn", provisioner: "driver.longhorn.io", isDefault: true },
    { name: "nfs-client", provisioner: "cluster.local/nfs-provisioner", isDefault: false },
  ],
};

export const NAMESPACES: Record<string, string[]> = {
  "kind-berth-dev": ["default", "dev", "kube-system"],
  "gke_acme_europe-west1_prod": ["default", "kube-system", "shop", "payments"],
  "onprem-lab": ["default", "kube-system", "lab"],
};

const SETTINGS_KEY = "berth.mock.settings";

/** The catalog, render preview, settings and local-cluster parts of the mock Backend. */
export class MockCatalog {
  private settings: AppSettings;

  constructor(
    private readonly scale: number,
    private readonly hooks: {
      /** The parameters in force of an instance, or undefined when there is none. */
      parametersOf: (ref: { name: string; context: string | null; namespace: string | null }) => JsonValue | undefined;
      /** Adds a context to the mock kubeconfig. */
      addContext: (name: string) => void;
      /** Whether a context exists. */
      hasContext: (name: string) => boolean;
      /** Why a context cannot be used (the error its every request gets), or `null`. */
      contextError: (name: string) => ApiError | null;
    },
  ) {
    this.settings = { theme: "system", defaultNamespace: null, catalogFolders: [], standbySyncMinutes: null };
    try {
      const saved = globalThis.localStorage?.getItem(SETTINGS_KEY);
      if (saved) this.settings = { ...this.settings, ...(JSON.parse(saved) as AppSettings) };
    } catch {
      // no storage (unit tests) or a broken entry: defaults
    }
  }

  async catalogList(): Promise<CatalogList> {
    await sleep(150 * this.scale);
    return clone(CATALOG.list);
  }

  async catalogShow(id: string): Promise<ServiceDetail> {
    await sleep(100 * this.scale);
    const detail = CATALOG.details[id];
    if (!detail) return reject("notFound", `no service "${id}" in the catalog`);
    return clone(detail);
  }

  /** The mock has no browser to open: it notes the address in sessionStorage
   * (`berth-mock-opened`), where tests read it. */
  async openHomepage(id: string): Promise<void> {
    await sleep(20 * this.scale);
    const detail = CATALOG.details[id];
    if (!detail) return reject("notFound", `no service "${id}" in the catalog`);
    const opened = JSON.parse(sessionStorage.getItem("berth-mock-opened") ?? "[]") as string[];
    sessionStorage.setItem("berth-mock-opened", JSON.stringify([...opened, detail.homepage]));
  }

  async catalogRender(input: RenderInput): Promise<RenderedManifests> {
    await sleep(120 * this.scale);
    const base = CATALOG.renders[input.service];
    if (!base) return reject("notFound", `no service "${input.service}" in the catalog`);
    const out = clone(base);
    const instance = input.instance || input.service;
    const namespace = input.namespace || "default";
    const values = mergeValues(out.values, input.values ?? undefined) as Json;
    out.values = values as JsonValue;
    out.instance = instance;
    out.namespace = namespace;
    out.version = input.version ?? out.version;
    // the fixture was rendered as instance = service id in `default`: rename, and apply the
    // replicas and volume size the way every built-in template does
    const text = JSON.stringify(out.objects)
      .replaceAll(`"namespace":"default"`, `"namespace":"${namespace}"`)
      .replaceAll(`"${input.service}`, `"${instance}`);
    out.objects = JSON.parse(text) as JsonValue[];
    for (const object of out.objects) {
      if (!isObject(object) || !isObject(object.spec)) continue;
      if ((object.kind === "StatefulSet" || object.kind === "Deployment") && typeof values.replicas === "number") {
        object.spec.replicas = values.replicas;
      }
      const storage = isObject(values.storage) ? values.storage : undefined;
      const templates = object.spec.volumeClaimTemplates;
      if (storage && Array.isArray(templates)) {
        for (const t of templates) {
          if (!isObject(t) || !isObject(t.spec)) continue;
          if (typeof storage.size === "string") t.spec.resources = { requests: { storage: storage.size } };
          if (typeof storage.className === "string" && storage.className) t.spec.storageClassName = storage.className;
        }
      }
    }
    return out;
  }

  async previewReconfigure(input: ReconfigureInput): Promise<ReconfigureResult> {
    await sleep(200 * this.scale);
    const ref = input.instance;
    const unreachable = this.hooks.contextError(ref.context ?? "kind-berth-dev");
    if (unreachable) return Promise.reject(unreachable);
    const live = this.hooks.parametersOf(ref);
    if (live === undefined) return reject("notFound", `instance ${ref.name} not found`);
    const changes: ObjectChange[] = [];
    const fields = input.set.map((assignment) => {
      const [path, value] = assignment.split(/=(.*)/s) as [string, string];
      const old = path.split(".").reduce<JsonValue | undefined>((v, k) => (isObject(v) ? v[k] : undefined), live);
      return `parameters.${path}: ${old === undefined ? "(unset)" : JSON.stringify(old)} → ${value}`;
    });
    if (fields.length > 0) changes.push({ object: `ConfigMap berth-${ref.name}`, change: "changed", fields });
    if (input.set.some((s) => s.startsWith("replicas="))) {
      const replicas = input.set.find((s) => s.startsWith("replicas="))!.slice("replicas=".length);
      const old = isObject(live) ? String(live.replicas ?? "?") : "?";
      changes.push({ object: `StatefulSet ${ref.name}`, change: "changed", fields: [`spec.replicas: ${old} → ${replicas}`] });
    }
    return {
      context: ref.context ?? "kind-berth-dev",
      namespace: ref.namespace ?? "default",
      name: ref.name,
      operation: input.version ? "upgrade" : "reconfigure",
      fromVersion: "17",
      version: input.version ?? "17",
      changes,
      revision: null,
    };
  }

  async storageClasses(context: string | null): Promise<StorageClassInfo[]> {
    await sleep(250 * this.scale);
    const name = context ?? "kind-berth-dev";
    const unreachable = this.hooks.contextError(name);
    if (unreachable) return Promise.reject(unreachable);
    const classes = STORAGE_CLASSES[name] ?? (name.startsWith("kind-") ? STORAGE_CLASSES["kind-berth-dev"] : undefined);
    if (!classes) return reject("cluster", `context ${name}: the API server did not answer`);
    return clone(classes);
  }

  async listNamespaces(context: string | null): Promise<string[]> {
    await sleep(200 * this.scale);
    const name = context ?? "kind-berth-dev";
    const unreachable = this.hooks.contextError(name);
    if (unreachable) return Promise.reject(unreachable);
    const namespaces = NAMESPACES[name] ?? (name.startsWith("kind-") ? ["default", "kube-system"] : undefined);
    if (!namespaces) return reject("cluster", `context ${name}: the API server did not answer`);
    return [...namespaces];
  }

  async getSettings(): Promise<AppSettings> {
    await sleep(40 * this.scale);
    return clone(this.settings);
  }

  async setSettings(settings: AppSettings): Promise<AppSettings> {
    await sleep(80 * this.scale);
    const ns = settings.defaultNamespace?.trim() || null;
    if (ns !== null && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) {
      return reject(
        "invalidInput",
        `"${ns}" is not a valid namespace name: use lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit`,
      );
    }
    const folders = [...new Set(settings.catalogFolders.map((f) => f.trim()).filter(Boolean))];
    const bad = folders.find((f) => !f.startsWith("/"));
    if (bad) return reject("invalidInput", `${bad} is not a folder: give the absolute path of a catalog folder`);
    const minutes = settings.standbySyncMinutes;
    if (minutes !== null && (minutes < 1 || minutes > 7 * 24 * 60)) {
      return reject("invalidInput", `a standby sync every ${minutes} minutes is out of range: from 1 minute to 10080 (a week)`);
    }
    this.settings = { theme: settings.theme, defaultNamespace: ns, catalogFolders: folders, standbySyncMinutes: minutes };
    try {
      globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify(this.settings));
    } catch {
      // no storage: the settings last until reload
    }
    return clone(this.settings);
  }

  async localClusterTools(): Promise<LocalClusterToolInfo[]> {
    await sleep(30 * this.scale);
    return [
      { tool: "kind", path: "/usr/local/bin/kind" },
      { tool: "k3d", path: "/home/ada/.local/bin/k3d" },
    ];
  }

  async createLocalCluster(input: CreateLocalClusterInput, onLine: (line: string) => void): Promise<LocalClusterCreated> {
    const name = input.name.trim();
    if (!/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(name)) {
      return reject("invalidInput", `"${name}" is not a valid cluster name: use lower-case letters, digits and '-', at most 40`);
    }
    const context = input.tool === "kind" ? `kind-${name}` : input.tool === "k3d" ? `k3d-${name}` : name;
    if (this.hooks.hasContext(context)) {
      return reject("conflict", `a context named ${context} already exists: pick another name`);
    }
    const lines =
      input.tool === "kind"
        ? [
            `Creating cluster "${name}" ...`,
            " ✓ Ensuring node image (kindest/node:v1.33.1) 🖼",
            " ✓ Preparing nodes 📦",
            " ✓ Writing configuration 📜",
            " ✓ Starting control-plane 🕹️",
            " ✓ Installing CNI 🔌",
            " ✓ Installing StorageClass 💾",
            `Set kubectl context to "${context}"`,
          ]
        : [
            `INFO[0000] Prep: Network`,
            `INFO[0001] Created network 'k3d-${name}'`,
            `INFO[0004] Starting Node 'k3d-${name}-server-0'`,
            `INFO[0012] Cluster '${name}' created successfully!`,
            `INFO[0012] You can now use it like this: kubectl config use-context ${context}`,
          ];
    for (const line of lines) {
      await sleep(180 * this.scale);
      onLine(line);
    }
    this.hooks.addContext(context);
    return { context };
  }
}
