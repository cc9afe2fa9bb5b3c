import { describe, expect, it } from "vitest";
import type { ContextInfo, ContextProbe, TransferPlan } from "../ipc";
import { MockBackend } from "../ipc/mock";
import {
  abortConsequences,
  abortSteps,
  applyProgress,
  finishProgress,
  formatBytes,
  formatDuration,
  formProblem,
  initialForm,
  initialProgress,
  parseOverrides,
  planVerdict,
  standbyInput,
  targetGroups,
  transferInput,
  transferSteps,
} from "./wizard";

const source = { context: "kind-berth-dev", namespace: "default", name: "pg-dev" };

function ctx(name: string, location: ContextInfo["location"], favourite = false): ContextInfo {
  return {
    name,
    cluster: name,
    server: null,
    user: name,
    namespace: null,
    sourceFile: "/k",
    current: false,
    location,
    locationInferred: true,
    favourite,
    lastSeen: null,
    serverVersion: null,
  };
}

function probe(reachable: boolean, message = ""): { data: ContextProbe; error: null } {
  return {
    data: {
      name: "x",
      reachable,
      serverVersion: reachable ? "v1.33" : null,
      latencyMs: 3,
      failure: reachable ? null : { kind: "refused", message, hint: "" },
      lastSeen: null,
    } as unknown as ContextProbe,
    error: null,
  };
}

describe("the form", () => {
  it("needs a target, and a move needs another place", () => {
    const form = initialForm(source, "move");
    expect(formProblem(form, source, "move")).toBe("Pick a target context.");
    expect(formProblem({ ...form, to: "kind-berth-dev" }, source, "move")).toMatch(/another context or namespace/);
    expect(formProblem({ ...form, to: "kind-berth-dev", toNamespace: "dev" }, source, "move")).toBeNull();
    expect(formProblem({ ...form, to: "onprem-lab", toNamespace: " " }, source, "move")).toMatch(/namespace/);
  });

  it("a copy beside its source needs a new name; it proposes one", () => {
    const form = initialForm(source, "copy");
    expect(form.name).toBe("pg-dev-copy");
    expect(formProblem({ ...form, to: "kind-berth-dev" }, source, "copy")).toBeNull();
    expect(formProblem({ ...form, to: "kind-berth-dev", name: "" }, source, "copy")).toMatch(/new name/);
  });

  it("parses path=value overrides and names the bad lines", () => {
    expect(parseOverrides("a.b=1\n\n# note\n c = two words ")).toEqual({ set: ["a.b=1", "c=two words"], errors: [] });
    const bad = parseOverrides("ok=1\nnonsense\n=x");
    expect(bad.set).toEqual(["ok=1"]);
    expect(bad.errors).toEqual(['line 2: "nonsense" is not path=value', 'line 3: "=x" is not path=value']);
    expect(formProblem({ ...initialForm(source, "move"), to: "onprem-lab", overrides: "nonsense" }, source, "move")).toMatch(/^Overrides: line 1/);
  });

  it("turns into the core's request, dropping empty mappings and the name of a move", () => {
    const input = transferInput(
      {
        to: "onprem-lab",
        toNamespace: " lab ",
        createNamespace: true,
        name: "ignored",
        storageClassMap: [
          ["standard", "longhorn"],
          ["fast", ""],
        ],
        overrides: "resources.memory=2Gi",
        version: "18",
      },
      source,
      "move",
    );
    // only a copy changes version
    expect(input.options.version).toBeNull();
    expect(transferInput({ ...initialForm(source, "copy"), to: "onprem-lab", version: "18" }, source, "copy").options.version).toBe("18");
    expect(transferInput({ ...initialForm(source, "copy"), to: "onprem-lab" }, source, "copy").options.version).toBeNull();
    expect(input).toMatchObject({
      kind: "move",
      context: "kind-berth-dev",
      to: "onprem-lab",
      options: {
        instance: "pg-dev",
        namespace: "default",
        toNamespace: "lab",
        name: null,
        createNamespace: true,
        storageClassMap: [["standard", "longhorn"]],
        set: ["resources.memory=2Gi"],
      },
    });
  });
});

describe("target contexts", () => {
  it("are grouped by location, favourites first, unreachable ones disabled with the reason", () => {
    const contexts = [ctx("b-cloud", "cloud"), ctx("minikube", "laptop"), ctx("a-cloud", "cloud"), ctx("z-fav", "cloud", true), ctx("lab", "private")];
    const groups = targetGroups(contexts, [probe(true), probe(false, "nothing answers at https://192.168.49.2:8443 (connection refused)"), probe(true), probe(true), undefined]);
    expect(groups.map((g) => g.location)).toEqual(["laptop", "cloud", "private"]);
    expect(groups[0]!.options).toEqual([{ name: "minikube", disabled: "Connection refused" }]);
    expect(groups[1]!.options.map((o) => o.name)).toEqual(["z-fav", "a-cloud", "b-cloud"]);
    expect(groups[1]!.options.every((o) => o.disabled === null)).toBe(true);
    expect(groups[2]!.options[0]!.disabled).toBe("checking…");
  });
});

describe("the plan", () => {
  const plan = (levels: TransferPlan["checks"][number]["level"][]): TransferPlan => ({
    kind: "move",
    source: ["a", "b", "c"],
    target: ["d", "e", "c"],
    definition: "postgres",
    version: "17",
    targetVersion: "17",
    checks: levels.map((level, i) => ({ name: `check ${i}`, level, message: "" })),
    carriesData: true,
    dataBytes: 10,
    steps: ["provision"],
    expectedDowntimeSecs: 1,
  });

  it("can be confirmed with warnings but not with a problem or bad input", () => {
    expect(planVerdict(plan(["ok", "warning"]))).toMatchObject({ canConfirm: true, problems: [], warnings: [{ name: "check 1" }] });
    expect(planVerdict(plan(["ok", "problem"])).canConfirm).toBe(false);
    expect(planVerdict(plan(["badInput"])).problems).toHaveLength(1);
  });

  it("from the mock backend refuses a missing namespace until it is to be created", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const form = { ...initialForm(source, "move"), to: "gke_acme_europe-west1_prod", toNamespace: "analytics" };
    const refused = await backend.planTransfer(transferInput(form, source, "move"));
    expect(planVerdict(refused).problems.map((c) => c.name)).toEqual(["target namespace"]);
    const ok = await backend.planTransfer(transferInput({ ...form, createNamespace: true }, source, "move"));
    expect(planVerdict(ok).canConfirm).toBe(true);
    expect(ok.checks.find((c) => c.name === "storage classes")?.level).toBe("ok");
    expect(ok.expectedDowntimeSecs).toBeGreaterThan(0);
  });
});

describe("progress", () => {
  it("follows the steps, bytes and notes, and ends done or failed", () => {
    let m = initialProgress(["provision", "fence", "stream", "verify", "cutover"]);
    m = applyProgress(m, { type: "step", step: "plan" });
    expect(m.steps.every((s) => s.state === "pending")).toBe(true);
    m = applyProgress(m, { type: "step", step: "provision" });
    m = applyProgress(m, { type: "step", step: "stream" });
    expect(m.steps.map((s) => s.state)).toEqual(["done", "done", "active", "pending", "pending"]);
    m = applyProgress(m, { type: "bytes", bytes: 512, expected: 1024, rate: 256, eta_secs: 2, codec: null });
    expect(m).toMatchObject({ bytes: 512, expected: 1024, rate: 256, etaSecs: 2, codec: null });
    // a compressed stream counts what crosses, without a total or an ETA
    m = applyProgress(m, { type: "bytes", bytes: 300, expected: null, rate: 100, eta_secs: null, codec: "zstd" });
    expect(m).toMatchObject({ bytes: 300, expected: null, etaSecs: null, codec: "zstd" });
    m = applyProgress(m, { type: "note", message: "storage classes: default used" });
    expect(m.notes).toEqual(["storage classes: default used"]);
    expect(finishProgress(m, false).steps.map((s) => s.state)).toEqual(["done", "done", "failed", "pending", "pending"]);
    expect(finishProgress(m, true).steps.every((s) => s.state === "done")).toBe(true);
  });

  it("appends steps the plan did not list (an abort's)", () => {
    const m = applyProgress(initialProgress([]), { type: "step", step: "lift fence" });
    expect(m.steps).toEqual([{ name: "lift fence", state: "active" }]);
  });

  it("says what an abort undoes at each point", () => {
    const before = initialProgress(["provision", "fence"]);
    expect(abortConsequences("move", before).join(" ")).not.toMatch(/target|fence is lifted/);
    const fenced = applyProgress(before, { type: "step", step: "fence" });
    const lines = abortConsequences("move", fenced).join(" ");
    expect(lines).toMatch(/half-made target/);
    expect(lines).toMatch(/fence is lifted/);
    expect(abortConsequences("copy", fenced).join(" ")).not.toMatch(/fence/);
  });

  it("says an aborted sync or promote keeps the standby a standby and never touches the active", () => {
    const started = applyProgress(initialProgress(transferSteps("promote")), { type: "step", step: "start" });
    const promote = abortConsequences("promote", started).join(" ");
    expect(promote).toMatch(/standby is stopped again/);
    expect(promote).toMatch(/active's fence is lifted/);
    expect(promote).not.toMatch(/target/);
    const sync = abortConsequences("sync", initialProgress(transferSteps("sync"))).join(" ");
    expect(sync).not.toMatch(/stopped again|fence/);
    expect(sync).toMatch(/active and its data are never touched/);
    expect(abortSteps("sync")).toContain("stop the standby");
    expect(abortSteps("move")).toContain("remove the target");
  });

  it("formats bytes and durations", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536 * 1024 * 1024)).toBe("1.5 GiB");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(125)).toBe("2 min 5 s");
    expect(formatDuration(3 * 3600 + 120)).toBe("3 h 2 min");
  });
});

describe("the mock backend's runs", () => {
  it("streams, moves the instance, and journals the transfer", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const form = { ...initialForm(source, "move"), to: "gke_acme_europe-west1_prod", toNamespace: "shop" };
    const events: string[] = [];
    const done = await backend.runTransfer("r1", transferInput(form, source, "move"), (p) => events.push(p.type === "step" ? p.step : p.type));
    expect(done.status).toBe("succeeded");
    expect(events.filter((e) => e !== "bytes")).toEqual(["plan", "provision", "fence", "stream", "verify", "cutover"]);
    expect(events.filter((e) => e === "bytes").length).toBeGreaterThan(3);
    const moved = await backend.listContextInstances("gke_acme_europe-west1_prod");
    expect(moved.instances.some((i) => i.name === "pg-dev" && i.namespace === "shop")).toBe(true);
    expect((await backend.transfers())[0]).toMatchObject({ id: done.id, stepSecs: [expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)] });
  });

  it("resumes an interrupted move from its stream", async () => {
    const backend = new MockBackend({ delayScale: 0, interruptedTransfer: true });
    const [cut] = await backend.interruptedTransfers();
    expect(cut).toMatchObject({ id: 7, fenced: true, needsDecision: true });
    const steps: string[] = [];
    const done = await backend.resumeTransfer("r", 7, (p) => p.type === "step" && steps.push(p.step));
    expect(steps).toEqual(["stream", "verify", "cutover"]);
    expect(done).toMatchObject({ status: "succeeded", fenced: false });
    expect(await backend.interruptedTransfers()).toEqual([]);
  });
});

describe("standby mode", () => {
  it("needs another context or namespace, and is planned as a copy keeping the name", () => {
    const form = { ...initialForm(source, "standby"), to: "kind-berth-dev" };
    expect(formProblem(form, source, "standby")).toBe("A standby needs another context or namespace.");
    const elsewhere = { ...form, to: "onprem-lab", toNamespace: "lab", storageClassMap: [["standard", "local-path"]] as [string, string][] };
    expect(formProblem(elsewhere, source, "standby")).toBeNull();
    const planned = transferInput(elsewhere, source, "standby");
    expect(planned.kind).toBe("copy");
    expect(planned.options.name).toBeNull();
    const input = standbyInput(elsewhere, source);
    expect(input).toMatchObject({ context: "kind-berth-dev", on: "onprem-lab" });
    expect(input.options).toMatchObject({ instance: "pg-dev", toNamespace: "lab", storageClassMap: [["standard", "local-path"]] });
  });

  it("knows each journal kind's steps", () => {
    expect(transferSteps("standby")).toEqual(["provision", "stream", "verify", "cutover", "standby"]);
    expect(transferSteps("standby", false)).toEqual(["provision", "cutover", "standby"]);
    expect(transferSteps("move")).toEqual(["provision", "fence", "stream", "verify", "cutover"]);
    expect(transferSteps("sync")).toEqual(["start", "stream", "verify", "standby"]);
    expect(transferSteps("promote")).toEqual(["fence", "start", "stream", "verify", "switch"]);
  });

  it("creates a standby in the mock: stopped, fenced, paired, with its progress", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const events: string[] = [];
    const form = { ...initialForm(source, "standby"), to: "gke_acme_europe-west1_prod", toNamespace: "shop" };
    const row = await backend.createStandby("run-1", standbyInput(form, source), (p) => events.push(p.type === "step" ? p.step : p.type));
    expect(row.kind).toBe("standby");
    expect(events).toEqual(expect.arrayContaining(["provision", "stream", "bytes", "verify", "standby"]));
    const made = backend.instances.instances.find((i) => i.context === "gke_acme_europe-west1_prod" && i.name === "pg-dev");
    expect(made).toMatchObject({ health: "stopped", fenced: true, standbyOf: "kind-berth-dev/default/pg-dev" });
    const pairs = await backend.standbys();
    expect(pairs.find((p) => p.active === "kind-berth-dev/default/pg-dev")).toMatchObject({ state: "ready", standbyContext: "gke_acme_europe-west1_prod" });
  });

  it("refuses a forced promote while the active answers, and a planned one while it does not", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    await expect(backend.promoteStandby("r1", "orders-db", "onprem-lab", true, () => undefined)).rejects.toMatchObject({ code: "invalidInput" });
    await expect(backend.promoteStandby("r2", "billing-db", "onprem-lab", false, () => undefined)).rejects.toMatchObject({ code: "conflict" });
    await backend.promoteStandby("r3", "billing-db", "onprem-lab", true, () => undefined);
    const billing = backend.instances.instances.find((i) => i.name === "billing-db");
    expect(billing).toMatchObject({ health: "ready", fenced: false, standbyOf: null });
    const pair = (await backend.standbys()).find((p) => p.active === "onprem-lab/lab/billing-db");
    expect(pair?.state).toBe("oldActiveNotFenced");
  });
});
