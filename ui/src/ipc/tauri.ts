import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toApiError, type Backend, type HistoryQuery } from "./backend";
import type { InstanceDetails } from "./bindings/InstanceDetails";
import type { ContextInstances } from "./bindings/ContextInstances";
import type { InstanceRef } from "./bindings/InstanceRef";
import type { ProgressEvent } from "./bindings/ProgressEvent";
import type { InstanceSummary } from "./bindings/InstanceSummary";
import type { OperationRequest } from "./bindings/OperationRequest";
import type { OperationUpdate } from "./bindings/OperationUpdate";
import type { RevisionInfo } from "./bindings/RevisionInfo";
import type { ServiceVersion } from "./bindings/ServiceVersion";
import type { AppInfo } from "./bindings/AppInfo";
import type { ContextInfo } from "./bindings/ContextInfo";
import type { ContextList } from "./bindings/ContextList";
import type { ContextProbe } from "./bindings/ContextProbe";
import type { Location } from "./bindings/Location";
import type { ObserveBackend } from "./observe";
import { tauriObserve } from "./tauri-observe";
import { tauriStandby } from "./tauri-standby";
import { tauriTerminal } from "./tauri-terminal";
import type { TerminalBackend } from "./terminal";
import type { CredentialInfo, RotateCredentialInput, RotateCredentialResult } from "./credentials";
import { tauriTransfers } from "./tauri-transfers";
import type { StandbyBackend } from "./standby";
import type { TransferBackend } from "./transfers";
import type { RevealCredentialInput, UsageInput, UsageSeries } from "./usage";
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
import type { Command } from "./commands";

/** Calls a Berth command; a rejection is normalised to an ApiError. */
async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

/** The real backend: thin Tauri commands over `berth_api::Api`. */
export class TauriBackend implements Backend {
  readonly kind = "tauri" as const;

  listContexts(): Promise<ContextList> {
    return call("list_contexts");
  }

  probeContext(name: string): Promise<ContextProbe> {
    return call("probe_context", { name });
  }

  setContextLocation(name: string, location: Location | null): Promise<ContextInfo> {
    return call("set_context_location", { name, location });
  }

  setContextFavourite(name: string, favourite: boolean): Promise<ContextInfo> {
    return call("set_context_favourite", { name, favourite });
  }

  appInfo(): Promise<AppInfo> {
    return call("app_info");
  }

  reportFirstPaint(msSinceNavigation: number, marks: Record<string, number> = {}): Promise<void> {
    return call("report_first_paint", { ms: msSinceNavigation, marks });
  }

  // Instance Logs, Connect and Metrics panels (tauri-observe.ts)
  streamLogs: ObserveBackend["streamLogs"] = tauriObserve.streamLogs;
  startPortForward: ObserveBackend["startPortForward"] = tauriObserve.startPortForward;
  stopPortForward: ObserveBackend["stopPortForward"] = tauriObserve.stopPortForward;
  portForwards: ObserveBackend["portForwards"] = tauriObserve.portForwards;
  revealConnectionUri: ObserveBackend["revealConnectionUri"] = tauriObserve.revealConnectionUri;
  instanceMetrics: ObserveBackend["instanceMetrics"] = tauriObserve.instanceMetrics;
  metricsHistory: ObserveBackend["metricsHistory"] = tauriObserve.metricsHistory;

  // Moves, copies and the transfer journal (tauri-transfers.ts)
  planTransfer: TransferBackend["planTransfer"] = tauriTransfers.planTransfer;
  runTransfer: TransferBackend["runTransfer"] = tauriTransfers.runTransfer;
  cancelTransfer: TransferBackend["cancelTransfer"] = tauriTransfers.cancelTransfer;
  resumeTransfer: TransferBackend["resumeTransfer"] = tauriTransfers.resumeTransfer;
  abortTransfer: TransferBackend["abortTransfer"] = tauriTransfers.abortTransfer;
  transfers: TransferBackend["transfers"] = tauriTransfers.transfers;
  interruptedTransfers: TransferBackend["interruptedTransfers"] = tauriTransfers.interruptedTransfers;

  // The Credentials card
  instanceCredentials(instance: InstanceRef, reveal: boolean): Promise<CredentialInfo[]> {
    return call("instance_credentials", { instance, reveal });
  }

  rotateCredential(input: RotateCredentialInput, onProgress: (event: ProgressEvent) => void): Promise<RotateCredentialResult> {
    const channel = new Channel<ProgressEvent>();
    channel.onmessage = onProgress;
    return call("rotate_credential", { input, onProgress: channel });
  }

  // The Terminal tab (tauri-terminal.ts)
  openTerminal: TerminalBackend["openTerminal"] = tauriTerminal.openTerminal;

  // Standbys (tauri-standby.ts)
  createStandby: StandbyBackend["createStandby"] = tauriStandby.createStandby;
  syncStandby: StandbyBackend["syncStandby"] = tauriStandby.syncStandby;
  promoteStandby: StandbyBackend["promoteStandby"] = tauriStandby.promoteStandby;
  standbys: StandbyBackend["standbys"] = tauriStandby.standbys;
  dropStandby: StandbyBackend["dropStandby"] = tauriStandby.dropStandby;

  // Services sparklines and the users list's Reveal (usage.ts)
  instanceUsage(input: UsageInput): Promise<UsageSeries[]> {
    return call("instance_usage", { input });
  }

  revealCredential(input: RevealCredentialInput): Promise<string> {
    return call("reveal_credential", { input });
  }

  listContextInstances(context: string): Promise<ContextInstances> {
    return call("list_context_instances", { context, namespace: null });
  }

  instanceStatus(instance: InstanceRef): Promise<InstanceSummary> {
    return call("instance_status", { instance });
  }

  instanceDetails(instance: InstanceRef): Promise<InstanceDetails> {
    return call("instance_details", { instance });
  }

  serviceVersions(service: string): Promise<ServiceVersion[]> {
    return call("service_versions", { service });
  }

  history(query: HistoryQuery = {}): Promise<RevisionInfo[]> {
    return call("history", {
      name: query.name ?? null,
      context: query.context ?? null,
      namespace: query.namespace ?? null,
      limit: query.limit ?? null,
    });
  }

  startOperation(request: OperationRequest): Promise<string> {
    return call("start_operation", { request });
  }

  listOperations(): Promise<OperationUpdate[]> {
    return call("list_operations");
  }

  cancelOperation(id: string): Promise<void> {
    return call("cancel_operation", { id });
  }

  onOperation(listener: (update: OperationUpdate) => void): () => void {
    // `listen` resolves asynchronously; an unsubscribe before that still takes effect.
    let stopped = false;
    let unlisten: (() => void) | null = null;
    void listen<OperationUpdate>(OPERATION_EVENT, (event) => {
      if (!stopped) listener(event.payload);
    }).then((fn) => {
      if (stopped) fn();
      else unlisten = fn;
    });
    return () => {
      stopped = true;
      unlisten?.();
    };
  }

  catalogList(): Promise<CatalogList> {
    return call("catalog_list");
  }

  catalogShow(id: string): Promise<ServiceDetail> {
    return call("catalog_show", { id });
  }

  openHomepage(id: string): Promise<void> {
    return call("open_homepage", { id });
  }

  catalogRender(input: RenderInput): Promise<RenderedManifests> {
    return call("catalog_render", { input });
  }

  previewReconfigure(input: ReconfigureInput): Promise<ReconfigureResult> {
    return call("preview_reconfigure", { input });
  }

  storageClasses(context: string | null): Promise<StorageClassInfo[]> {
    return call("storage_classes", { context });
  }

  listNamespaces(context: string | null): Promise<string[]> {
    return call("list_namespaces", { context });
  }

  getSettings(): Promise<AppSettings> {
    return call("get_settings");
  }

  setSettings(settings: AppSettings): Promise<AppSettings> {
    return call("set_settings", { settings });
  }

  localClusterTools(): Promise<LocalClusterToolInfo[]> {
    return call("local_cluster_tools");
  }

  createLocalCluster(input: CreateLocalClusterInput, onLine: (line: string) => void): Promise<LocalClusterCreated> {
    const output = new Channel<string>();
    output.onmessage = onLine;
    return call("create_local_cluster", { input, output });
  }
}

/** The Tauri event every operation update arrives as (see `src-tauri/src/operations.rs`). */
export const OPERATION_EVENT = "berth://operation";

/** True inside the Tauri webview (the injected IPC bridge is present). */
export function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
