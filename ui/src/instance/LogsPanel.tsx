import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";
import { ErrorPanel } from "../components/ErrorPanel";
import { SearchIcon } from "../components/icons";
import { useLogStream, type InstanceProps } from "./hooks";
import { highlight, severity, visibleLines } from "./logs-model";
import "./panels.css";

const ROW_HEIGHT = 20;

function time(ts: string | null): string {
  if (!ts) return "";
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(11, 23);
}

/**
 * Live logs of every pod of an instance: pod filter, search with highlight, pause and follow.
 * Rows are virtualised (@tanstack/react-virtual), so 100k lines scroll smoothly.
 */
export function LogsPanel(props: InstanceProps) {
  const stream = useLogStream(props);
  const [pod, setPod] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [follow, setFollow] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);
  const { version, lines } = stream;
  const shown = useMemo(() => visibleLines(lines, pod, query), [lines, pod, query, version]);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 30,
    initialRect: { width: 800, height: 420 },
  });

  useEffect(() => {
    if (follow && shown.length > 0) virtualizer.scrollToIndex(shown.length - 1, { align: "end" });
  }, [follow, shown.length, virtualizer]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    if (!atBottom && follow) setFollow(false);
  };

  return (
    <section className="panel" aria-label="Logs">
      <header className="panel__header">
        <h2>Logs</h2>
        <span className={`stream-status stream-status--${stream.status}`} data-testid="logs-status">
          {stream.status === "live" ? (stream.paused ? "Paused" : "Live") : stream.status === "connecting" ? "Connecting…" : stream.status === "ended" ? "Ended" : "Failed"}
        </span>
      </header>
      <div className="toolbar">
        <label className="search">
          <SearchIcon aria-hidden="true" />
          <input
            type="search"
            placeholder="Search the logs"
            aria-label="Search the logs"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </label>
        <label className="toolbar__filter">
          Pod
          <select className="select" aria-label="Pod" value={pod ?? ""} onChange={(e) => setPod(e.target.value || null)}>
            <option value="">All pods</option>
            {stream.pods.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button" aria-pressed={stream.paused} onClick={() => stream.setPaused(!stream.paused)}>
          {stream.paused ? `Resume${stream.pendingCount > 0 ? ` (${stream.pendingCount} new)` : ""}` : "Pause"}
        </button>
        <button
          type="button"
          className={`button${follow ? " button--primary" : ""}`}
          aria-pressed={follow}
          onClick={() => setFollow(!follow)}
        >
          Follow
        </button>
        <button type="button" className="button" onClick={stream.clear}>
          Clear
        </button>
      </div>
      {stream.error ? (
        <ErrorPanel error={stream.error} fallbackTitle="The logs could not be read" onRetry={stream.reconnect} />
      ) : (
        <>
          <div className="log-view" ref={scroller} onScroll={onScroll} data-testid="log-view" role="log" aria-live="off">
            <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
              {virtualizer.getVirtualItems().map((row) => {
                const l = shown[row.index];
                if (!l) return null;
                const sev = severity(l.line);
                return (
                  <div
                    key={row.key}
                    className={`log-line${sev ? ` log-line--${sev}` : ""}`}
                    data-testid="log-line"
                    style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                  >
                    <span className="log-line__time">{time(l.timestamp)}</span>
                    <span className="log-line__prefix">{l.prefix}</span>
                    <span className="log-line__text">
                      {highlight(l.line, query).map((part, i) =>
                        part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
                      )}
                    </span>
                  </div>
                );
              })}
            </div>
            {shown.length === 0 ? (
              <p className="log-view__empty">
                {stream.status === "connecting" ? "Waiting for log lines…" : query || pod ? "No line matches." : "No log lines yet."}
              </p>
            ) : null}
          </div>
          <p className="panel__footer" data-testid="logs-count">
            {shown.length === lines.length
              ? `${lines.length.toLocaleString("en")} lines`
              : `${shown.length.toLocaleString("en")} of ${lines.length.toLocaleString("en")} lines`}
          </p>
        </>
      )}
    </section>
  );
}
