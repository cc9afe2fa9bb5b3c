import { describe, expect, it } from "vitest";
import fixture from "../ipc/mock-catalog.json";
import type { CatalogList } from "../ipc";
import { categoryCounts, installedCounts, versionLabels, visibleServices } from "./filter";

const services = (fixture as unknown as { list: CatalogList }).list.services;

describe("catalog filter", () => {
  it("searches id, title, summary and category, all words", () => {
    expect(visibleServices(services, { text: "kafka", category: "all" }).map((s) => s.id)).toEqual(["kafka"]);
    expect(visibleServices(services, { text: "object storage", category: "all" }).map((s) => s.id)).toEqual(["minio"]);
    expect(visibleServices(services, { text: "nothing like this", category: "all" })).toEqual([]);
  });

  it("filters by category and sorts by title", () => {
    const caches = visibleServices(services, { text: "", category: "cache" });
    expect(caches.map((s) => s.id).sort()).toEqual(["memcached", "redis", "valkey"]);
    const titles = visibleServices(services, { text: "", category: "all" }).map((s) => s.title);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b)));
    expect(categoryCounts(services).reduce((n, c) => n + c.count, 0)).toBe(services.length);
  });

  it("puts the default version first", () => {
    const pg = services.find((s) => s.id === "postgres")!;
    expect(versionLabels(pg)).toEqual(["17", "18", "16"]);
  });
});

describe("installed counts", () => {
  it("counts instances per service", () => {
    const counts = installedCounts([{ service: "postgres" }, { service: "redis" }, { service: "postgres" }]);
    expect(counts.get("postgres")).toBe(2);
    expect(counts.get("redis")).toBe(1);
    expect(counts.get("kafka")).toBeUndefined();
  });
});
