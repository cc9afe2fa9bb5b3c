import { describe, expect, it } from "vitest";
import { isApiError, toApiError } from "./backend";
import { selectBackend } from "./index";
import { MockBackend } from "./mock";

describe("toApiError", () => {
  it("keeps a well-formed API error", () => {
    expect(toApiError({ code: "notFound", message: "gone", extra: 1 })).toEqual({ code: "notFound", message: "gone" });
  });

  it("keeps a context failure's kind and hint, and every code the core sends", () => {
    const error = { code: "cluster", message: "lab: nothing answers", failure: "refused", hint: "Is it running?" };
    expect(toApiError(error)).toEqual(error);
    expect(toApiError({ code: "cluster", message: "m", failure: "bogus", hint: 3 })).toEqual({ code: "cluster", message: "m" });
    for (const code of ["timeout", "unsupported", "interrupted"] as const) {
      expect(toApiError({ code, message: "m" }).code).toBe(code);
    }
  });

  it("maps anything else to an internal error with a message", () => {
    expect(toApiError("boom")).toEqual({ code: "internal", message: "boom" });
    expect(toApiError(new Error("bad"))).toEqual({ code: "internal", message: "bad" });
    expect(toApiError({ code: "whatever", message: "x" }).code).toBe("internal");
    expect(toApiError(undefined).message).not.toBe("");
  });

  it("recognises only known codes", () => {
    expect(isApiError({ code: "kubeconfig", message: "m" })).toBe(true);
    expect(isApiError({ code: "kubeconfig" })).toBe(false);
    expect(isApiError(null)).toBe(false);
  });
});

describe("selectBackend", () => {
  it("uses the mock outside Tauri, with the fixture asked for", async () => {
    const backend = await selectBackend("?fixture=empty&delay=0");
    expect(backend.kind).toBe("mock");
    expect((await backend.listContexts()).contexts).toEqual([]);
  });
});

describe("MockBackend", () => {
  const fast = () => new MockBackend({ delayScale: 0 });

  it("serves several contexts, some unreachable", async () => {
    const backend = fast();
    const { contexts } = await backend.listContexts();
    expect(contexts.length).toBeGreaterThanOrEqual(5);
    const probes = await Promise.all(contexts.map((c) => backend.probeContext(c.name)));
    expect(probes.some((p) => p.reachable)).toBe(true);
    const down = probes.filter((p) => !p.reachable);
    expect(down.length).toBeGreaterThan(0);
    for (const p of down) expect(p.failure?.hint).toBeTruthy();
  });

  it("overrides a location and goes back to the inferred one", async () => {
    const backend = fast();
    const set = await backend.setContextLocation("onprem-lab", "cloud");
    expect(set).toMatchObject({ location: "cloud", locationInferred: false });
    const back = await backend.setContextLocation("onprem-lab", null);
    expect(back).toMatchObject({ location: "private", locationInferred: true });
  });

  it("remembers favourites", async () => {
    const backend = fast();
    await backend.setContextFavourite("minikube", true);
    const { contexts } = await backend.listContexts();
    expect(contexts.find((c) => c.name === "minikube")?.favourite).toBe(true);
  });

  it("rejects unknown contexts with notFound", async () => {
    await expect(fast().probeContext("nope")).rejects.toMatchObject({ code: "notFound" });
    await expect(fast().setContextFavourite("nope", true)).rejects.toMatchObject({ code: "notFound" });
  });

  it("reports kubeconfig problems alongside the valid contexts", async () => {
    const list = await new MockBackend({ fixture: "broken", delayScale: 0 }).listContexts();
    expect(list.problems).toHaveLength(1);
    expect(list.problems[0]!.file).toMatch(/legacy\.yaml$/);
    expect(list.contexts.length).toBeGreaterThan(0);
  });
});
