import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { BackendProvider } from "../app/backend-context";
import { MockBackend } from "../ipc/mock";
import { MOCK_PASSWORD } from "../ipc/mock-observe";
import { ConnectPanel } from "./ConnectPanel";
import { LogsPanel } from "./LogsPanel";
import { MetricsPanel } from "./MetricsPanel";

// uPlot draws on a canvas, which jsdom lacks: a stand-in records what it was given.
const plots: { series: number; data: unknown; labels?: (string | undefined)[] }[] = [];
vi.mock("uplot", () => ({
  default: class {
    constructor(opts: { series: { label?: string }[] }, data: unknown) {
      plots.push({ series: opts.series.length, data, labels: opts.series.map((s) => s.label) });
    }
    setData(data: unknown) {
      plots.push({ series: -1, data });
    }
    setSize() {}
    destroy() {}
  },
}));
vi.mock("uplot/dist/uPlot.min.css", () => ({}));

function wrap(children: ReactNode, backend = new MockBackend({ delayScale: 0 })) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <BackendProvider backend={backend}>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </BackendProvider>,
  );
  return backend;
}

const pg = { context: "kind-berth-dev", namespace: "db", name: "pg" };

describe("ConnectPanel", () => {
  it("starts a port-forward, shows the masked URI, reveals the password only when asked, stops", async () => {
    const backend = wrap(<ConnectPanel {...pg} />);
    await userEvent.click(await screen.findByRole("button", { name: "Start port-forward" }));
    const uri = await screen.findByTestId("connect-uri");
    expect(uri).toHaveTextContent(/^postgresql:\/\/app:\*\*\*\*@127\.0\.0\.1:\d+\/app$/);
    expect(document.body.textContent).not.toContain(MOCK_PASSWORD);
    expect(screen.getByTestId("connect-address")).toHaveTextContent(/^127\.0\.0\.1:\d+$/);
    await userEvent.click(screen.getByRole("button", { name: "Reveal" }));
    await waitFor(() => expect(uri).toHaveTextContent(MOCK_PASSWORD));
    await userEvent.click(screen.getByRole("button", { name: "Hide" }));
    expect(uri).not.toHaveTextContent(MOCK_PASSWORD);
    expect(await backend.portForwards()).toHaveLength(1);
    await userEvent.click(screen.getByRole("button", { name: "Stop forwarding" }));
    await screen.findByRole("button", { name: "Start port-forward" });
    expect(await backend.portForwards()).toHaveLength(0);
  });

  it("says why when no pod is ready", async () => {
    wrap(<ConnectPanel {...pg} name="stopped" />);
    await userEvent.click(await screen.findByRole("button", { name: "Start port-forward" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("berth start stopped");
  });
});

describe("MetricsPanel", () => {
  it("samples every pod and plots CPU and memory", async () => {
    plots.length = 0;
    wrap(<MetricsPanel {...pg} intervalMs={50} />);
    const table = await screen.findByTestId("metrics-table");
    expect(table).toHaveTextContent("pg-0");
    expect(table).toHaveTextContent("pg-2");
    expect(screen.getByText("CPU (millicores)")).toBeInTheDocument();
    expect(screen.getByText("Memory (MiB)")).toBeInTheDocument();
    // two charts, x plus three pods plus the request and limit lines each; later samples update them in place
    await waitFor(() => expect(plots.filter((p) => p.series === 6)).toHaveLength(2));
    expect(plots.find((p) => p.series === 6)!.labels).toEqual([undefined, "pg-0", "pg-1", "pg-2", "request", "limit"]);
    await waitFor(() => expect(plots.some((p) => p.series === -1 && (p.data as number[][])[0]!.length >= 2)).toBe(true));
    // requests and limits per pod, memory in MiB
    await waitFor(() => expect(table).toHaveTextContent("250 m / 500 m"));
    expect(table).toHaveTextContent("256 MiB / 512 MiB");
  });

  it("shows the samples kept over a chosen range, with the live ones appended", async () => {
    plots.length = 0;
    wrap(<MetricsPanel {...pg} intervalMs={50} />);
    await screen.findByTestId("metrics-table");
    const hour = screen.getByRole("radio", { name: "1 h" });
    expect(screen.getByRole("radio", { name: "Live" })).toHaveAttribute("aria-checked", "true");
    await userEvent.click(hour);
    expect(hour).toHaveAttribute("aria-checked", "true");
    // the mock kept one sample a minute: 60 an hour per pod, then the live ones
    await waitFor(() => expect(screen.getByTestId("metrics-history-note")).toHaveTextContent(/^\d+ samples over the last 1 h$/));
    await waitFor(() => expect(plots.some((p) => (p.data as number[][])[0]!.length >= 61)).toBe(true));
    const count = () => Number(screen.getByTestId("metrics-history-note").textContent!.split(" ")[0]);
    const before = count();
    expect(before).toBeGreaterThanOrEqual(180);
    await waitFor(() => expect(count()).toBeGreaterThan(before));
  });

  it("says plainly when the cluster has no metrics API", async () => {
    wrap(<MetricsPanel {...pg} name="nometrics" />);
    expect(await screen.findByText("This cluster has no metrics API")).toBeInTheDocument();
    expect(screen.getByTestId("no-metrics")).toHaveTextContent("install metrics-server");
  });
});

describe("LogsPanel", () => {
  it("streams lines, lists pods, pauses and resumes", async () => {
    wrap(<LogsPanel {...pg} />, new MockBackend({ delayScale: 0.05 }));
    await waitFor(() => expect(screen.getByTestId("logs-status")).toHaveTextContent("Live"));
    await waitFor(() => expect(screen.getByTestId("logs-count")).toHaveTextContent(/^\d+ lines$/));
    const pods = screen.getByRole("combobox", { name: "Pod" });
    await waitFor(() => expect(pods.querySelectorAll("option")).toHaveLength(4));
    await userEvent.click(screen.getByRole("button", { name: "Pause" }));
    expect(screen.getByTestId("logs-status")).toHaveTextContent("Paused");
    const frozen = screen.getByTestId("logs-count").textContent;
    await screen.findByRole("button", { name: /Resume \(\d+ new\)/ });
    expect(screen.getByTestId("logs-count").textContent).toBe(frozen);
    await userEvent.click(screen.getByRole("button", { name: /Resume/ }));
    await waitFor(() => expect(screen.getByTestId("logs-count").textContent).not.toBe(frozen));
  });

  it("filters by pod and search", async () => {
    wrap(<LogsPanel {...pg} />);
    await screen.findByRole("option", { name: "pg-1" });
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Pod" }), "pg-1");
    expect(screen.getByTestId("logs-count")).toHaveTextContent(/^\d+ of \d+ lines$/);
    await userEvent.type(screen.getByRole("searchbox", { name: "Search the logs" }), "zzz-nothing");
    expect(screen.getByTestId("logs-count")).toHaveTextContent(/^0 of \d+ lines$/);
    expect(screen.getByText("No line matches.")).toBeInTheDocument();
  });

  it("shows the error of an unknown instance", async () => {
    wrap(<LogsPanel {...pg} name="nothere" />);
    expect(await screen.findByRole("alert")).toHaveTextContent('no instance "nothere"');
  });
});
