import { describe, expect, it } from "vitest";
import { failureTitle, formatLastSeen, formatLatency } from "./format";

describe("formatLatency", () => {
  it("uses milliseconds below a second and seconds above", () => {
    expect(formatLatency(8.6)).toBe("9 ms");
    expect(formatLatency(1234)).toBe("1.2 s");
  });
});

describe("formatLastSeen", () => {
  const now = new Date("2026-11-25T12:00:00Z");

  it("says how long ago", () => {
    expect(formatLastSeen("2026-11-25T11:59:30Z", now)).toBe("just now");
    expect(formatLastSeen("2026-11-25T11:55:00Z", now)).toBe("5 minutes ago");
    expect(formatLastSeen("2026-11-22T12:00:00Z", now)).toBe("3 days ago");
  });

  it("returns null for missing or invalid timestamps", () => {
    expect(formatLastSeen(null, now)).toBeNull();
    expect(formatLastSeen("not a date", now)).toBeNull();
  });
});

describe("failureTitle", () => {
  it("names every failure kind", () => {
    expect(failureTitle("refused")).toBe("Connection refused");
    expect(failureTitle("dns")).toBe("Host not found");
    expect(failureTitle("unauthorized")).toBe("Credentials refused");
  });
});
