/** Data for the standby screens: the pairs (refreshed whenever a transfer run ends) and a drop. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type StandbyInfo } from "../ipc";
import { instanceKeys } from "../services/keys";

export const standbyKeys = {
  // under `transfers`: every create, sync or promote run refreshes it when it ends (transfers/queries.ts)
  list: ["transfers", "standbys"] as const,
};

/** Every active–standby pair, with its data age. */
export function useStandbys() {
  const backend = useBackend();
  return useQuery<StandbyInfo[], ApiError>({
    queryKey: standbyKeys.list,
    queryFn: () => backend.standbys().catch((e: unknown) => Promise.reject(toApiError(e))),
    // the data age moves on: read it again now and then while a screen shows it
    refetchInterval: 60_000,
  });
}

/** Ends a pairing; with `deleteData` the standby is uninstalled with its data (never the active). */
export function useDropStandby() {
  const backend = useBackend();
  const client = useQueryClient();
  return useMutation<StandbyInfo, ApiError, { name: string; context: string; deleteData: boolean }>({
    mutationFn: ({ name, context, deleteData }) =>
      backend.dropStandby(name, context, deleteData).catch((e: unknown) => Promise.reject(toApiError(e))),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: standbyKeys.list });
      void client.invalidateQueries({ queryKey: instanceKeys.all });
    },
  });
}
