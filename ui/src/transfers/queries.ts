/** Data for the transfer screens: the target's namespaces and classes, the journal, and runs. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type StorageClassInfo, type TransferInfo, type TransferProgress } from "../ipc";
import { dropRun, getRun, putRun, useRunState } from "./runs";
import { applyProgress, finishProgress, initialProgress, newRunId } from "./wizard";

export const transferKeys = {
  all: ["transfers"] as const,
  list: ["transfers", "list"] as const,
  interrupted: ["transfers", "interrupted"] as const,
};

function rejectAsApi(e: unknown): Promise<never> {
  return Promise.reject(toApiError(e));
}

/** The namespaces of the target context (none until one is picked). */
export function useTargetNamespaces(context: string) {
  const backend = useBackend();
  return useQuery<string[], ApiError>({
    queryKey: ["namespaces", context],
    queryFn: () => backend.listNamespaces(context).catch(rejectAsApi),
    enabled: context !== "",
    staleTime: 60_000,
  });
}

/** The storage classes of the target context, the default first. */
export function useTargetClasses(context: string) {
  const backend = useBackend();
  return useQuery<StorageClassInfo[], ApiError>({
    queryKey: ["storage-classes", context],
    queryFn: () => backend.storageClasses(context).catch(rejectAsApi),
    enabled: context !== "",
    staleTime: 60_000,
  });
}

/** The journal, newest first. */
export function useTransfers() {
  const backend = useBackend();
  return useQuery<TransferInfo[], ApiError>({
    queryKey: transferKeys.list,
    queryFn: () => backend.transfers(200).catch(rejectAsApi),
  });
}

/** Transfers that need a decision (interrupted or failed). */
export function useInterruptedTransfers() {
  const backend = useBackend();
  return useQuery<TransferInfo[], ApiError>({
    queryKey: transferKeys.interrupted,
    queryFn: () => backend.interruptedTransfers().catch(rejectAsApi),
  });
}

/**
 * Runs one transfer call (a new transfer, a resume or an abort) with live progress, and cancels
 * a new one (= abort). The state lives in the run store under `key` (see runs.ts), so it outlives
 * the screen and shows in the task tray. The journal queries are refreshed when it ends.
 */
export function useTransferRun(key: string, title: string, href: string) {
  const backend = useBackend();
  const client = useQueryClient();
  const state = useRunState(key);

  const start = useCallback(
    async (steps: readonly string[], call: (run: string, onProgress: (p: TransferProgress) => void) => Promise<TransferInfo>) => {
      const run = newRunId();
      let progress = initialProgress(steps);
      putRun(key, { title, href, cancelled: false, state: { phase: "running", run, progress } });
      const onProgress = (event: TransferProgress) => {
        progress = applyProgress(progress, event);
        const now = getRun(key)?.state;
        if (now && (now.phase === "running" || now.phase === "cancelling")) putRun(key, { state: { ...now, progress } });
      };
      try {
        const result = await call(run, onProgress);
        putRun(key, { state: { phase: "succeeded", progress: finishProgress(progress, true), result } });
      } catch (e) {
        // a cancelled run's own rejection: the cancel reports the outcome
        if (!getRun(key)?.cancelled) {
          putRun(key, { state: { phase: "failed", progress: finishProgress(progress, false), error: toApiError(e) } });
        }
      } finally {
        void client.invalidateQueries({ queryKey: transferKeys.all });
        void client.invalidateQueries({ queryKey: ["instances"] });
      }
    },
    [client, key, title, href],
  );

  const cancel = useCallback(async () => {
    const now = getRun(key)?.state;
    if (now?.phase !== "running") return;
    const { run, progress } = now;
    putRun(key, { cancelled: true, state: { phase: "cancelling", run, progress } });
    try {
      const result = await backend.cancelTransfer(run);
      putRun(key, { state: { phase: "aborted", progress: finishProgress(progress, false), result } });
    } catch (e) {
      putRun(key, { state: { phase: "aborted", progress: finishProgress(progress, false), result: null, error: toApiError(e) } });
    } finally {
      void client.invalidateQueries({ queryKey: transferKeys.all });
    }
  }, [backend, client, key]);

  const reset = useCallback(() => dropRun(key), [key]);
  return { state, start, cancel, reset };
}
