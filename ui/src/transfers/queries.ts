/** Data for the transfer screens: the target's namespaces and classes, the journal, and runs. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type StorageClassInfo, type TransferInfo, type TransferProgress } from "../ipc";
import { applyProgress, finishProgress, initialProgress, newRunId, type ProgressModel } from "./wizard";

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

/** Where one run is. */
export type RunState =
  | { phase: "idle" }
  | { phase: "running"; run: string; progress: ProgressModel }
  | { phase: "cancelling"; run: string; progress: ProgressModel }
  | { phase: "succeeded"; progress: ProgressModel; result: TransferInfo }
  | { phase: "failed"; progress: ProgressModel; error: ApiError }
  | { phase: "aborted"; progress: ProgressModel; result: TransferInfo | null; error?: ApiError };

/**
 * Runs one transfer call (a new transfer, a resume or an abort) with live progress, and cancels
 * a new one (= abort). The journal queries are refreshed when it ends.
 */
export function useTransferRun() {
  const backend = useBackend();
  const client = useQueryClient();
  const [state, setState] = useState<RunState>({ phase: "idle" });
  const cancelled = useRef(false);

  const start = useCallback(
    async (steps: readonly string[], call: (run: string, onProgress: (p: TransferProgress) => void) => Promise<TransferInfo>) => {
      const run = newRunId();
      cancelled.current = false;
      let progress = initialProgress(steps);
      setState({ phase: "running", run, progress });
      const onProgress = (event: TransferProgress) => {
        progress = applyProgress(progress, event);
        setState((s) => (s.phase === "running" || s.phase === "cancelling" ? { ...s, progress } : s));
      };
      try {
        const result = await call(run, onProgress);
        setState({ phase: "succeeded", progress: finishProgress(progress, true), result });
      } catch (e) {
        const error = toApiError(e);
        // a cancelled run's own rejection: the cancel reports the outcome
        if (!cancelled.current) setState({ phase: "failed", progress: finishProgress(progress, false), error });
      } finally {
        void client.invalidateQueries({ queryKey: transferKeys.all });
        void client.invalidateQueries({ queryKey: ["instances"] });
      }
    },
    [client],
  );

  const cancel = useCallback(async () => {
    if (state.phase !== "running") return;
    cancelled.current = true;
    const { run, progress } = state;
    setState({ phase: "cancelling", run, progress });
    try {
      const result = await backend.cancelTransfer(run);
      setState({ phase: "aborted", progress: finishProgress(progress, false), result });
    } catch (e) {
      setState({ phase: "aborted", progress: finishProgress(progress, false), result: null, error: toApiError(e) });
    } finally {
      void client.invalidateQueries({ queryKey: transferKeys.all });
    }
  }, [backend, client, state]);

  const reset = useCallback(() => setState({ phase: "idle" }), []);
  return { state, start, cancel, reset };
}
