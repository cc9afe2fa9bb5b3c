import type { ApiError, ContextInfo, ContextProbe } from "../ipc";
import { InlineCode } from "../components/InlineCode";
import { failureTitle, formatLastSeen, formatLatency } from "./format";

export interface ProbeState {
  data?: ContextProbe;
  error: ApiError | null;
  isFetching: boolean;
}

/** Live reachability of one context: checking, reachable (version, latency) or why not. */
export function Reachability({ info, probe }: { info: ContextInfo; probe: ProbeState }) {
  if (probe.isFetching || (!probe.data && !probe.error)) {
    return (
      <div className="reach reach--checking" data-state="checking" role="status">
        <span className="spinner" aria-hidden="true" />
        <span>Checking…</span>
      </div>
    );
  }
  if (probe.error) {
    return (
      <div className="reach reach--down" data-state="error">
        <span className="reach__title">
          <span className="dot dot--down" aria-hidden="true" />
          Could not check
        </span>
        <span className="reach__detail">{probe.error.message}</span>
      </div>
    );
  }
  const result = probe.data!;
  if (result.reachable) {
    return (
      <div className="reach reach--up" data-state="reachable">
        <span className="reach__title">
          <span className="dot dot--up" aria-hidden="true" />
          Reachable
        </span>
        <span className="reach__detail">
          {result.serverVersion ? <span className="mono">{result.serverVersion}</span> : "unknown version"}
          {" · "}
          {formatLatency(result.latencyMs)}
        </span>
      </div>
    );
  }
  const failure = result.failure;
  const lastSeen = formatLastSeen(result.lastSeen ?? info.lastSeen);
  return (
    <div className="reach reach--down" data-state="unreachable" data-failure={failure?.kind ?? "other"}>
      <span className="reach__title">
        <span className="dot dot--down" aria-hidden="true" />
        {failure ? failureTitle(failure.kind) : "Unreachable"}
      </span>
      {failure ? (
        <span className="reach__detail">
          <InlineCode text={failure.message} />
        </span>
      ) : null}
      {failure?.hint ? (
        <span className="reach__hint">
          <InlineCode text={failure.hint} />
        </span>
      ) : null}
      {lastSeen ? (
        <span className="reach__seen">
          Last seen {lastSeen}
          {info.serverVersion ? ` (${info.serverVersion})` : ""}
        </span>
      ) : null}
    </div>
  );
}
