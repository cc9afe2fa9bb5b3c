import { invoke } from "@tauri-apps/api/core";
import { toApiError, type Backend } from "./backend";
import type { AppInfo } from "./bindings/AppInfo";
import type { ContextInfo } from "./bindings/ContextInfo";
import type { ContextList } from "./bindings/ContextList";
import type { ContextProbe } from "./bindings/ContextProbe";
import type { Location } from "./bindings/Location";
import type { ObserveBackend } from "./observe";
import { tauriObserve } from "./tauri-observe";

/** Calls a Berth command; a rejection is normalised to an ApiError. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
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

  reportFirstPaint(msSinceNavigation: number): Promise<void> {
    return call("report_first_paint", { ms: msSinceNavigation });
  }

  // Instance Logs, Connect and Metrics panels (tauri-observe.ts)
  streamLogs: ObserveBackend["streamLogs"] = tauriObserve.streamLogs;
  startPortForward: ObserveBackend["startPortForward"] = tauriObserve.startPortForward;
  stopPortForward: ObserveBackend["stopPortForward"] = tauriObserve.stopPortForward;
  portForwards: ObserveBackend["portForwards"] = tauriObserve.portForwards;
  revealConnectionUri: ObserveBackend["revealConnectionUri"] = tauriObserve.revealConnectionUri;
  instanceMetrics: ObserveBackend["instanceMetrics"] = tauriObserve.instanceMetrics;
}

/** True inside the Tauri webview (the injected IPC bridge is present). */
export function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
