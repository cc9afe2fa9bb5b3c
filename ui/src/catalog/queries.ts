import { useQueries, useQuery } from "@tanstack/react-query";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type CatalogList, type ServiceDetail } from "../ipc";

/** Query keys: the catalog changes only when its folders do (Settings invalidates `catalog`). */
export const catalogKeys = {
  all: ["catalog"] as const,
  list: ["catalog", "list"] as const,
  detail: (id: string) => ["catalog", "detail", id] as const,
};

/** Every service in the catalog. */
export function useCatalogList() {
  const backend = useBackend();
  return useQuery<CatalogList, ApiError>({
    queryKey: catalogKeys.list,
    queryFn: () => backend.catalogList().catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: 5 * 60_000,
  });
}

/** One service's README, icon and schema. */
export function useServiceDetail(id: string | undefined) {
  const backend = useBackend();
  return useQuery<ServiceDetail, ApiError>({
    queryKey: catalogKeys.detail(id ?? ""),
    queryFn: () => backend.catalogShow(id!).catch((e: unknown) => Promise.reject(toApiError(e))),
    enabled: Boolean(id),
    staleTime: 5 * 60_000,
  });
}

/** The details of many services (the cards' icons), each arriving on its own. */
export function useServiceDetails(ids: readonly string[]) {
  const backend = useBackend();
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: catalogKeys.detail(id),
      queryFn: () => backend.catalogShow(id).catch((e: unknown) => Promise.reject(toApiError(e))),
      staleTime: 5 * 60_000,
    })),
  }) as { data?: ServiceDetail }[];
}
