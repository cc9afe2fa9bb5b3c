import type { ApiError, ErrorCode } from "../ipc";
import { AlertIcon } from "./icons";

const TITLES: Partial<Record<ErrorCode, string>> = {
  kubeconfig: "Your kubeconfig could not be read",
  store: "Berth's local database is unavailable",
  keyring: "The system keyring is unavailable",
  cluster: "The cluster did not answer",
  notFound: "Not found",
  invalidInput: "Invalid input",
  conflict: "Conflict",
  timeout: "It did not finish in time",
  unsupported: "Not possible for this service",
  interrupted: "It stopped before it finished",
};

/** Shows an API error: a title chosen by its code, the core's message, and an optional retry. */
export function ErrorPanel({
  error,
  fallbackTitle,
  onRetry,
}: {
  error: ApiError;
  fallbackTitle: string;
  onRetry?: () => void;
}) {
  return (
    <div className="error-panel" role="alert" data-error-code={error.code}>
      <AlertIcon className="error-panel__icon" />
      <div>
        <h2>{TITLES[error.code] ?? fallbackTitle}</h2>
        <p>{error.message}</p>
        {onRetry ? (
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    </div>
  );
}
