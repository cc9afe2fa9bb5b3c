import { useQuery } from "@tanstack/react-query";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type HistoryQuery, type InstanceDetails, type InstanceList, type RevisionInfo } from "../ipc";
import { historyKeys, instanceKeys, type InstanceAddress } from "./keys";

/** Every instance in every context. Refetched when the window regains focus and when an operation ends. */
export function useInstances() {
  const backend = useBackend();
  return useQuery<InstanceList, ApiError>({
    queryKey: instanceKeys.list,
    queryFn: () => backend.listInstances().catch((e: unknown) => Promise.reject(toApiError(e))),
    refetchOnWindowFocus: true,
  });
}

/** One instance with its pods, events and volumes. */
export function useInstanceDetails(a: InstanceAddress) {
  const backend = useBackend();
  return useQuery<InstanceDetails, ApiError>({
    queryKey: instanceKeys.details(a),
    queryFn: () =>
      backend
        .instanceDetails({ context: a.context, namespace: a.namespace, name: a.name })
        .catch((e: unknown) => Promise.reject(toApiError(e))),
    refetchOnWindowFocus: true,
  });
}

/** Recorded operations, newest first. */
export function useHistory(query: HistoryQuery = {}) {
  const backend = useBackend();
  return useQuery<RevisionInfo[], ApiError>({
    queryKey: historyKeys.query(query),
    queryFn: () => backend.history(query).catch((e: unknown) => Promise.reject(toApiError(e))),
    refetchOnWindowFocus: true,
  });
}
