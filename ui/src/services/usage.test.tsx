import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { BackendProvider } from "../app/backend-context";
import type { InstanceSummary, UsageSeries } from "../ipc";
import { MockBackend } from "../ipc/mock";
import { MockUsage, MOCK_USAGE_POINTS } from "../ipc/mock-usage";
import { MetricsSlot } from "./MetricsSlot";
import { ServicesPage } from "./ServicesPage";
import { sparklinePoints } from "./Sparkline";
import { describeSpan, formatCpu, formatMemory } from "./usage";

const pg: InstanceSummary = {
  context: "kind-dev",
  namespace: "default",
  name: "pg",
  service: "postgres",
  version: "17",
  health: "ready",
  reason: null,
  inLocalHistory: true,
  fenced: false,
  standbyOf: null,
  podsReady: 1,
  podsTotal: 1,
  endpoint: null,
  created: null,
  revision: 1,
  parameters: {},
};
const target = { context: pg.context, namespace: pg.namespace, name: pg.name };
const MiB = 1024 * 1024;

describe("sparklines", () => {
  it("scale values into the box, oldest left, highest on top", () => {
    const pts = sparklinePoints([0, 10, 5], 64, 14)
      .split(" ")
      .map((p) => p.split(",").map(Number));
    expect(pts).toEqual([
      [1, 13],
      [32, 1],
      [63, 7],
    ]);
  });

  it("draw a flat line for one value or a constant series, nothing for none", () => {
    expect(sparklinePoints([7], 64, 14)).toBe("1,7 63,7");
    expect(new Set(sparklinePoints([3, 3, 3], 64, 14).split(" ").map((p) => p.split(",")[1]))).toEqual(new Set(["7"]));
    expect(sparklinePoints([], 64, 14)).toBe("");
  });

  it("format CPU, memory and the time span", () => {
    expect([formatCpu(150), formatCpu(1250), formatCpu(12_000)]).toEqual(["150m", "1.25", "12"]);
    expect([formatMemory(64 * MiB), formatMemory(1536 * MiB), formatMemory(512 * 1024)]).toEqual(["64 MiB", "1.5 GiB", "512 KiB"]);
    const at = (m: number) => ({ atMs: m * 60_000, cpuMillicores: 1, memoryBytes: 1 });
    expect(describeSpan({ instance: target, points: [at(0)], unavailable: null })).toBe("one sample so far");
    expect(describeSpan({ instance: target, points: [at(0), at(7)], unavailable: null })).toBe("over the last 7 min");
  });
});

describe("MetricsSlot", () => {
  const series = (over: Partial<UsageSeries>): UsageSeries => ({ instance: target, points: [], unavailable: null, ...over });
  const slot = () => document.querySelector<HTMLElement>('[data-slot="metrics"]')!;

  it("draws CPU and memory with the latest values", () => {
    const points = [
      { atMs: 0, cpuMillicores: 100, memoryBytes: 60 * MiB },
      { atMs: 15_000, cpuMillicores: 150, memoryBytes: 64 * MiB },
    ];
    render(<MetricsSlot instance={pg} usage={series({ points })} />);
    expect(slot()).toHaveAttribute("data-state", "ok");
    expect(screen.getByTestId("cpu-now")).toHaveTextContent("150m");
    expect(screen.getByTestId("memory-now")).toHaveTextContent("64 MiB");
    expect(screen.getByRole("img", { name: /^CPU 150m/ })).toHaveAttribute("data-points", "2");
    expect(screen.getByRole("img", { name: /^Memory 64 MiB/ })).toBeInTheDocument();
  });

  it("shows a quiet dash with the reason when the cluster has no metrics API", () => {
    render(<MetricsSlot instance={pg} usage={series({ unavailable: "no metrics API: install metrics-server" })} />);
    expect(slot()).toHaveAttribute("data-state", "unavailable");
    expect(slot()).toHaveTextContent("—");
    expect(slot()).toHaveAttribute("title", expect.stringContaining("install metrics-server"));
    expect(document.querySelector(".error-panel, [role=alert]")).toBeNull();
  });

  it("keeps its place, empty, while loading and when stopped", () => {
    const { rerender } = render(<MetricsSlot instance={pg} />);
    expect(slot()).toHaveAttribute("data-state", "loading");
    rerender(<MetricsSlot instance={{ ...pg, health: "stopped" }} usage={series({ points: [{ atMs: 0, cpuMillicores: 1, memoryBytes: 1 }] })} />);
    expect(slot()).toHaveAttribute("data-state", "stopped");
    expect(slot()).toBeEmptyDOMElement();
  });
});

describe("usage on the Services screen", () => {
  it("asks once per context for its running instances, not once per row", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const usage = vi.spyOn(backend, "instanceUsage");
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <BackendProvider backend={backend}>
        <QueryClientProvider client={client}>
          <ServicesPage />
        </QueryClientProvider>
      </BackendProvider>,
    );
    await screen.findByRole("link", { name: "pg-dev" });
    await waitFor(() => expect(document.querySelectorAll('[data-slot="metrics"][data-state="ok"]')).toHaveLength(4));
    // three contexts answered, each asked about once (the metrics API is per cluster)
    expect(usage).toHaveBeenCalledTimes(3);
    const calls = usage.mock.calls.map(([input]) => input.instances.map((t) => `${t.context}/${t.name}`).sort());
    expect(calls.every((names) => new Set(names.map((n) => n.split("/")[0])).size === 1)).toBe(true);
    const asked = calls.flat().map((n) => n.split("/")[1]).sort();
    // six instances, one stopped (cache): five asked, the onprem-lab one has no metrics API
    expect(asked).toEqual(["events", "inventory", "orders-db", "pg-dev", "sessions"]);
    const inventory = document.querySelector<HTMLElement>('[data-slot="metrics"][data-instance="onprem-lab/lab/inventory"]')!;
    expect(inventory).toHaveAttribute("data-state", "unavailable");
    expect(document.querySelector('[data-slot="metrics"][data-instance="kind-berth-dev/default/cache"]')).toHaveAttribute("data-state", "stopped");
  });

  it("the mock adds one sample per call, as the core's history does", () => {
    let now = 1_000_000;
    const mock = new MockUsage(() => false, () => now);
    const first = mock.instanceUsage([target])[0]!;
    now += 15_000;
    const second = mock.instanceUsage([target])[0]!;
    expect(first.points).toHaveLength(MOCK_USAGE_POINTS);
    expect(second.points.slice(0, -1).map((p) => p.cpuMillicores)).toEqual(first.points.slice(1).map((p) => p.cpuMillicores));
    expect(second.points[MOCK_USAGE_POINTS - 1]!.atMs).toBe(now);
  });
});
