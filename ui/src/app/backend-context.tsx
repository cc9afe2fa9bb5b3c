import { createContext, useContext, type ReactNode } from "react";
import type { Backend } from "../ipc";

const BackendContext = createContext<Backend | null>(null);

/** Makes the selected Backend available to every query hook below. */
export function BackendProvider({ backend, children }: { backend: Backend; children: ReactNode }) {
  return <BackendContext.Provider value={backend}>{children}</BackendContext.Provider>;
}

/** The Backend chosen at startup. */
export function useBackend(): Backend {
  const backend = useContext(BackendContext);
  if (!backend) throw new Error("useBackend() outside <BackendProvider>");
  return backend;
}
