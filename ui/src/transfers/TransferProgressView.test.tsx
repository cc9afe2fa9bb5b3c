import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { TransferProgressView } from "./TransferProgressView";
import { applyProgress, initialProgress } from "./wizard";

function streaming(event: Parameters<typeof applyProgress>[1]) {
  const m = applyProgress(applyProgress(initialProgress(["provision", "stream", "verify"]), { type: "step", step: "stream" }), event);
  render(<TransferProgressView progress={m} label="Move steps" />);
  return screen.getByTestId("transfer-bytes");
}

describe("TransferProgressView", () => {
  it("shows the share of the expected data, the rate and the time left", () => {
    const bytes = streaming({ type: "bytes", bytes: 512 * 1024, expected: 1024 * 1024, rate: 256 * 1024, eta_secs: 2, codec: null });
    expect(bytes.textContent).toMatch(/^512(\.0)? KiB of 1(\.0)? MiB · 256(\.0)? KiB\/s · 2 s left$/);
    expect(bytes.querySelector("progress")?.value).toBe(50);
    expect(bytes.querySelector("p")?.title).toBe("");
  });

  it("says a compressed stream's bytes are of the compressor, not of the data", () => {
    const bytes = streaming({ type: "bytes", bytes: 2 * 1024 * 1024, expected: null, rate: 1024 * 1024, eta_secs: null, codec: "zstd" });
    expect(bytes.textContent).toMatch(/^2(\.0)? MiB of zstd · 1(\.0)? MiB\/s$/);
    expect(bytes.querySelector("p")?.title).toMatch(/compressed with zstd.*data itself is larger/i);
  });
});
