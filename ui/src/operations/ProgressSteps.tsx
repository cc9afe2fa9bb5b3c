import "./operations.css";
import { InlineCode } from "../components/InlineCode";
import { CheckIcon } from "../components/action-icons";
import { failureTitle } from "../components/failure";
import { AlertIcon } from "../components/icons";
import type { OperationUpdate } from "../ipc";
import { describeProgress, suggestedFix, type StepState } from "./progress";

function StepMark({ state }: { state: StepState }) {
  if (state === "done") return <CheckIcon className="steps__mark steps__mark--done" />;
  if (state === "failed") return <AlertIcon className="steps__mark steps__mark--failed" />;
  if (state === "active") return <span className="spinner steps__mark" aria-hidden="true" />;
  return <span className="steps__mark steps__mark--pending" aria-hidden="true" />;
}

/**
 * An operation's error: the kind of failure when its context could not be used (titled as on
 * Contexts, Services and the instance page), the core's message and what to do about it; never a
 * stack trace.
 */
export function OperationError({ update }: { update: OperationUpdate }) {
  if (!update.error) return null;
  const failure = update.error.failure ?? undefined;
  return (
    <div className="op-error" role="alert" data-error-code={update.error.code} data-failure={failure}>
      {failure ? <p className="op-error__title">{failureTitle(failure)}</p> : null}
      <p className="op-error__message">
        <InlineCode text={update.error.message} />
      </p>
      <p className="op-error__fix">
        <InlineCode text={suggestedFix(update.error)} />
      </p>
    </div>
  );
}

/**
 * Step-by-step progress of one operation: validated → applied n/m → pods ready n/m (the steps
 * depend on the kind), then the latest Kubernetes event, and the error when it failed.
 */
export function ProgressSteps({ update, compact = false }: { update: OperationUpdate; compact?: boolean }) {
  const view = describeProgress(update);
  return (
    <div className={`steps steps--${update.state}${compact ? " steps--compact" : ""}`} data-operation={update.id} data-state={update.state}>
      <ol className="steps__list" aria-label={`Progress of ${update.title}`}>
        {view.steps.map((s) => (
          <li key={s.id} className={`steps__step steps__step--${s.state}`} data-step={s.id} data-state={s.state}>
            <StepMark state={s.state} />
            <span>{s.label}</span>
          </li>
        ))}
      </ol>
      {update.state === "running" && view.latestEvent ? (
        <p className="steps__event" aria-live="polite">
          {view.latestEvent}
        </p>
      ) : null}
      <OperationError update={update} />
    </div>
  );
}
