import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { contextKeys } from "../contexts/queries";
import { MockBackend } from "../ipc/mock";
import { instanceKeys } from "../services/keys";
import { ServicesPage } from "../services/ServicesPage";
import { BackendProvider } from "./backend-context";
import { prefetchHome } from "./startup";

const client = () => new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000 } } });

describe("prefetchHome", () => {
  it("puts the context list and every context's answer in the cache before the first render", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const cache = client();
    await prefetchHome(cache, backend, true, 5_000);

    const names = (await backend.listContexts()).contexts.map((c) => c.name);
    expect(cache.getQueryData(contextKeys.list)).toBeDefined();
    const states = names.map((name) => cache.getQueryState(instanceKeys.context(name))?.status);
    // every context has answered: its instances, or why it could not be asked
    expect(states.every((s) => s === "success" || s === "error")).toBe(true);
    expect(states).toContain("success");
    expect(states).toContain("error");
  });

  it("waits at most waitMs for a slow context, whose answer lands in the cache later", async () => {
    // delay scale 4: the context list takes ~0.5 s and the slowest context several seconds
    const backend = new MockBackend({ delayScale: 4 });
    const cache = client();
    const started = Date.now();
    await prefetchHome(cache, backend, true, 50);
    expect(Date.now() - started).toBeLessThan(400);
    expect(cache.getQueryState(contextKeys.list)?.fetchStatus).toBe("fetching");
  });

  it("asks only for the context list when the app opens on another screen", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const cache = client();
    await prefetchHome(cache, backend, false);
    await cache.fetchQuery({ queryKey: contextKeys.list, queryFn: () => backend.listContexts() });
    expect(cache.getQueryCache().findAll({ queryKey: instanceKeys.lists })).toHaveLength(0);
  });

  it("the Services screen opens on the answers it found, unreachable contexts included, without asking again", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const cache = client();
    await prefetchHome(cache, backend, true, 5_000);
    const ask = vi.spyOn(backend, "listContextInstances");
    render(
      <BackendProvider backend={backend}>
        <QueryClientProvider client={cache}>
          <ServicesPage />
        </QueryClientProvider>
      </BackendProvider>,
    );
    // the first render already shows every context's answer: rows, and unreachable groups with why
    expect(document.querySelectorAll("li[data-instance]").length).toBeGreaterThan(0);
    expect(document.querySelectorAll('section[data-unreachable="true"]').length).toBeGreaterThan(0);
    expect(document.querySelectorAll('[data-pending="true"]')).toHaveLength(0);
    expect(ask).not.toHaveBeenCalled();
  });
});
