import type { HealthState } from "../ipc";
import { HEALTH_LABELS } from "./format";

/** Health as a coloured dot plus a word (colour is never the only cue). */
export function HealthBadge({ health, pods }: { health: HealthState; pods?: [ready: number, total: number] }) {
  return (
    <span className={`health health--${health}`} data-health={health}>
      <span className="health__dot" aria-hidden="true" />
      {HEALTH_LABELS[health]}
      {pods && health !== "stopped" && health !== "unreachable" ? (
        <span className="health__pods">
          {pods[0]}/{pods[1]}
        </span>
      ) : null}
    </span>
  );
}
