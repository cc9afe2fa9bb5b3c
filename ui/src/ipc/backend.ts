import type { ApiError } from "./bindings/ApiError";
import type { AppInfo } from "./bindings/AppInfo";
import type { ContextInfo } from "./bindings/ContextInfo";
import type { ContextList } from "./bindings/ContextList";
import type { ContextProbe } from "./bindings/ContextProbe";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ProbeFailureKind } from "./bindings/ProbeFailureKind";
import type { InstanceDetails } from "./bindings/InstanceDetails";
import type { ContextInstances } from "./bindings/ContextInstances";
import type { InstanceRef } from "./bindings/InstanceRef";
import type { InstanceSummary } from "./bindings/InstanceSummary";
import type { Location } from "./bindings/Location";
import type { ObserveBackend } from "./observe";
import type { UsageBackend } from "./usage";
import type { TransferBackend } from "./transfers";
import type { StandbyBackend } from "./standby";
import type { TerminalBackend } from "./terminal";
import type { CredentialsBackend } from "./credentials";
import type { OperationRequest } from "./bindings/OperationRequest";
import type { OperationUpdate } from "./bindings/OperationUpdate";
import type { RevisionInfo } from "./bindings/RevisionInfo";
import type { ServiceVersion } from "./bindings/ServiceVersion";
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

/** Which part of the history to read; everything when empty. */
export interface HistoryQuery {
  name?: string | null;
  context?: string | null;
  namespace?: string | null;
  limit?: number | null;
}

/**
 * Everything the UI can ask of Berth. One implementation talks to the Rust core through Tauri
 * commands, the other is an in-memory mock for the browser and the UI tests. Every method rejects
 * with an {@link ApiError} (never a bare string), so callers branch on `code`.
 */
export interface Backend extends ObserveBackend, UsageBackend, TransferBackend, StandbyBackend, TerminalBackend, CredentialsBackend {
  /** Which implementation this is, shown in Settings. */
  readonly kind: "tauri" | "mock";
  /** Every kubeconfig context with Berth's tags. Fast: no network. */
  listContexts(): Promise<ContextList>;
  /** Probes one context's API server (short timeout) and records what it saw. */
  probeContext(name: string): Promise<ContextProbe>;
  /** Overrides the location of a context; `null` goes back to the inferred one. */
  setContextLocation(name: string, location: Location | null): Promise<ContextInfo>;
  /** Marks or unmarks a context as a favourite. */
  setContextFavourite(name: string, favourite: boolean): Promise<ContextInfo>;
  /** Version, data folder and keyring status. */
  appInfo(): Promise<AppInfo>;
  /**
   * Tells the shell the first screen is painted (used by the startup benchmark), with the
   * startup marks (ms since navigation of each step; see app/startup-marks.ts).
   */
  reportFirstPaint(msSinceNavigation: number, marks?: Record<string, number>): Promise<void>;

  // ---- instances and background operations ----
  /**
   * The instances of one context. The Services screen asks every context on its own, so one that
   * answers is shown without waiting for the others; a context that cannot be asked rejects with
   * a `cluster` error that says why.
   */
  listContextInstances(context: string): Promise<ContextInstances>;
  /** One instance's status. */
  instanceStatus(instance: InstanceRef): Promise<InstanceSummary>;
  /** One instance's status with its pods, recent events and volumes. */
  instanceDetails(instance: InstanceRef): Promise<InstanceDetails>;
  /** A service's catalog versions, each with the versions it upgrades to in place. */
  serviceVersions(service: string): Promise<ServiceVersion[]>;
  /** Recorded operations, newest first. */
  history(query?: HistoryQuery): Promise<RevisionInfo[]>;
  /** Starts a long operation in the background; resolves with its id at once. */
  startOperation(request: OperationRequest): Promise<string>;
  /** Running and recent operations, newest first. */
  listOperations(): Promise<OperationUpdate[]>;
  /**
   * Cancels a running operation: it stops at its next await point, its update turns `cancelled`
   * and says how far it got; Recover finishes or undoes the rest.
   */
  cancelOperation(id: string): Promise<void>;
  /** Calls `listener` with every operation update; returns the unsubscribe function. */
  onOperation(listener: (update: OperationUpdate) => void): () => void;

  // ---- catalog, install form, settings, local clusters ----
  /** Every service in the catalog (built-in plus extra folders). */
  catalogList(): Promise<CatalogList>;
  /** One service with its README, icon and parameter schema. */
  catalogShow(id: string): Promise<ServiceDetail>;
  /** Opens a service's upstream homepage (the catalog's address for it) in the default browser. */
  openHomepage(id: string): Promise<void>;
  /** The objects a service with these parameters renders to (credentials as placeholders). */
  catalogRender(input: RenderInput): Promise<RenderedManifests>;
  /** What a reconfigure or upgrade would change on the live instance; changes nothing. */
  previewReconfigure(input: ReconfigureInput): Promise<ReconfigureResult>;
  /** The StorageClasses of a context's cluster, the default first. */
  storageClasses(context: string | null): Promise<StorageClassInfo[]>;
  /** The namespaces of a context's cluster. */
  listNamespaces(context: string | null): Promise<string[]>;
  /** The stored preferences. */
  getSettings(): Promise<AppSettings>;
  /** Validates and stores the preferences; resolves with what is in force. */
  setSettings(settings: AppSettings): Promise<AppSettings>;
  /** Which of kind, k3d and minikube are on PATH. */
  localClusterTools(): Promise<LocalClusterToolInfo[]>;
  /** Creates a local cluster, calling `onLine` with every line the tool prints. */
  createLocalCluster(input: CreateLocalClusterInput, onLine: (line: string) => void): Promise<LocalClusterCreated>;
}

// Records keyed by the bindings' unions: a code or kind added in Rust fails to compile here
// until it is listed.
const ERROR_CODE_SET: Record<ErrorCode, true> = {
  invalidInput: true,
  notFound: true,
  kubeconfig: true,
  store: true,
  keyring: true,
  cluster: true,
  conflict: true,
  timeout: true,
  unsupported: true,
  interrupted: true,
  internal: true,
};
const ERROR_CODES = Object.keys(ERROR_CODE_SET) as readonly ErrorCode[];

const FAILURE_KIND_SET: Record<ProbeFailureKind, true> = {
  dns: true,
  refused: true,
  tls: true,
  unauthorized: true,
  forbidden: true,
  timeout: true,
  execPlugin: true,
  config: true,
  other: true,
};
/** Every way a context can fail, as the core names them (the record makes the list complete). */
export const FAILURE_KINDS = Object.keys(FAILURE_KIND_SET) as readonly ProbeFailureKind[];

/** True when `value` has the `{code, message}` shape of an API error with a known code. */
export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === "string" &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
    typeof v.message === "string"
  );
}

/** Turns anything a backend call rejected with into an {@link ApiError}. */
export function toApiError(value: unknown): ApiError {
  if (isApiError(value)) {
    const v = value as unknown as Record<string, unknown>;
    const error: ApiError = { code: value.code, message: value.message };
    if (typeof v.failure === "string" && (FAILURE_KINDS as readonly string[]).includes(v.failure)) {
      error.failure = v.failure as ProbeFailureKind;
    }
    if (typeof v.hint === "string" && v.hint) error.hint = v.hint;
    return error;
  }
  if (value instanceof Error) return { code: "internal", message: value.message };
  if (typeof value === "string") return { code: "internal", message: value };
  return { code: "internal", message: "Unexpected error from the Berth core." };
}
