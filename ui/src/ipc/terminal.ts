/**
 * The Terminal tab's sessions: a shell (or the engine's client) in a pod of an instance. Part of
 * {@link Backend}. The session's output arrives as events; keystrokes and resizes go to it by
 * the id the caller picked.
 */
import type { TerminalEvent } from "./bindings/TerminalEvent";
import type { TerminalOpen } from "./bindings/TerminalOpen";

/** An open terminal session. */
export interface TerminalSession {
  /** Sends keystrokes or pasted text. */
  input(data: string): Promise<void>;
  /** Tells the remote terminal its new size. */
  resize(cols: number, rows: number): Promise<void>;
  /** Ends the session (idempotent). */
  close(): Promise<void>;
  /** Settles with the exit code when the session is over (`null`: closed first); rejects with an ApiError when it could not open. */
  readonly done: Promise<number | null>;
}

export interface TerminalBackend {
  /** Opens a terminal in a pod of an instance; events arrive through `onEvent`. */
  openTerminal(open: TerminalOpen, onEvent: (event: TerminalEvent) => void): TerminalSession;
}

export type { TerminalEvent, TerminalOpen };
