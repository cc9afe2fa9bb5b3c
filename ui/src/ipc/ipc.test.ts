import { describe, expect, it } from "vitest";
import { isApiError, toApiError } from "./backend";
import { selectBackend } from "./index";
import hints from "./failure-hints.json";
import { MockBackend, parseFailures } from "./mock";

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

  it("makes the contexts named in `fail` fail that way, on every request", async () => {
    const backend = await selectBackend("?delay=0&fail=onprem-lab:tls&fail=kind-berth-dev:bogus");
    const probe = await backend.probeContext("onprem-lab");
    expect(probe.failure).toEqual({
      kind: "tls",
      message: "the TLS handshake with https://k8s.lab.internal:6443 failed: invalid peer certificate: UnknownIssuer",
      hint: hints.tls,
    });
    const error = { code: "cluster", message: `onprem-lab: ${probe.failure!.message}`, failure: "tls", hint: hints.tls };
    await expect(backend.listContextInstances("onprem-lab")).rejects.toEqual(error);
    await expect(backend.instanceStatus({ context: "onprem-lab", namespace: "lab", name: "inventory" })).rejects.toEqual(error);
    await expect(backend.storageClasses("onprem-lab")).rejects.toEqual(error);
    // an unknown kind is ignored, and the data set's own failures stay
    expect((await backend.probeContext("kind-berth-dev")).reachable).toBe(true);
    expect((await backend.probeContext("minikube")).failure?.kind).toBe("refused");
  });
});

describe("parseFailures", () => {
  it("reads the kind after the last colon, as context names may hold colons", () => {
    expect(parseFailures(["arn:aws:eks:eu-west-1:1:cluster/x:dns", "lab:timeout", "lab", ":dns"])).toEqual({
      "arn:aws:eks:eu-west-1:1:cluster/x": "dns",
      lab: "timeout",
    });
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
