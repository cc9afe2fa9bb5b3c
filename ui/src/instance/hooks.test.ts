import { describe, expect, it } from "vitest";
import { addSample, align, MAX_SAMPLES } from "./hooks";

const sample = (t: number, cpu: number) => ({
  kind: "samples" as const,
  pods: [
    { pod: "pg-1", timestamp: new Date(t * 1000).toISOString(), window: "30s", cpuMillicores: cpu, memoryBytes: 64 << 20, containers: [] },
    { pod: "pg-0", timestamp: new Date(t * 1000).toISOString(), window: "30s", cpuMillicores: cpu * 2, memoryBytes: 32 << 20, containers: [] },
  ],
});

describe("metrics samples", () => {
  it("adds one point per pod and new timestamp, in MiB, sorted by pod", () => {
    let s = addSample([], sample(100, 10), 0);
    s = addSample(s, sample(105, 20), 0);
    s = addSample(s, sample(105, 99), 0); // same timestamp: ignored
    expect(s.map((x) => x.pod)).toEqual(["pg-0", "pg-1"]);
    expect(s[1]).toEqual({ pod: "pg-1", times: [100, 105], cpu: [10, 20], memory: [64, 64] });
    expect(s[0]!.cpu).toEqual([20, 40]);
  });

  it("keeps a bounded history and ignores a cluster without metrics", () => {
    let s = addSample([], sample(1, 1), 0);
    for (let t = 2; t < MAX_SAMPLES + 20; t++) s = addSample(s, sample(t, t), 0);
    expect(s[0]!.times).toHaveLength(MAX_SAMPLES);
    expect(addSample(s, { kind: "noMetricsApi", message: "none" }, 0)).toBe(s);
  });

  it("aligns pods on one time axis for uPlot, with gaps", () => {
    const data = align(
      [
        { pod: "a", times: [1, 2], cpu: [5, 6], memory: [] },
        { pod: "b", times: [2, 3], cpu: [7, 8], memory: [] },
      ],
      (s) => s.cpu,
    );
    expect(data).toEqual([
      [1, 2, 3],
      [5, 6, null],
      [null, 7, 8],
    ]);
  });
});
