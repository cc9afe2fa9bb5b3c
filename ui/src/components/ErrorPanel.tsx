import { Link } from "wouter";
import type { ApiError } from "../ipc";
import { errorTitle, isContextFailure } from "./failure";
import { AlertIcon } from "./icons";
import { InlineCode } from "./InlineCode";

/**
 * Shows an API error: a title chosen by its failure kind or code, the core's sentence, what to
 * do (the core's hint), and the buttons that fit: Try again, and Contexts when the context itself
 * cannot be used.
 */
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
    <div className="error-panel" role="alert" data-error-code={error.code} data-failure={error.failure ?? undefined}>
      <AlertIcon className="error-panel__icon" />
      <div>
        <h2>{errorTitle(error, fallbackTitle)}</h2>
        <p>
          <InlineCode text={error.message} />
        </p>
        {error.hint ? (
          <p className="error-panel__hint">
            <InlineCode text={error.hint} />
          </p>
        ) : null}
        <div className="error-panel__actions">
          {onRetry ? (
            <button type="button" className="button" onClick={onRetry}>
              Try again
            </button>
          ) : null}
          {isContextFailure(error) ? (
            <Link href="/contexts" className="button">
              Open Contexts
            </Link>
          ) : null}
        </div>
      </div>
    </div>
  );
}
