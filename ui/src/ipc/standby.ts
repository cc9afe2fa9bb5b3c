/**
 * Standbys: an instance's copy on another context kept stopped and fenced, refreshed from the
 * active on demand and switched to with a promote. Part of {@link Backend}; create, sync and
 * promote are transfers (journaled, with the same progress events, resumed or aborted like a move).
 */
import type { StandbyInfo } from "./bindings/StandbyInfo";
import type { StandbyInput } from "./bindings/StandbyInput";
import type { StandbyState } from "./bindings/StandbyState";
import type { TransferInfo, TransferProgress } from "./transfers";

export interface StandbyBackend {
  /**
   * Provisions a standby of an instance on another context (same definition, version and
   * credentials), fills it with a consistent copy, then keeps it stopped, fenced and paired.
   * `run` is an id the caller picks (`cancelTransfer(run)` aborts it).
   */
  createStandby(run: string, input: StandbyInput, onProgress: (p: TransferProgress) => void): Promise<TransferInfo>;
  /** Refreshes the standby of `name` (its active's or its standby's name) from the active, which keeps serving. */
  syncStandby(run: string, name: string, context: string | null, onProgress: (p: TransferProgress) => void): Promise<TransferInfo>;
  /**
   * Makes the standby of `name` the active. Planned (`force` false): the active fenced, a last
   * sync, verified, then the roles swap. With `force` (only while the active's cluster does not
   * answer): the standby starts from its last sync; writes since then are lost.
   */
  promoteStandby(
    run: string,
    name: string,
    context: string | null,
    force: boolean,
    onProgress: (p: TransferProgress) => void,
  ): Promise<TransferInfo>;
  /** Every pair, with its data age. */
  standbys(): Promise<StandbyInfo[]>;
  /** Ends the pairing of `name`; with `deleteData` the standby (never the active) is uninstalled with its data. */
  dropStandby(name: string, context: string | null, deleteData: boolean): Promise<StandbyInfo>;
}

export type { StandbyInfo, StandbyInput, StandbyState };
