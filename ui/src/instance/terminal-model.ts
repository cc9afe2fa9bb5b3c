import type { ApiError, TerminalEvent } from "../ipc";

/** Where a terminal session is, for its state line. */
export type TerminalState =
  | { phase: "connecting" }
  | { phase: "open"; pod: string; container: string | null; command: string[] }
  | { phase: "exited"; pod: string; code: number | null }
  | { phase: "failed"; error: ApiError }
  | { phase: "closed" };

/** The next state after an event of the session. */
export function nextState(state: TerminalState, event: TerminalEvent): TerminalState {
  switch (event.kind) {
    case "opened":
      return { phase: "open", pod: event.pod, container: event.container, command: event.command };
    case "exited":
      return { phase: "exited", pod: state.phase === "open" ? state.pod : "", code: event.code };
    case "output":
      return state;
  }
}

/** The state line: what the terminal is connected to, or how it ended. */
export function describeState(state: TerminalState): string {
  switch (state.phase) {
    case "connecting":
      return "Connecting…";
    case "open":
      return `Connected to ${state.pod}${state.container ? ` / ${state.container}` : ""} · ${state.command.join(" ")}`;
    case "exited":
      return state.code === null ? `The session in ${state.pod} ended` : `Exited with code ${state.code}`;
    case "failed":
      return `Could not open: ${state.error.message}`;
    case "closed":
      return "Closed";
  }
}
