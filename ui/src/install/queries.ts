import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useBackend } from "../app/backend-context";
import {
  toApiError,
  type ApiError,
  type AppSettings,
  type ReconfigureInput,
  type ReconfigureResult,
  type RenderInput,
  type RenderedManifests,
} from "../ipc";

/** The namespaces of a context's cluster (for the namespace picker). */
export function useNamespaces(context: string | null) {
  const backend = useBackend();
  return useQuery<string[], ApiError>({
    queryKey: ["namespaces", context],
    queryFn: () => backend.listNamespaces(context).catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: 60_000,
  });
}

/** The rendered manifests for the preview; the previous render stays while a new one comes. */
export function useRender(input: RenderInput, enabled: boolean) {
  const backend = useBackend();
  return useQuery<RenderedManifests, ApiError>({
    queryKey: ["render", input],
    queryFn: () => backend.catalogRender(input).catch((e: unknown) => Promise.reject(toApiError(e))),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** The diff of a reconfigure against what is live. */
export function useReconfigureDiff(input: ReconfigureInput, enabled: boolean) {
  const backend = useBackend();
  return useQuery<ReconfigureResult, ApiError>({
    queryKey: ["reconfigureDiff", input],
    queryFn: () => backend.previewReconfigure(input).catch((e: unknown) => Promise.reject(toApiError(e))),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** The stored preferences. */
export function useSettings() {
  const backend = useBackend();
  return useQuery<AppSettings, ApiError>({
    queryKey: ["settings"],
    queryFn: () => backend.getSettings().catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: Infinity,
  });
}

/** Saves the preferences; the catalog is re-read since its folders may have changed. */
export function useSaveSettings() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation<AppSettings, ApiError, AppSettings>({
    mutationFn: (s) => backend.setSettings(s).catch((e: unknown) => Promise.reject(toApiError(e))),
    onSuccess: (saved) => {
      client.setQueryData(["settings"], saved);
      void client.invalidateQueries({ queryKey: ["catalog"] });
    },
  });
}

/** The operation each form started last, so its progress is still there after navigating away. */
export const startedOperations = new Map<string, string>();
