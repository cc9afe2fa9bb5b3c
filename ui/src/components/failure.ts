import type { ApiError, ErrorCode, ProbeFailureKind } from "../ipc";

/**
 * One title per way a context can fail, the same on Contexts, Services, the instance page and the
 * task tray: the core sorts every failure into these kinds (its probe and its requests alike).
 */
const FAILURE_TITLES: Record<ProbeFailureKind, string> = {
  dns: "Host not found",
  refused: "Connection refused",
  tls: "Certificate not trusted",
  unauthorized: "Credentials refused",
  forbidden: "Access denied",
  timeout: "No answer in time",
  execPlugin: "Credential plugin failed",
  config: "Context misconfigured",
  other: "Unreachable",
};

const CODE_TITLES: Partial<Record<ErrorCode, string>> = {
  kubeconfig: "Your kubeconfig could not be read",
  store: "Berth's local database is unavailable",
  keyring: "The system keyring is unavailable",
  cluster: "The cluster refused the request",
  notFound: "Not found",
  invalidInput: "Invalid input",
  conflict: "Conflict",
  timeout: "It did not finish in time",
  unsupported: "Not possible for this service",
  interrupted: "It stopped before it finished",
};

/** A short title for why a context cannot be used. */
export function failureTitle(kind: ProbeFailureKind): string {
  return FAILURE_TITLES[kind];
}

/** The title of an error: its failure kind when a context could not be used, else its code's. */
export function errorTitle(error: ApiError, fallback: string): string {
  if (error.failure) return failureTitle(error.failure);
  return CODE_TITLES[error.code] ?? fallback;
}

/** Whether the error is about the context itself, so the Contexts page is where to look. */
export function isContextFailure(error: ApiError): boolean {
  return error.failure !== undefined && error.failure !== null;
}
