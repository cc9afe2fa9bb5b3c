import { describe, expect, it } from "vitest";
import { DEFAULT_WINDOW_S, timeRange } from "./time-range";

describe("the metrics chart's time axis", () => {
  const now = 1_790_000_000;

  it("shows the last 5 minutes ending now for a single sample, not years", () => {
    const [min, max] = timeRange([now - 3], now);
    expect(max).toBe(now);
    expect(max - min).toBe(DEFAULT_WINDOW_S);
    expect(min).toBeLessThan(now - 3);
  });

  it("shows an old lone sample in 5 minutes ending just after it", () => {
    const t = now - 3600;
    expect(timeRange([t], now)).toEqual([t + 5 - DEFAULT_WINDOW_S, t + 5]);
  });

  it("spans the samples once there are two, and the last 5 minutes when there are none", () => {
    expect(timeRange([now - 10, now - 5, now], now)).toEqual([now - 10, now]);
    expect(timeRange([], now)).toEqual([now - DEFAULT_WINDOW_S, now]);
    // two samples at the same second are one moment
    expect(timeRange([now, now], now)[1]! - timeRange([now, now], now)[0]!).toBe(DEFAULT_WINDOW_S);
  });
});
