import { describe, expect, it } from "vitest";
import { describeState, nextState, type TerminalState } from "./terminal-model";

describe("terminal state line", () => {
  it("follows a session from connecting to its exit code", () => {
    let s: TerminalState = { phase: "connecting" };
    expect(describeState(s)).toBe("Connecting…");
    s = nextState(s, { kind: "opened", pod: "pg-0", container: "postgres", command: ["psql"] });
    expect(describeState(s)).toBe("Connected to pg-0 / postgres · psql");
    expect(nextState(s, { kind: "output", data: "x" })).toBe(s);
    s = nextState(s, { kind: "exited", code: 3 });
    expect(describeState(s)).toBe("Exited with code 3");
    expect(describeState(nextState({ phase: "open", pod: "pg-1", container: null, command: ["sh"] }, { kind: "exited", code: null }))).toBe(
      "The session in pg-1 ended",
    );
    expect(describeState({ phase: "failed", error: { code: "notFound", message: "no instance x" } })).toBe("Could not open: no instance x");
  });
});
