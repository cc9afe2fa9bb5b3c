import { describe, expect, it } from "vitest";
import { configurationFacts, groupEvents } from "./overview-model";

const event = (severity: string, reason: string, lastSeen: string, count = 1, object = "Pod/pg-0") => ({
  severity,
  reason,
  message: `${reason} happened`,
  object,
  count,
  lastSeen,
});

describe("groupEvents", () => {
  it("folds repeats with their counts, puts Warnings first and the newest first", () => {
    const groups = groupEvents([
      event("Normal", "Pulled", "2026-12-05T10:00:00Z"),
      event("Warning", "BackOff", "2026-12-05T09:00:00Z", 3),
      event("Normal", "Started", "2026-12-05T11:00:00Z"),
      event("Warning", "BackOff", "2026-12-05T09:30:00Z", 2),
      event("Warning", "Unhealthy", "2026-12-05T08:00:00Z"),
      event("Normal", "Pulled", "2026-12-05T10:00:00Z", 1, "Pod/pg-1"),
    ]);
    expect(groups.map((g) => `${g.reason} ${g.object} ×${g.count}`)).toEqual([
      "BackOff Pod/pg-0 ×5",
      "Unhealthy Pod/pg-0 ×1",
      "Started Pod/pg-0 ×1",
      "Pulled Pod/pg-0 ×1",
      "Pulled Pod/pg-1 ×1",
    ]);
    expect(groups[0]!.lastSeen).toBe("2026-12-05T09:30:00Z");
  });
});

describe("configurationFacts", () => {
  it("reads the common knobs, nested or flat, and words the exposure", () => {
    const facts = configurationFacts(
      { replicas: 3, resources: { cpu: "500m", memory: "1Gi" }, storage: { size: "8Gi", className: "" }, expose: "loadBalancer" },
      "17",
    );
    expect(facts).toEqual([
      { label: "Version", value: "17" },
      { label: "Replicas", value: "3" },
      { label: "CPU", value: "500m" },
      { label: "Memory", value: "1Gi" },
      { label: "Storage", value: "8Gi" },
      { label: "Exposure", value: "through a load balancer" },
    ]);
    expect(configurationFacts({ replicas: 1, cpu: "250m", storage: "2Gi" }, "7.4").map((f) => f.label)).toEqual([
      "Version",
      "Replicas",
      "CPU",
      "Storage",
    ]);
  });
});
