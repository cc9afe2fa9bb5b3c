import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import { useBackend } from "../app/backend-context";
import { useServiceDetail } from "../catalog/queries";
import { ErrorPanel } from "../components/ErrorPanel";
import { toApiError } from "../ipc";
import { useInstanceDetails } from "../services/queries";
import { instanceRef, type InstanceProps } from "./hooks";
import { describeState, nextState, type TerminalState } from "./terminal-model";
import "./panels.css";
import "./terminal.css";

/**
 * An interactive terminal in a pod of the instance: its shell, or the engine's own client logged
 * in with the instance's credentials (Open client, when the definition declares one). xterm.js
 * draws it; the session is the core's (`berth shell`), closed when the tab closes.
 */
export function TerminalPanel(props: InstanceProps) {
  const backend = useBackend();
  const details = useInstanceDetails(props);
  const service = useServiceDetail(details.data?.instance.service);
  const hasClient = service.data?.service.capabilities.client ?? false;
  const pods = (details.data?.pods ?? []).filter((p) => p.phase === "Running").map((p) => p.name);
  const [pod, setPod] = useState<string | null>(null);
  const [wantClient, setClient] = useState(false);
  // only a definition that declares a client offers it
  const client = wantClient && hasClient;
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<TerminalState>({ phase: "connecting" });
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const terminal = new Terminal({
      cursorBlink: true,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      fontSize: 13,
      scrollback: 5000,
      theme: terminalTheme(),
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();
    term.current = terminal;
    setState({ phase: "connecting" });
    const session = backend.openTerminal(
      { instance: instanceRef(props), client, pod, container: null, cols: terminal.cols, rows: terminal.rows },
      (event) => {
        if (event.kind === "output") terminal.write(event.data);
        setState((s) => nextState(s, event));
      },
    );
    session.done.catch((e: unknown) => setState({ phase: "failed", error: toApiError(e) }));
    const typed = terminal.onData((data) => void session.input(data));
    const resized = terminal.onResize(({ cols, rows }) => void session.resize(cols, rows));
    // copy and paste with Ctrl+Shift+C / Ctrl+Shift+V (Ctrl+C stays the shell's interrupt)
    terminal.attachCustomKeyEventHandler((e) => {
      if (e.type !== "keydown" || !e.ctrlKey || !e.shiftKey) return true;
      if (e.code === "KeyC") {
        void navigator.clipboard?.writeText(terminal.getSelection());
        return false;
      }
      if (e.code === "KeyV") {
        void navigator.clipboard?.readText().then((text) => session.input(text));
        return false;
      }
      return true;
    });
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(element);
    terminal.focus();
    return () => {
      observer.disconnect();
      typed.dispose();
      resized.dispose();
      void session.close();
      terminal.dispose();
      term.current = null;
    };
    // a new session for another pod, mode or attempt; props are the instance's address
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend, props.context, props.namespace, props.name, pod, client, attempt]);

  const over = state.phase === "exited" || state.phase === "failed" || state.phase === "closed";
  return (
    <section className="panel terminal-panel" aria-label="Terminal">
      <header className="panel__header terminal-panel__header">
        <h2>Terminal</h2>
        <label className="terminal-panel__field">
          Pod
          <select className="input" aria-label="Pod" value={pod ?? ""} onChange={(e) => setPod(e.target.value || null)}>
            <option value="">{hasClient && client ? "The client's pod" : "First running pod"}</option>
            {pods.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="group" aria-label="Open">
          <button type="button" aria-pressed={!client} onClick={() => setClient(false)}>
            Shell
          </button>
          {hasClient ? (
            <button type="button" aria-pressed={client} onClick={() => setClient(true)}>
              Open client
            </button>
          ) : null}
        </div>
        <button type="button" className="button button--small" onClick={() => void copySelection(term.current)}>
          Copy
        </button>
        <button type="button" className="button button--small" onClick={() => setAttempt((n) => n + 1)}>
          {over ? "Reconnect" : "Restart"}
        </button>
      </header>
      <p className={`terminal-panel__state terminal-panel__state--${state.phase}`} role="status" data-testid="terminal-state" data-phase={state.phase}>
        {describeState(state)}
      </p>
      {state.phase === "failed" ? <ErrorPanel error={state.error} fallbackTitle="The terminal could not open" onRetry={() => setAttempt((n) => n + 1)} /> : null}
      <div ref={host} className="terminal-panel__screen" data-testid="terminal-screen" hidden={state.phase === "failed"} />
      <p className="muted terminal-panel__note">Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes.</p>
    </section>
  );
}

async function copySelection(terminal: Terminal | null) {
  const text = terminal?.getSelection() ?? "";
  if (text) await navigator.clipboard?.writeText(text);
}

/** The terminal's colours from the theme's variables, light or dark. */
function terminalTheme() {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    background: v("--terminal-bg", "#0f1115"),
    foreground: v("--terminal-fg", "#e6e8eb"),
    cursor: v("--terminal-fg", "#e6e8eb"),
    selectionBackground: "#3a5f94",
  };
}
