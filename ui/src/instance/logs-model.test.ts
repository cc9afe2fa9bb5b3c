import { describe, expect, it } from "vitest";
import { mockLine } from "../ipc/mock-observe";
import { appendBounded, highlight, podsOf, severity, visibleLines } from "./logs-model";

describe("logs model", () => {
  it("keeps at most max lines, dropping the oldest", () => {
    const lines = [mockLine("pg", 0, 0), mockLine("pg", 0, 1)];
    appendBounded(lines, [mockLine("pg", 0, 2), mockLine("pg", 0, 3)], 3);
    expect(lines.map((l) => l.line.match(/#(\d+)/)?.[1])).toEqual(["1", "2", "3"]);
  });

  it("filters by pod and by a case-insensitive query", () => {
    const lines = [0, 1, 2].flatMap((p) => [0, 1, 2, 3].map((i) => mockLine("pg", p, i)));
    expect(visibleLines(lines, null, "")).toBe(lines);
    expect(visibleLines(lines, "pg-1", "").every((l) => l.pod === "pg-1")).toBe(true);
    const hits = visibleLines(lines, null, "checkpoint");
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((l) => l.line.toLowerCase().includes("checkpoint"))).toBe(true);
    expect(visibleLines(lines, null, "no such text")).toEqual([]);
  });

  it("marks every occurrence of the query", () => {
    expect(highlight("Error: an error", "error")).toEqual([
      { text: "Error", match: true },
      { text: ": an ", match: false },
      { text: "error", match: true },
    ]);
    expect(highlight("plain", "")).toEqual([{ text: "plain", match: false }]);
  });

  it("collects pods and reads severities", () => {
    const known = new Set<string>();
    expect(podsOf([mockLine("pg", 2, 0), mockLine("pg", 0, 0)], known)).toBe(true);
    expect(podsOf([mockLine("pg", 2, 1)], known)).toBe(false);
    expect([...known].sort()).toEqual(["pg-0", "pg-2"]);
    expect(severity("ERROR:  relation does not exist")).toBe("error");
    expect(severity("WARNING:  careful")).toBe("warning");
    expect(severity("LOG:  ready")).toBeNull();
  });
});
