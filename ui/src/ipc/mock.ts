import type { ApiError } from "./bindings/ApiError";
import type { AppInfo } from "./bindings/AppInfo";
import type { ContextInfo } from "./bindings/ContextInfo";
import type { ContextList } from "./bindings/ContextList";
import type { ContextProbe } from "./bindings/ContextProbe";
import type { KubeconfigProblem } from "./bindings/KubeconfigProblem";
import type { Location } from "./bindings/Location";
import type { ProbeFailure } from "./bindings/ProbeFailure";
import { MockObserve } from "./mock-observe";
import type { ObserveBackend } from "./observe";
import type { Backend, HistoryQuery } from "./backend";
import type { InstanceDetails } from "./bindings/InstanceDetails";
import { MockCatalog, NAMESPACES, STORAGE_CLASSES } from "./mock-catalog";
import { MockTransfers } from "./mock-transfers";
import { MockStandbys } from "./mock-standby";
import { MockTerminals } from "./mock-terminal";
import { MockCredentials } from "./mock-credentials";
import type { CredentialsBackend } from "./credentials";
import type { TerminalBackend } from "./terminal";
import type { StandbyBackend } from "./standby";
import type { TransferBackend } from "./transfers";
import type { AppSettings } from "./bindings/AppSettings";
import type { CatalogList } from "./bindings/CatalogList";
import type { CreateLocalClusterInput } from "./bindings/CreateLocalClusterInput";
import type { LocalClusterCreated } from "./bindings/LocalClusterCreated";
import type { LocalClusterToolInfo } from "./bindings/LocalClusterToolInfo";
import type { ReconfigureInput } from "./bindings/ReconfigureInput";
import type { ReconfigureResult } from "./bindings/ReconfigureResult";
import type { RenderInput } from "./bindings/RenderInput";
import type { RenderedManifests } from "./bindings/RenderedManifests";
import type { ServiceDetail } from "./bindings/ServiceDetail";
import type { StorageClassInfo } from "./bindings/StorageClassInfo";
import type { ContextInstances } from "./bindings/ContextInstances";
import type { InstanceRef } from "./bindings/InstanceRef";
import type { InstanceSummary } from "./bindings/InstanceSummary";
import type { OperationRequest } from "./bindings/OperationRequest";
import type { OperationUpdate } from "./bindings/OperationUpdate";
import type { RevisionInfo } from "./bindings/RevisionInfo";
import type { ServiceVersion } from "./bindings/ServiceVersion";
import { MockInstances } from "./mock-instances";
import { MockUsage, mockUserPassword } from "./mock-usage";
import type { RevealCredentialInput, UsageInput, UsageSeries } from "./usage";
import type { ProbeFailureKind } from "./bindings/ProbeFailureKind";
import { DEFAULT_FAILURES, mockContextError, mockProbeFailure } from "./mock-failures";

export { parseFailures } from "./mock-failures";

/** Which data set the mock serves: chosen with `?fixture=` in the browser. */
export type MockFixture = "default" | "empty" | "broken" | "error";

export interface MockOptions {
  fixture?: MockFixture;
  /** Multiplies every simulated delay; 0 answers at once (unit tests). */
  delayScale?: number;
  /** Start with a move that was interrupted during its stream (see mock-transfers.ts). */
  interruptedTransfer?: boolean;
  /** Contexts made to fail this way, over the data set's own (chosen with `?fail=context:kind`). */
  failures?: Record<string, ProbeFailureKind>;
}

interface MockContext {
  info: ContextInfo;
  inferred: Location;
  /** What a probe of this context answers, and how long it takes. */
  probe: { delayMs: number; serverVersion: string | null; latencyMs: number; failure: ProbeFailure | null };
}

const HOME = "/home/ada";
const CONFIG = `${HOME}/.kube/config`;
const WORK_CONFIG = `${HOME}/.kube/work.yaml`;
const BROKEN_CONFIG = `${HOME}/.kube/legacy.yaml`;

function context(
  name: string,
  fields: Partial<ContextInfo> & { location: Location },
  probe: MockContext["probe"],
): MockContext {
  return {
    inferred: fields.location,
    probe,
    info: {
      name,
      cluster: fields.cluster ?? name,
      server: fields.server ?? null,
      user: fields.user ?? name,
      namespace: fields.namespace ?? null,
      sourceFile: fields.sourceFile ?? CONFIG,
      current: fields.current ?? false,
      location: fields.location,
      locationInferred: true,
      favourite: fields.favourite ?? false,
      lastSeen: fields.lastSeen ?? null,
      serverVersion: fields.serverVersion ?? null,
    },
  };
}

/**
 * A realistic mix: local clusters, managed cloud clusters, an on-premises one; some unreachable
 * (their failures are set from `DEFAULT_FAILURES`).
 */
function defaultContexts(): MockContext[] {
  return [
    context(
      "kind-berth-dev",
      { location: "laptop", server: "https://127.0.0.1:41235", current: true, namespace: "default" },
      { delayMs: 350, serverVersion: "v1.33.1", latencyMs: 9, failure: null },
    ),
    context(
      "minikube",
      { location: "laptop", server: "https://192.168.49.2:8443", lastSeen: "2026-11-20T09:14:03Z", serverVersion: "v1.32.0" },
      { delayMs: 500, serverVersion: null, latencyMs: 2, failure: null },
    ),
    context(
      "gke_acme_europe-west1_prod",
      {
        location: "cloud",
        cluster: "gke_acme_europe-west1_prod",
        server: "https://34.76.12.190",
        user: "gke_acme_europe-west1_prod",
        namespace: "shop",
        sourceFile: WORK_CONFIG,
        favourite: true,
      },
      { delayMs: 900, serverVersion: "v1.32.4-gke.1415000", latencyMs: 118, failure: null },
    ),
    context(
      "arn:aws:eks:eu-west-1:123456789012:cluster/staging",
      {
        location: "cloud",
        cluster: "arn:aws:eks:eu-west-1:123456789012:cluster/staging",
        server: "https://4F1C2D7E9A.gr7.eu-west-1.eks.amazonaws.com",
        sourceFile: WORK_CONFIG,
      },
      { delayMs: 1200, serverVersion: null, latencyMs: 40, failure: null },
    ),
    context(
      "onprem-lab",
      { location: "private", server: "https://k8s.lab.internal:6443", user: "ada", namespace: "lab" },
      { delayMs: 1600, serverVersion: "v1.31.6+k3s1", latencyMs: 23, failure: null },
    ),
    context(
      "do-ams3-shop",
      { location: "cloud", server: "https://9c1e0a52.k8s.ondigitalocean.com", sourceFile: WORK_CONFIG },
      { delayMs: 700, serverVersion: null, latencyMs: 64, failure: null },
    ),
  ];
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function reject(code: ApiError["code"], message: string): Promise<never> {
  const error: ApiError = { code, message };
  return Promise.reject(error);
}

/** An in-memory Backend with the same contract as the real one; changes last until reload. */
export class MockBackend implements Backend {
  readonly kind = "mock" as const;
  private readonly contexts: MockContext[];
  private readonly files: string[];
  private readonly problems: KubeconfigProblem[];
  private readonly failList: boolean;
  private readonly scale: number;
  /** Instances, history and background operations (see mock-instances.ts). */
  readonly instances: MockInstances;
  /** Catalog, render preview, settings and local clusters (see mock-catalog.ts). */
  readonly catalog: MockCatalog;
  /** Moves, copies and their journal (see mock-transfers.ts). */
  readonly moves: MockTransfers;
  /** Active–standby pairs (see mock-standby.ts). */
  readonly pairs: MockStandbys;

  constructor(options: MockOptions = {}) {
    const fixture = options.fixture ?? "default";
    this.scale = options.delayScale ?? 1;
    this.failList = fixture === "error";
    this.contexts = fixture === "empty" ? [] : defaultContexts();
    for (const [name, kind] of Object.entries({ ...DEFAULT_FAILURES, ...options.failures })) {
      const ctx = this.find(name);
      if (ctx) ctx.probe.failure = mockProbeFailure(kind, ctx.info.server ?? `https://${name}`);
    }
    this.instances = new MockInstances(fixture === "empty" ? "none" : "default", this.scale, this.failList, (name) =>
      this.contextError(name),
    );
    this.catalog = new MockCatalog(this.scale, {
      parametersOf: (ref) =>
        this.instances.instances.find(
          (i) =>
            i.name === ref.name &&
            (ref.context === null || i.context === ref.context) &&
            (ref.namespace === null || i.namespace === ref.namespace),
        )?.parameters,
      hasContext: (name) => this.find(name) !== undefined,
      contextError: (name) => this.contextError(name),
      addContext: (name) =>
        this.contexts.push(
          context(
            name,
            { location: "laptop", server: "https://127.0.0.1:43117", namespace: "default" },
            { delayMs: 200, serverVersion: "v1.33.1", latencyMs: 4, failure: null },
          ),
        ),
    });
    this.moves = new MockTransfers(
      {
        instances: this.instances.instances,
        unreachable: (name) => this.unreachable(name, true),
        namespaces: (name) => NAMESPACES[name] ?? ["default", "kube-system"],
        storageClasses: (name) => (STORAGE_CLASSES[name] ?? STORAGE_CLASSES["kind-berth-dev"] ?? []).map((c) => c.name),
        currentContext: () => this.contexts.find((c) => c.info.current)?.info.name ?? "kind-berth-dev",
      },
      this.scale,
      options.interruptedTransfer ?? false,
    );
    this.pairs = new MockStandbys(
      {
        instances: this.instances.instances,
        unreachable: (name) => this.unreachable(name, false),
        currentContext: () => this.contexts.find((c) => c.info.current)?.info.name ?? "kind-berth-dev",
      },
      this.moves,
      this.scale,
      fixture !== "empty",
    );
    this.files = fixture === "empty" ? [CONFIG] : [CONFIG, WORK_CONFIG];
    this.problems = [];
    if (fixture === "broken") {
      this.files.push(BROKEN_CONFIG);
      this.problems.push({
        file: BROKEN_CONFIG,
        message: "invalid YAML at line 12, column 3: mapping values are not allowed in this context",
      });
    }
  }

  private find(name: string): MockContext | undefined {
    return this.contexts.find((c) => c.info.name === name);
  }

  /** The error every request to a failing context rejects with, or `null` when it answers. */
  contextError(name: string): ApiError | null {
    const failure = this.find(name)?.probe.failure;
    return failure ? mockContextError(name, failure) : null;
  }

  /** Why a context's cluster does not answer (with the hint of what to do), or `null` when it does. */
  private unreachable(name: string, withHint: boolean): string | null {
    const ctx = this.find(name);
    if (!ctx) return `no context named "${name}" in your kubeconfig`;
    const f = ctx.probe.failure;
    return f ? (withHint ? `${f.message}. ${f.hint}` : f.message) : null;
  }

  async listContexts(): Promise<ContextList> {
    await sleep(120 * this.scale);
    if (this.failList) {
      return reject("store", `Cannot open Berth's database at ${HOME}/.local/share/berth/berth.db: database is locked`);
    }
    return {
      contexts: this.contexts.map((c) => ({ ...c.info })),
      kubeconfigFiles: [...this.files],
      problems: this.problems.map((p) => ({ ...p })),
    };
  }

  async probeContext(name: string): Promise<ContextProbe> {
    const ctx = this.find(name);
    if (!ctx) return reject("notFound", `No context named "${name}" in your kubeconfig.`);
    await sleep(ctx.probe.delayMs * this.scale);
    const reachable = ctx.probe.failure === null;
    if (reachable) {
      ctx.info.lastSeen = new Date().toISOString();
      ctx.info.serverVersion = ctx.probe.serverVersion;
    }
    return {
      name,
      reachable,
      serverVersion: reachable ? ctx.probe.serverVersion : null,
      latencyMs: ctx.probe.latencyMs,
      failure: ctx.probe.failure,
      lastSeen: ctx.info.lastSeen,
    };
  }

  async setContextLocation(name: string, location: Location | null): Promise<ContextInfo> {
    await sleep(60 * this.scale);
    const ctx = this.find(name);
    if (!ctx) return reject("notFound", `No context named "${name}" in your kubeconfig.`);
    if (location !== null && !["laptop", "cloud", "private"].includes(location)) {
      return reject("invalidInput", `Unknown location "${String(location)}": use laptop, cloud or private.`);
    }
    ctx.info.location = location ?? ctx.inferred;
    ctx.info.locationInferred = location === null;
    return { ...ctx.info };
  }

  async setContextFavourite(name: string, favourite: boolean): Promise<ContextInfo> {
    await sleep(60 * this.scale);
    const ctx = this.find(name);
    if (!ctx) return reject("notFound", `No context named "${name}" in your kubeconfig.`);
    ctx.info.favourite = favourite;
    return { ...ctx.info };
  }

  async appInfo(): Promise<AppInfo> {
    await sleep(40 * this.scale);
    return {
      version: "0.1.0-mock",
      home: `${HOME}/.local/share/berth`,
      keyring: { available: true, backend: "mock (in memory, nothing is stored)", message: null },
      build: {
        version: "0.1.0-mock",
        gitCommit: "0123456789ab",
        buildDate: "2026-01-01T00:00:00Z",
        target: "x86_64-unknown-linux-gnu",
        kubernetesVersions: ["1.33", "1.37"],
        catalogVersion: "0123456789abcdef",
      },
    };
  }

  /** Records what was on screen when the UI reported its first paint (read by the UI tests). */
  async reportFirstPaint(msSinceNavigation: number): Promise<void> {
    if (typeof document === "undefined") return;
    const seen = globalThis as { __berthFirstPaint?: { ms: number; rows: number; pending: string[] } };
    seen.__berthFirstPaint ??= {
      ms: msSinceNavigation,
      rows: document.querySelectorAll("li[data-instance]").length,
      pending: [...document.querySelectorAll('[data-pending="true"]')].map((e) => e.getAttribute("data-context") ?? ""),
    };
  }

  // Instance Logs, Connect and Metrics panels: data in mock-observe.ts
  private observe?: MockObserve;
  private get panels(): MockObserve {
    this.observe ??= new MockObserve(this.scale);
    return this.observe;
  }
  streamLogs: ObserveBackend["streamLogs"] = (input, onLines) => this.panels.streamLogs(input, onLines);
  startPortForward: ObserveBackend["startPortForward"] = (input) => this.panels.startPortForward(input);
  stopPortForward: ObserveBackend["stopPortForward"] = (id) => this.panels.stopPortForward(id);
  portForwards: ObserveBackend["portForwards"] = () => this.panels.portForwards();
  revealConnectionUri: ObserveBackend["revealConnectionUri"] = (id) => this.panels.revealConnectionUri(id);
  instanceMetrics: ObserveBackend["instanceMetrics"] = (instance) => this.panels.instanceMetrics(instance);
  metricsHistory: ObserveBackend["metricsHistory"] = (input) => this.panels.metricsHistory(input);

  // Moves, copies and the transfer journal: mock-transfers.ts
  planTransfer: TransferBackend["planTransfer"] = (input) => this.moves.planTransfer(input);
  runTransfer: TransferBackend["runTransfer"] = (run, input, onProgress) => this.moves.runTransfer(run, input, onProgress);
  cancelTransfer: TransferBackend["cancelTransfer"] = (run) => this.moves.cancelTransfer(run);
  resumeTransfer: TransferBackend["resumeTransfer"] = (run, id, onProgress) => this.moves.resumeTransfer(run, id, onProgress);
  abortTransfer: TransferBackend["abortTransfer"] = (run, id, onProgress) => this.moves.abortTransfer(run, id, onProgress);
  transfers: TransferBackend["transfers"] = (limit) => this.moves.transfers(limit);
  interruptedTransfers: TransferBackend["interruptedTransfers"] = () => this.moves.interruptedTransfers();

  // The Credentials card: mock-credentials.ts
  private credentialStore?: MockCredentials;
  private get credentials(): MockCredentials {
    this.credentialStore ??= new MockCredentials((ref) => this.instances.instanceStatus(ref), this.scale);
    return this.credentialStore;
  }
  instanceCredentials: CredentialsBackend["instanceCredentials"] = (instance, reveal) => this.credentials.instanceCredentials(instance, reveal);
  rotateCredential: CredentialsBackend["rotateCredential"] = (input, onProgress) => this.credentials.rotateCredential(input, onProgress);

  // The Terminal tab: mock-terminal.ts
  private readonly terminals = new MockTerminals((open) => {
    const context = open.instance.context ?? "kind-berth-dev";
    const found = this.instances.instances.find(
      (i) => i.context === context && i.name === open.instance.name && (open.instance.namespace == null || i.namespace === open.instance.namespace),
    );
    return !found ? "missing" : found.health === "stopped" ? "stopped" : "running";
  });
  openTerminal: TerminalBackend["openTerminal"] = (open, onEvent) => this.terminals.openTerminal(open, onEvent);

  // Standbys: mock-standby.ts
  createStandby: StandbyBackend["createStandby"] = (run, input, onProgress) => this.pairs.createStandby(run, input, onProgress);
  syncStandby: StandbyBackend["syncStandby"] = (run, name, context, onProgress) => this.pairs.syncStandby(run, name, context, onProgress);
  promoteStandby: StandbyBackend["promoteStandby"] = (run, name, context, force, onProgress) =>
    this.pairs.promoteStandby(run, name, context, force, onProgress);
  standbys: StandbyBackend["standbys"] = () => this.pairs.standbys();
  dropStandby: StandbyBackend["dropStandby"] = (name, context, deleteData) => this.pairs.dropStandby(name, context, deleteData);

  // Services sparklines and the users list's Reveal: data in mock-usage.ts
  private usage?: MockUsage;
  async instanceUsage(input: UsageInput): Promise<UsageSeries[]> {
    await sleep(80 * this.scale);
    // counted for the UI tests: the Services screen asks once per context, never once per row
    const counter = globalThis as { __berthUsageCalls?: number };
    counter.__berthUsageCalls = (counter.__berthUsageCalls ?? 0) + 1;
    this.usage ??= new MockUsage((t) =>
      this.instances.instances.some((i) => i.context === t.context && i.namespace === t.namespace && i.name === t.name && i.health === "stopped"),
    );
    return this.usage.instanceUsage(input.instances);
  }

  async revealCredential(input: RevealCredentialInput): Promise<string> {
    const status = await this.instances.instanceStatus(input.instance);
    const auth = (status.parameters as { auth?: { users?: { name?: string }[] } } | null)?.auth;
    if (!(auth?.users ?? []).some((u) => u.name === input.user)) {
      return reject("notFound", `${input.instance.name} has no user "${input.user}" with a password kept by Berth (users are created, with their passwords, when the configuration is applied)`);
    }
    return mockUserPassword(input.user);
  }

  listContextInstances(context: string): Promise<ContextInstances> {
    const ctx = this.find(context);
    if (!ctx) return reject("invalidInput", `no context named "${context}" in the kubeconfig files`);
    // a list answers (or fails) in about half the time of the context's probe
    return this.instances.listContextInstances(context, Math.round(ctx.probe.delayMs / 2));
  }

  instanceStatus(instance: InstanceRef): Promise<InstanceSummary> {
    return this.instances.instanceStatus(instance);
  }

  instanceDetails(instance: InstanceRef): Promise<InstanceDetails> {
    return this.instances.instanceDetails(instance);
  }

  serviceVersions(service: string): Promise<ServiceVersion[]> {
    return this.instances.serviceVersions(service);
  }

  history(query?: HistoryQuery): Promise<RevisionInfo[]> {
    return this.instances.history(query);
  }

  startOperation(request: OperationRequest): Promise<string> {
    return this.instances.startOperation(request);
  }

  listOperations(): Promise<OperationUpdate[]> {
    return this.instances.listOperations();
  }

  cancelOperation(id: string): Promise<void> {
    return this.instances.cancelOperation(id);
  }

  onOperation(listener: (update: OperationUpdate) => void): () => void {
    return this.instances.onOperation(listener);
  }

  catalogList(): Promise<CatalogList> {
    return this.catalog.catalogList();
  }

  catalogShow(id: string): Promise<ServiceDetail> {
    return this.catalog.catalogShow(id);
  }

  openHomepage(id: string): Promise<void> {
    return this.catalog.openHomepage(id);
  }

  catalogRender(input: RenderInput): Promise<RenderedManifests> {
    return this.catalog.catalogRender(input);
  }

  previewReconfigure(input: ReconfigureInput): Promise<ReconfigureResult> {
    return this.catalog.previewReconfigure(input);
  }

  storageClasses(context: string | null): Promise<StorageClassInfo[]> {
    return this.catalog.storageClasses(context);
  }

  listNamespaces(context: string | null): Promise<string[]> {
    return this.catalog.listNamespaces(context);
  }

  getSettings(): Promise<AppSettings> {
    return this.catalog.getSettings();
  }

  setSettings(settings: AppSettings): Promise<AppSettings> {
    return this.catalog.setSettings(settings);
  }

  localClusterTools(): Promise<LocalClusterToolInfo[]> {
    return this.catalog.localClusterTools();
  }

  createLocalCluster(input: CreateLocalClusterInput, onLine: (line: string) => void): Promise<LocalClusterCreated> {
    return this.catalog.createLocalCluster(input, onLine);
  }
}
