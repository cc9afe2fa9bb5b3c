import { describe, expect, it } from "vitest";
import type { InstanceSummary } from "../ipc";
import { isPaletteShortcut } from "./CommandPalette";
import { buildCommands, matchCommands } from "./commands";

const pg: InstanceSummary = {
  context: "kind-dev",
  namespace: "default",
  name: "pg",
  service: "postgres",
  version: "17",
  health: "ready",
  inLocalHistory: true,
  fenced: false,
  standbyOf: null,
  reason: null,
  podsReady: 1,
  podsTotal: 1,
  endpoint: null,
  created: null,
  revision: 1,
  parameters: {},
};

describe("command palette", () => {
  const commands = buildCommands([pg, { ...pg, name: "cache", service: "redis", health: "stopped" }], [{ id: "redis", title: "Redis" }]);

  it("has screens, instances, lifecycle actions by state, and installs", () => {
    const ids = commands.map((c) => c.id);
    expect(ids).toContain("go:/services");
    expect(ids).toContain("open:kind-dev/default/pg");
    expect(ids).toContain("stop:kind-dev/default/pg");
    expect(ids).toContain("restart:kind-dev/default/pg");
    expect(ids).toContain("start:kind-dev/default/cache");
    expect(ids).not.toContain("stop:kind-dev/default/cache");
    expect(commands.find((c) => c.id === "install:redis")?.href).toBe("/catalog/redis/install");
    expect(commands.find((c) => c.id === "open:kind-dev/default/pg")?.href).toBe("/instances/kind-dev/default/pg");
  });

  it("ranks title prefixes first and needs every word", () => {
    expect(matchCommands(commands, "stop pg").map((c) => c.id)).toEqual(["stop:kind-dev/default/pg"]);
    expect(matchCommands(commands, "redis")[0]!.id).toBe("install:redis");
    expect(matchCommands(commands, "redis").map((c) => c.id)).toContain("start:kind-dev/default/cache");
    expect(matchCommands(commands, "nothing")).toEqual([]);
    expect(matchCommands(commands, "")).toHaveLength(commands.length);
  });

  it("opens on Ctrl-K and Cmd-K only", () => {
    const k = { key: "k", ctrlKey: false, metaKey: false, altKey: false, shiftKey: false };
    expect(isPaletteShortcut({ ...k, ctrlKey: true })).toBe(true);
    expect(isPaletteShortcut({ ...k, metaKey: true })).toBe(true);
    expect(isPaletteShortcut(k)).toBe(false);
    expect(isPaletteShortcut({ ...k, ctrlKey: true, shiftKey: true })).toBe(false);
  });

  it("keeps each group's matches together so a heading shows once", () => {
    const cmds = [
      { id: "a", title: "pg stop", group: "Actions" as const, keywords: "" },
      { id: "b", title: "Open pg", group: "Services" as const, keywords: "" },
      { id: "c", title: "Restart pg", group: "Actions" as const, keywords: "" },
    ];
    const groups = matchCommands(cmds, "pg").map((c) => c.group);
    expect(groups).toEqual(["Actions", "Actions", "Services"]);
  });
});
