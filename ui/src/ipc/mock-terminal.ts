import type { ApiError } from "./bindings/ApiError";
import type { TerminalBackend, TerminalEvent, TerminalOpen, TerminalSession } from "./terminal";

const PROMPT = "$ ";

/**
 * A line-editing fake shell for the browser and the UI tests: it echoes what is typed, answers
 * `echo …`, `whoami`, `stty size` (the size the terminal last sent) and `exit [code]`; with
 * `client` it plays the engine's client (`psql`-like prompt). Unknown instances reject as the core
 * does; a stopped one is refused like `berth shell` refuses it.
 */
export class MockTerminals implements TerminalBackend {
  constructor(private readonly exists: (open: TerminalOpen) => "running" | "stopped" | "missing") {}

  openTerminal(open: TerminalOpen, onEvent: (event: TerminalEvent) => void): TerminalSession {
    let finish: (code: number | null) => void = () => {};
    let fail: (e: ApiError) => void = () => {};
    const done = new Promise<number | null>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    let line = "";
    let size = { cols: open.cols, rows: open.rows };
    let over = false;
    const prompt = open.client ? "app=# " : PROMPT;
    const out = (data: string) => onEvent({ kind: "output", data });
    const end = (code: number | null) => {
      if (over) return;
      over = true;
      if (code !== null) onEvent({ kind: "exited", code });
      finish(code);
    };
    const state = this.exists(open);
    setTimeout(() => {
      if (state === "missing") {
        over = true;
        fail({ code: "notFound", message: `no instance ${open.instance.name} in ${open.instance.context ?? "kind-berth-dev"}` });
        return;
      }
      if (state === "stopped") {
        over = true;
        fail({ code: "unsupported", message: `${open.instance.name} is stopped: no pod runs to open a terminal in; start it first` });
        return;
      }
      const pod = open.pod ?? `${open.instance.name}-0`;
      onEvent({ kind: "opened", pod, container: open.container, command: open.client ? ["psql"] : ["sh"] });
      out(open.client ? `psql (17.6)\r\nType "help" for help.\r\n\r\n${prompt}` : prompt);
    }, 30);
    const run = (command: string) => {
      const [word, ...rest] = command.trim().split(/\s+/);
      if (word === "exit" || word === "\\q") return end(Number(rest[0] ?? 0));
      if (word === "echo") out(`${rest.join(" ")}\r\n`);
      else if (word === "whoami") out("root\r\n");
      else if (word === "stty" && rest[0] === "size") out(`${size.rows} ${size.cols}\r\n`);
      else if (word) out(`sh: ${word}: not found\r\n`);
      out(prompt);
    };
    return {
      done,
      input: async (data) => {
        if (over) return;
        for (const ch of data) {
          if (ch === "\r" || ch === "\n") {
            out("\r\n");
            const command = line;
            line = "";
            run(command);
            if (over) return;
          } else if (ch === "\u007f") {
            if (line) {
              line = line.slice(0, -1);
              out("\b \b");
            }
          } else {
            line += ch;
            out(ch);
          }
        }
      },
      resize: async (cols, rows) => {
        size = { cols, rows };
      },
      close: async () => end(null),
    };
  }
}
