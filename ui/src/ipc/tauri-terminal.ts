import { Channel, invoke } from "@tauri-apps/api/core";
import { toApiError } from "./backend";
import type { Command } from "./commands";
import type { TerminalBackend, TerminalEvent, TerminalSession } from "./terminal";

async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

let nextSession = 0;

/** Terminal sessions over Tauri: output through a `Channel`, input and resizes by session id. */
export const tauriTerminal: TerminalBackend = {
  openTerminal(open, onEvent): TerminalSession {
    nextSession += 1;
    const sessionId = `term-${Date.now()}-${nextSession}`;
    const channel = new Channel<TerminalEvent>();
    channel.onmessage = onEvent;
    const done = call<number | null>("open_terminal", { sessionId, open, onEvent: channel });
    return {
      done,
      input: async (data) => {
        await call<boolean>("terminal_input", { sessionId, data });
      },
      resize: async (cols, rows) => {
        await call<boolean>("terminal_resize", { sessionId, cols, rows });
      },
      close: async () => {
        await call<boolean>("close_terminal", { sessionId });
      },
    };
  },
};
