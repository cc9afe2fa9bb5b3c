/**
 * The UI's only door to Berth's core. This folder is the only one that imports `@tauri-apps/*`.
 * Inside the Tauri webview the real backend is used; in a plain browser (or with
 * `?backend=mock`) an in-memory mock with realistic fixtures is loaded instead (`?fixture=empty`,
 * `broken` or `error` pick other data sets; `?transfers=interrupted` starts with an interrupted move;
 * `?fail=context:kind`, once per context, makes a context fail that way, e.g. `fail=onprem-lab:tls`).
 */
import type { Backend } from "./backend";
import { insideTauri, TauriBackend } from "./tauri";
import type { MockFixture } from "./mock";

export type { Backend, HistoryQuery } from "./backend";
export { isApiError, toApiError } from "./backend";
export type { ApiError } from "./bindings/ApiError";
export type { AppInfo } from "./bindings/AppInfo";
export type { ContextInfo } from "./bindings/ContextInfo";
export type { ContextList } from "./bindings/ContextList";
export type { ContextProbe } from "./bindings/ContextProbe";
export type { ErrorCode } from "./bindings/ErrorCode";
export type { KubeconfigProblem } from "./bindings/KubeconfigProblem";
export type { Location } from "./bindings/Location";
export type { ProbeFailure } from "./bindings/ProbeFailure";
export type { ProbeFailureKind } from "./bindings/ProbeFailureKind";
export type {
  ContainerMetrics,
  InstanceLogLine,
  InstanceMetrics,
  LogStream,
  LogsInput,
  MetricsHistory,
  MetricsHistoryInput,
  ObserveBackend,
  PodHistory,
  PodMetrics,
  PodResources,
  PortForwardInput,
  PortForwardSession,
} from "./observe";
export type {
  Check,
  CheckLevel,
  TransferBackend,
  TransferInfo,
  TransferInput,
  TransferOptions,
  TransferPlan,
  TransferProgress,
} from "./transfers";
export type { StandbyBackend, StandbyInfo, StandbyInput, StandbyState } from "./standby";
export type { RevealCredentialInput, UsageBackend, UsageInput, UsagePoint, UsageSeries, UsageTarget } from "./usage";
export type { HealthState } from "./bindings/HealthState";
export type { InstanceDetails } from "./bindings/InstanceDetails";
export type { PodInfo } from "./bindings/PodInfo";
export type { EventInfo } from "./bindings/EventInfo";
export type { VolumeInfo } from "./bindings/VolumeInfo";
export type { InstanceList } from "./bindings/InstanceList";
export type { ContextInstances } from "./bindings/ContextInstances";
export type { InstanceRef } from "./bindings/InstanceRef";
export type { InstanceSummary } from "./bindings/InstanceSummary";
export type { UnreachableContext } from "./bindings/UnreachableContext";
export type { RevisionInfo } from "./bindings/RevisionInfo";
export type { ServiceVersion } from "./bindings/ServiceVersion";
export type { ProgressEvent } from "./bindings/ProgressEvent";
export type { OperationKind } from "./bindings/OperationKind";
export type { OperationRequest } from "./bindings/OperationRequest";
export type { OperationState } from "./bindings/OperationState";
export type { OperationTarget } from "./bindings/OperationTarget";
export type { OperationUpdate } from "./bindings/OperationUpdate";

export type { AppSettings } from "./bindings/AppSettings";
export type { Theme } from "./bindings/Theme";
export type { CatalogList } from "./bindings/CatalogList";
export type { CatalogProblem } from "./bindings/CatalogProblem";
export type { ServiceCategory } from "./bindings/ServiceCategory";
export type { ServiceDetail } from "./bindings/ServiceDetail";
export type { ServiceSummary } from "./bindings/ServiceSummary";
export type { RenderInput } from "./bindings/RenderInput";
export type { RenderedManifests } from "./bindings/RenderedManifests";
export type { InstallInput } from "./bindings/InstallInput";
export type { ReconfigureInput } from "./bindings/ReconfigureInput";
export type { ReconfigureResult } from "./bindings/ReconfigureResult";
export type { ObjectChange } from "./bindings/ObjectChange";
export type { StorageClassInfo } from "./bindings/StorageClassInfo";
export type { LocalClusterTool } from "./bindings/LocalClusterTool";
export type { LocalClusterToolInfo } from "./bindings/LocalClusterToolInfo";
export type { LocalClusterCreated } from "./bindings/LocalClusterCreated";
export type { CreateLocalClusterInput } from "./bindings/CreateLocalClusterInput";
export type { JsonValue } from "./bindings/serde_json/JsonValue";

const FIXTURES: readonly MockFixture[] = ["default", "empty", "broken", "error"];

/** Picks the backend for this page: the mock is code-split so the desktop build never loads it. */
export async function selectBackend(search: string = window.location.search): Promise<Backend> {
  const params = new URLSearchParams(search);
  if (insideTauri() && params.get("backend") !== "mock") return new TauriBackend();
  const { MockBackend, parseFailures } = await import("./mock");
  const asked = params.get("fixture") as MockFixture | null;
  const delay = Number(params.get("delay") ?? "1");
  return new MockBackend({
    fixture: asked && FIXTURES.includes(asked) ? asked : "default",
    delayScale: Number.isFinite(delay) && delay >= 0 ? delay : 1,
    interruptedTransfer: params.get("transfers") === "interrupted",
    failures: parseFailures(params.getAll("fail")),
  });
}
export type { TerminalEvent, TerminalOpen, TerminalSession } from "./terminal";
export type { CredentialInfo, RotateCredentialInput, RotateCredentialResult } from "./credentials";
