import { CheckIcon } from "../components/action-icons";
import { AlertIcon } from "../components/icons";
import { formatBytes, formatDuration, type ProgressModel, type StepState } from "./wizard";
import "./transfers.css";

function Mark({ state }: { state: StepState }) {
  if (state === "done") return <CheckIcon className="steps__mark steps__mark--done" />;
  if (state === "failed") return <AlertIcon className="steps__mark steps__mark--failed" />;
  if (state === "active") return <span className="spinner steps__mark" aria-hidden="true" />;
  return <span className="steps__mark steps__mark--pending" aria-hidden="true" />;
}

/** A transfer's steps, and while it streams: bytes of the expected total, rate and ETA. */
export function TransferProgressView({ progress, label }: { progress: ProgressModel; label: string }) {
  const streaming = progress.steps.find((s) => s.name === "stream");
  const showBytes = progress.bytes > 0 || streaming?.state === "active";
  const percent = progress.expected ? Math.min(100, (progress.bytes / progress.expected) * 100) : null;
  return (
    <div className="transfer-progress">
      <ol className="steps__list" aria-label={label}>
        {progress.steps.map((s) => (
          <li key={s.name} className={`steps__step steps__step--${s.state}`} data-step={s.name} data-state={s.state}>
            <Mark state={s.state} />
            <span>{s.name}</span>
          </li>
        ))}
      </ol>
      {showBytes ? (
        <div className="transfer-bytes" data-testid="transfer-bytes">
          <progress max={100} value={percent ?? undefined} aria-label="Data streamed" />
          <p title={progress.codec ? `Compressed with ${progress.codec} on the way: the data itself is larger` : undefined}>
            <strong>{formatBytes(progress.bytes)}</strong>
            {progress.codec ? ` of ${progress.codec}` : ""}
            {progress.expected ? ` of ${formatBytes(progress.expected)}` : ""}
            {progress.rate ? ` · ${formatBytes(progress.rate)}/s` : ""}
            {progress.etaSecs !== null && progress.etaSecs > 0 ? ` · ${formatDuration(progress.etaSecs)} left` : ""}
          </p>
        </div>
      ) : null}
      {progress.notes.length > 0 ? (
        <ul className="transfer-notes">
          {progress.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
