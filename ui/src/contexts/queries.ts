import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type Backend, type ContextInfo, type ContextList, type ContextProbe, type Location } from "../ipc";

/** Query keys: everything under `contexts` is refreshed together. */
export const contextKeys = {
  all: ["contexts"] as const,
  list: ["contexts", "list"] as const,
  probe: (name: string) => ["contexts", "probe", name] as const,
};

/** The query of the context list: shared by the hook and the start-up prefetch in `main.tsx`. */
export function contextListQuery(backend: Backend) {
  return {
    queryKey: contextKeys.list,
    queryFn: (): Promise<ContextList> => backend.listContexts().catch((e: unknown) => Promise.reject(toApiError(e))),
  };
}

/** The kubeconfig contexts with Berth's tags (no network). */
export function useContextList() {
  const backend = useBackend();
  return useQuery<ContextList, ApiError>(contextListQuery(backend));
}

/** One probe per context, all in flight at once; each result arrives on its own. */
export function useContextProbes(names: readonly string[]) {
  const backend = useBackend();
  return useQueries({
    queries: names.map((name) => ({
      queryKey: contextKeys.probe(name),
      queryFn: () => backend.probeContext(name).catch((e: unknown) => Promise.reject(toApiError(e))),
      staleTime: 60_000,
    })),
  }) as { data?: ContextProbe; error: ApiError | null; isFetching: boolean }[];
}

/** Re-reads the kubeconfig and probes every context again. */
export function useRefreshContexts() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: contextKeys.all });
}

function replaceContext(client: ReturnType<typeof useQueryClient>, updated: ContextInfo) {
  client.setQueryData<ContextList>(contextKeys.list, (list) =>
    list ? { ...list, contexts: list.contexts.map((c) => (c.name === updated.name ? updated : c)) } : list,
  );
}

/** Stars or unstars a context; the star flips at once and flips back if the core refuses. */
export function useSetFavourite() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation<ContextInfo, ApiError, { name: string; favourite: boolean }, { before?: ContextList }>({
    mutationFn: ({ name, favourite }) =>
      backend.setContextFavourite(name, favourite).catch((e: unknown) => Promise.reject(toApiError(e))),
    onMutate: async ({ name, favourite }) => {
      await client.cancelQueries({ queryKey: contextKeys.list });
      const before = client.getQueryData<ContextList>(contextKeys.list);
      const current = before?.contexts.find((c) => c.name === name);
      if (current) replaceContext(client, { ...current, favourite });
      return { before };
    },
    onError: (error, _vars, ctx) => {
      if (ctx?.before) client.setQueryData(contextKeys.list, ctx.before);
      if (error.code === "notFound") void client.invalidateQueries({ queryKey: contextKeys.list });
    },
    onSuccess: (updated) => replaceContext(client, updated),
  });
}

/** Sets (or, with `null`, clears) the location override of a context. */
export function useSetLocation() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation<ContextInfo, ApiError, { name: string; location: Location | null }>({
    mutationFn: ({ name, location }) =>
      backend.setContextLocation(name, location).catch((e: unknown) => Promise.reject(toApiError(e))),
    onError: (error) => {
      if (error.code === "notFound") void client.invalidateQueries({ queryKey: contextKeys.list });
    },
    onSuccess: (updated) => replaceContext(client, updated),
  });
}
