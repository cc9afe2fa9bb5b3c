import { describe, expect, it } from "vitest";
import { formatChange, summarizeChanges } from "./changes";
import type { RevisionInfo } from "../ipc";
import { canRollBackTo } from "../instance/HistoryTab";
import { diffParameters } from "./diff";
import { filterHistory, NO_HISTORY_FILTER } from "./filter";

function rev(fields: Partial<RevisionInfo>): RevisionInfo {
  return {
    changes: [],
    context: "kind-dev",
    namespace: "default",
    name: "pg",
    revision: 1,
    service: "postgres",
    version: "17",
    operation: "install",
    status: "succeeded",
    interrupted: false,
    osUser: "ada",
    startedAt: "2026-11-25T10:00:00Z",
    finishedAt: "2026-11-25T10:01:00Z",
    error: null,
    parameters: {},
    ...fields,
  };
}

describe("history", () => {
  const list = [
    rev({ revision: 3, operation: "restart", status: "failed", interrupted: true, error: "the Berth process ended" }),
    rev({ revision: 2, operation: "reconfigure", status: "failed", error: "timed out" }),
    rev({ revision: 1, status: "superseded" }),
    rev({ name: "cache", context: "prod", operation: "stop" }),
  ];

  it("tells interrupted failures (the core's flag, not the error text) from other failures", () => {
    expect(filterHistory(list, { ...NO_HISTORY_FILTER, outcome: "interrupted" }).map((r) => r.revision)).toEqual([3]);
    expect(filterHistory(list, { ...NO_HISTORY_FILTER, outcome: "failed" }).map((r) => r.revision)).toEqual([2]);
  });

  it("filters by instance, context, operation and text", () => {
    expect(filterHistory(list, { ...NO_HISTORY_FILTER, instance: "prod/default/cache" })).toHaveLength(1);
    expect(filterHistory(list, { ...NO_HISTORY_FILTER, context: "kind-dev" })).toHaveLength(3);
    expect(filterHistory(list, { ...NO_HISTORY_FILTER, operation: "reconfigure" })).toHaveLength(1);
    expect(filterHistory(list, { ...NO_HISTORY_FILTER, text: "timed" })).toHaveLength(1);
  });

  it("diffs nested parameters by path", () => {
    expect(diffParameters({ a: 1, b: { c: "x", d: true } }, { a: 1, b: { c: "y" }, e: [1] })).toEqual([
      { path: "b.c", before: '"x"', after: '"y"' },
      { path: "b.d", before: "true", after: null },
      { path: "e", before: null, after: "[1]" },
    ]);
  });

  it("offers rollback only to applied revisions other than the current one", () => {
    expect(canRollBackTo(rev({ revision: 1, status: "superseded" }), 2)).toBe(true);
    expect(canRollBackTo(rev({ revision: 2 }), 2)).toBe(false);
    expect(canRollBackTo(rev({ revision: 1, status: "failed" }), 2)).toBe(false);
  });
});

describe("a revision's changes in its row", () => {
  it("shows two, counts the rest, and keeps all for the tooltip", () => {
    const changes = [
      { path: "resources.memory", old: "1Gi", new: "2Gi" },
      { path: "replicas", old: 1, new: 3 },
      { path: "auth.users", old: null, new: ["app"] },
    ];
    const s = summarizeChanges(changes);
    expect(s.shown).toEqual(["resources.memory: 1Gi → 2Gi", "replicas: 1 → 3"]);
    expect(s.more).toBe(1);
    expect(s.all.split("\n")[2]).toBe('auth.users: ["app"] (added)');
    expect(formatChange({ path: "expose", old: "LoadBalancer", new: null })).toBe("expose: LoadBalancer (removed)");
  });
});
