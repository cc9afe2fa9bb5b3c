import { describe, expect, it } from "vitest";
import type { ContextInfo } from "../ipc";
import { matches, NO_FILTER, visibleContexts } from "./filter";

function ctx(name: string, extra: Partial<ContextInfo> = {}): ContextInfo {
  return {
    name,
    cluster: name,
    server: `https://${name}.example:6443`,
    user: "admin",
    namespace: null,
    sourceFile: "/k/config",
    current: false,
    location: "private",
    locationInferred: true,
    favourite: false,
    lastSeen: null,
    serverVersion: null,
    ...extra,
  };
}

describe("visibleContexts", () => {
  it("puts favourites first, then sorts by name naturally", () => {
    const list = [ctx("node-10"), ctx("b", { favourite: true }), ctx("node-2"), ctx("a")];
    expect(visibleContexts(list, NO_FILTER).map((c) => c.name)).toEqual(["b", "a", "node-2", "node-10"]);
  });

  it("does not reorder the caller's array", () => {
    const list = [ctx("z"), ctx("a")];
    visibleContexts(list, NO_FILTER);
    expect(list.map((c) => c.name)).toEqual(["z", "a"]);
  });

  it("filters by location", () => {
    const list = [ctx("kind", { location: "laptop" }), ctx("gke", { location: "cloud" })];
    expect(visibleContexts(list, { text: "", location: "cloud" }).map((c) => c.name)).toEqual(["gke"]);
  });
});

describe("matches", () => {
  const c = ctx("kind-dev", { namespace: "shop", server: "https://127.0.0.1:6443", user: "kind-user" });

  it("finds words in any field, case-insensitively", () => {
    expect(matches(c, { text: "SHOP", location: "all" })).toBe(true);
    expect(matches(c, { text: "127.0.0.1", location: "all" })).toBe(true);
    expect(matches(c, { text: "kind-user", location: "all" })).toBe(true);
  });

  it("requires every word", () => {
    expect(matches(c, { text: "kind shop", location: "all" })).toBe(true);
    expect(matches(c, { text: "kind prod", location: "all" })).toBe(false);
  });

  it("ignores blank text", () => {
    expect(matches(c, { text: "   ", location: "all" })).toBe(true);
  });
});
