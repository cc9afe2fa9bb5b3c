/** The Tauri side of {@link StandbyBackend} (see `src-tauri/src/standby_commands.rs`). */
import type { StandbyBackend, StandbyInfo } from "./standby";
import { call, following } from "./tauri-transfers";
import type { TransferInfo } from "./transfers";

export const tauriStandby: StandbyBackend = {
  createStandby: (run, input, onProgress) => following<TransferInfo>(run, onProgress, "create_standby", { input }),
  syncStandby: (run, name, context, onProgress) => following<TransferInfo>(run, onProgress, "sync_standby", { name, context }),
  promoteStandby: (run, name, context, force, onProgress) =>
    following<TransferInfo>(run, onProgress, "promote_standby", { name, context, force }),
  standbys: () => call<StandbyInfo[]>("standbys"),
  dropStandby: (name, context, deleteData) => call<StandbyInfo>("drop_standby", { name, context, deleteData }),
};
