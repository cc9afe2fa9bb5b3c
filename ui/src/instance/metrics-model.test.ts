import { describe, expect, it } from "vitest";
import type { MetricsHistory } from "../ipc";
import type { PodSeries } from "./hooks";
import { formatMiB, formatSampleTime, formatTick, historySeries, mergeSeries, rangeSeconds, resourceLines, sampleCount } from "./metrics-model";

const MiB = 1024 * 1024;

function history(pods: MetricsHistory["pods"]): MetricsHistory {
  return { context: "kind-dev", namespace: "db", name: "pg", fromMs: 0, toMs: 3_600_000, pods, prometheus: null, notice: null };
}

const RESOURCES = { cpuRequestMillicores: 250, cpuLimitMillicores: 500, memoryRequestBytes: 256 * MiB, memoryLimitBytes: 512 * MiB };

describe("metrics model", () => {
  it("knows each range's length", () => {
    expect(["live", "15m", "1h", "24h", "7d", "30d"].map((r) => rangeSeconds(r as never))).toEqual([0, 900, 3600, 86_400, 604_800, 2_592_000]);
  });

  it("shows memory in MiB only and time in 24-hour form", () => {
    expect([formatMiB(64 * MiB), formatMiB(1536 * MiB), formatMiB(0.4 * MiB)]).toEqual(["64 MiB", "1,536 MiB", "0 MiB"]);
    // local 13:05:09, whatever the time zone of the machine
    const t = new Date(2026, 11, 5, 13, 5, 9).getTime() / 1000;
    expect(formatTick(t, 3600)).toBe("13:05");
    expect(formatTick(t, 60)).toBe("13:05:09");
    // a week's or a month's axis: the day, not the midnight every tick falls on
    expect(formatTick(t, 7 * 86_400)).toMatch(/\d/);
    expect(formatTick(t, 7 * 86_400)).not.toMatch(/:/);
    expect(formatSampleTime(t)).toContain("13:05:09");
    expect(formatSampleTime(t)).not.toMatch(/AM|PM/i);
  });

  it("turns the kept samples into series in seconds and MiB, leaving out pods without any", () => {
    const s = historySeries(
      history([
        { pod: "pg-0", points: [{ atMs: 1000_000, cpuMillicores: 10, memoryBytes: 64 * MiB }], resources: RESOURCES },
        { pod: "pg-1", points: [], resources: RESOURCES },
      ]),
    );
    expect(s).toEqual([{ pod: "pg-0", times: [1000], cpu: [10], memory: [64] }]);
  });

  it("appends the live samples after the kept ones and drops what slid out of the window", () => {
    const stored: PodSeries[] = [{ pod: "pg-0", times: [100, 200, 300], cpu: [1, 2, 3], memory: [10, 20, 30] }];
    const live: PodSeries[] = [
      { pod: "pg-0", times: [300, 305], cpu: [9, 4], memory: [90, 40] },
      { pod: "pg-1", times: [305], cpu: [5], memory: [50] },
    ];
    const merged = mergeSeries(stored, live, 150);
    expect(merged).toEqual([
      // the repeated second keeps the kept sample; 100 is before the window
      { pod: "pg-0", times: [200, 300, 305], cpu: [2, 3, 4], memory: [20, 30, 40] },
      { pod: "pg-1", times: [305], cpu: [5], memory: [50] },
    ]);
    expect(sampleCount(merged)).toBe(4);
    expect(mergeSeries(stored, [], 1000)).toEqual([]);
  });

  it("draws one request and one limit line when the pods agree, one per pod when they differ", () => {
    const same = history([
      { pod: "pg-0", points: [], resources: RESOURCES },
      { pod: "pg-1", points: [], resources: RESOURCES },
      { pod: "gone", points: [], resources: null },
    ]);
    expect(resourceLines(same, "cpu")).toEqual([
      { kind: "request", label: "request", value: 250 },
      { kind: "limit", label: "limit", value: 500 },
    ]);
    expect(resourceLines(same, "memory")).toEqual([
      { kind: "request", label: "request", value: 256 },
      { kind: "limit", label: "limit", value: 512 },
    ]);
    const differ = history([
      { pod: "pg-0", points: [], resources: { ...RESOURCES, cpuLimitMillicores: null } },
      { pod: "pg-1", points: [], resources: { ...RESOURCES, cpuRequestMillicores: 100, cpuLimitMillicores: null } },
    ]);
    expect(resourceLines(differ, "cpu")).toEqual([
      { kind: "request", label: "request pg-0", value: 250 },
      { kind: "request", label: "request pg-1", value: 100 },
    ]);
    expect(resourceLines(undefined, "cpu")).toEqual([]);
  });
});
