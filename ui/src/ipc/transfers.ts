/**
 * Moves and copies between contexts (the transfer journal, resume and abort). Part of
 * {@link Backend}; kept in its own file so this IPC surface is in one place.
 */
import type { Check } from "./bindings/Check";
import type { CheckLevel } from "./bindings/CheckLevel";
import type { TransferInfo } from "./bindings/TransferInfo";
import type { TransferInput } from "./bindings/TransferInput";
import type { TransferOptions } from "./bindings/TransferOptions";
import type { TransferPlan } from "./bindings/TransferPlan";
import type { TransferProgress } from "./bindings/TransferProgress";

export interface TransferBackend {
  /** Checks a move or copy on both clusters without changing anything. */
  planTransfer(input: TransferInput): Promise<TransferPlan>;
  /**
   * Runs a move or copy to its end (its plan first), calling `onProgress` with every step, byte
   * count and note. `run` is an id the caller picks, so it can cancel this run.
   */
  runTransfer(run: string, input: TransferInput, onProgress: (p: TransferProgress) => void): Promise<TransferInfo>;
  /**
   * Stops run `run` and aborts what it did (the half-made target removed, the source's fence
   * lifted); `null` when it was stopped before it began, with nothing changed. The run itself
   * then rejects with a `conflict` error.
   */
  cancelTransfer(run: string): Promise<TransferInfo | null>;
  /** Continues an interrupted or failed transfer from its last finished step. */
  resumeTransfer(run: string, id: number, onProgress: (p: TransferProgress) => void): Promise<TransferInfo>;
  /** Undoes an interrupted or failed transfer: the half-made target removed, the fence lifted. */
  abortTransfer(run: string, id: number, onProgress: (p: TransferProgress) => void): Promise<TransferInfo>;
  /** The journal, newest first. */
  transfers(limit?: number): Promise<TransferInfo[]>;
  /** Transfers that were interrupted (their process gone) or failed: they need a decision. */
  interruptedTransfers(): Promise<TransferInfo[]>;
}

export type { Check, CheckLevel, TransferInfo, TransferInput, TransferOptions, TransferPlan, TransferProgress };
