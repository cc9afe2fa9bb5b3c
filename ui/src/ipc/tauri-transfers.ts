/** The Tauri side of {@link TransferBackend} (see `src-tauri/src/transfer_commands.rs`). */
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { toApiError } from "./backend";
import type { TransferRunEvent } from "./bindings/TransferRunEvent";
import type { Command } from "./commands";
import type { TransferBackend, TransferInfo, TransferProgress } from "./transfers";

/** The Tauri event every transfer progress event arrives as. */
export const TRANSFER_EVENT = "berth://transfer";

export async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

/** Calls `command` while the progress events of `run` go to `onProgress` (transfers and standbys). */
export async function following<T>(
  run: string,
  onProgress: (p: TransferProgress) => void,
  command: Command,
  args: Record<string, unknown>,
): Promise<T> {
  const unlisten = await listen<TransferRunEvent>(TRANSFER_EVENT, (event) => {
    if (event.payload.run === run) onProgress(event.payload.progress);
  });
  try {
    return await call<T>(command, { run, ...args });
  } finally {
    unlisten();
  }
}

export const tauriTransfers: TransferBackend = {
  planTransfer: (input) => call("plan_transfer", { input }),
  runTransfer: (run, input, onProgress) => following<TransferInfo>(run, onProgress, "run_transfer", { input }),
  cancelTransfer: (run) => call("cancel_transfer", { run }),
  resumeTransfer: (run, id, onProgress) => following<TransferInfo>(run, onProgress, "resume_transfer", { id }),
  abortTransfer: (run, id, onProgress) => following<TransferInfo>(run, onProgress, "abort_transfer", { id }),
  transfers: (limit) => call("transfers", { limit: limit ?? null }),
  interruptedTransfers: () => call("interrupted_transfers"),
};
