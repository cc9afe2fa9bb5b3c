import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendProvider } from "../app/backend-context";
import type { InstanceSummary } from "../ipc";
import { MockBackend } from "../ipc/mock";
import { filterInstances, formatAge, formatTime, groupByContext, NO_INSTANCE_FILTER, sortInstances } from "./format";
import { lifecycleActions } from "./lifecycle";
import { ServicesPage } from "./ServicesPage";

function inst(fields: Partial<InstanceSummary>): InstanceSummary {
  return {
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
    endpoint: "pg.default.svc:5432",
    created: null,
    revision: 1,
    parameters: {},
    ...fields,
  };
}

describe("instance list logic", () => {
  const list = [
    inst({}),
    inst({ name: "cache", service: "redis", version: "7.4", health: "stopped", context: "prod" }),
    inst({ name: "events", service: "kafka", health: "degraded", context: "prod", namespace: "shop" }),
  ];

  it("filters by words across fields, health and context", () => {
    expect(filterInstances(list, { ...NO_INSTANCE_FILTER, text: "redis" }).map((i) => i.name)).toEqual(["cache"]);
    expect(filterInstances(list, { ...NO_INSTANCE_FILTER, text: "shop kafka" }).map((i) => i.name)).toEqual(["events"]);
    expect(filterInstances(list, { ...NO_INSTANCE_FILTER, health: "stopped" })).toHaveLength(1);
    expect(filterInstances(list, { ...NO_INSTANCE_FILTER, context: "prod" })).toHaveLength(2);
    expect(filterInstances(list, { ...NO_INSTANCE_FILTER, text: "5432" })).toHaveLength(3);
  });

  it("groups by context in kubeconfig order, unknown ones last by name", () => {
    const groups = groupByContext([...list, inst({ context: "zeta" }), inst({ context: "alpha" })], ["prod", "kind-dev"]);
    expect(groups.map(([c, items]) => [c, items.length])).toEqual([
      ["prod", 2],
      ["kind-dev", 1],
      ["alpha", 1],
      ["zeta", 1],
    ]);
  });

  it("offers start for stopped, stop and restart otherwise, nothing when unreachable", () => {
    expect(lifecycleActions(inst({ health: "stopped" }))).toEqual(["start"]);
    expect(lifecycleActions(inst({ health: "degraded" }))).toEqual(["stop", "restart"]);
    expect(lifecycleActions(inst({ health: "unreachable" }))).toEqual([]);
    // a standby is started by a promote, never by Start
    expect(lifecycleActions(inst({ health: "stopped", fenced: true, standbyOf: "prod/shop/db" }))).toEqual([]);
  });

  it("sorts by name case-insensitively, problems first, by service or newest first", () => {
    const many = [
      inst({ name: "web10", created: "2026-12-01T00:00:00Z" }),
      inst({ name: "Alpha", service: "redis", health: "stopped", created: "2026-12-03T00:00:00Z" }),
      inst({ name: "web9", service: "kafka", health: "degraded", created: "2026-12-02T00:00:00Z" }),
    ];
    const names = (sort: Parameters<typeof sortInstances>[1]) => sortInstances(many, sort).map((i) => i.name);
    expect(names("name")).toEqual(["Alpha", "web9", "web10"]);
    expect(names("health")).toEqual(["web9", "Alpha", "web10"]);
    expect(names("service")).toEqual(["web9", "web10", "Alpha"]);
    expect(names("newest")).toEqual(["Alpha", "web9", "web10"]);
  });

  it("formats ages", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(formatAge("2026-11-25T11:59:30Z", now)).toBe("just now");
    expect(formatAge("2026-11-25T11:55:00Z", now)).toBe("5 min");
    expect(formatAge("2026-11-25T09:00:00Z", now)).toBe("3 h");
    expect(formatAge("2026-11-20T12:00:00Z", now)).toBe("5 d");
    expect(formatAge(null, now)).toBe("");
  });

  it("formats times in 24-hour form", () => {
    // local 13:04, whatever the machine's time zone
    const t = new Date(2026, 10, 25, 13, 4).toISOString();
    expect(formatTime(t)).toContain("13:04");
    expect(formatTime(t)).not.toMatch(/AM|PM/i);
    expect(formatTime(null)).toBe("");
  });
});

function renderPage(backend: MockBackend) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <BackendProvider backend={backend}>
      <QueryClientProvider client={client}>
        <ServicesPage />
      </QueryClientProvider>
    </BackendProvider>,
  );
}

const row = (id: string) => document.querySelector<HTMLElement>(`li[data-instance="${id}"]`)!;

describe("ServicesPage", () => {
  it("groups instances by context and explains unreachable contexts", async () => {
    renderPage(new MockBackend({ delayScale: 0 }));
    await screen.findByRole("link", { name: "pg-dev" });
    expect(document.querySelectorAll("li[data-instance]")).toHaveLength(8);
    const minikube = document.querySelector<HTMLElement>('section[data-context="minikube"]')!;
    expect(minikube).toHaveTextContent("Connection refused");
    expect(screen.getByTestId("services-summary")).toHaveTextContent("3 contexts unreachable");
  });

  it("stops an instance in one click and shows it stopped", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    renderPage(backend);
    await screen.findByRole("link", { name: "pg-dev" });
    await userEvent.click(within(row("kind-berth-dev/default/pg-dev")).getByRole("button", { name: "Stop pg-dev" }));
    await waitFor(() => expect(row("kind-berth-dev/default/pg-dev")).toHaveAttribute("data-health", "stopped"));
    expect(within(row("kind-berth-dev/default/pg-dev")).getByRole("button", { name: "Start pg-dev" })).toBeEnabled();
    const ops = await backend.listOperations();
    expect(ops[0]).toMatchObject({ kind: "stop", state: "succeeded" });
  });

  it("shows the empty state with a link to the catalog", async () => {
    renderPage(new MockBackend({ fixture: "empty", delayScale: 0 }));
    const empty = await screen.findByRole("region", { name: "No services installed" });
    expect(within(empty).getByRole("link", { name: "Browse the catalog" })).toHaveAttribute("href", "/catalog");
  });
});
