/**
 * Transfer runs of this window, kept outside any screen: a run goes on when its wizard or banner
 * is left, the screen finds it again when it comes back, and the task tray lists it. A tiny
 * external store read with `useSyncExternalStore`.
 */
import { useSyncExternalStore } from "react";
import type { ApiError, TransferInfo } from "../ipc";
import type { ProgressModel } from "./wizard";

/** Where one run is. */
export type RunState =
  | { phase: "idle" }
  | { phase: "running"; run: string; progress: ProgressModel }
  | { phase: "cancelling"; run: string; progress: ProgressModel }
  | { phase: "succeeded"; progress: ProgressModel; result: TransferInfo }
  | { phase: "failed"; progress: ProgressModel; error: ApiError }
  | { phase: "aborted"; progress: ProgressModel; result: TransferInfo | null; error?: ApiError };

/** One run as the task tray shows it. */
export interface RunEntry {
  /** Who owns it: a wizard (`move:context/namespace/name`) or a banner row (`transfer:7`). */
  key: string;
  /** `Move pg-dev to onprem-lab`. */
  title: string;
  /** The screen that shows it. */
  href: string;
  state: RunState;
  /** Set when the user cancelled: the run's own rejection is then not a failure. */
  cancelled: boolean;
}

const IDLE: RunState = { phase: "idle" };
const entries = new Map<string, RunEntry>();
const listeners = new Set<() => void>();
let snapshot: RunEntry[] = [];

function changed() {
  snapshot = [...entries.values()].reverse();
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getRun(key: string): RunEntry | undefined {
  return entries.get(key);
}

/** Creates or changes the entry of `key`. */
export function putRun(key: string, change: Partial<RunEntry> & Pick<RunEntry, "state">): void {
  const before = entries.get(key) ?? { key, title: key, href: "/", state: IDLE, cancelled: false };
  entries.set(key, { ...before, ...change });
  changed();
}

/** Forgets the entry of `key`. */
export function dropRun(key: string): void {
  if (entries.delete(key)) changed();
}

/** The state of `key`'s run (idle when none). */
export function useRunState(key: string): RunState {
  return useSyncExternalStore(subscribe, () => entries.get(key)?.state ?? IDLE);
}

/** Every run of this window, newest first. */
export function useRuns(): RunEntry[] {
  return useSyncExternalStore(subscribe, () => snapshot);
}
