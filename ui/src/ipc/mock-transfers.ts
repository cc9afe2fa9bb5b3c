/**
 * Mock moves and copies (used by `MockBackend`): a plan whose checks follow the request (target
 * reachable, namespace there or to be created, name free, storage classes mapped), runs that
 * step through provision, fence, stream (bytes, rate, ETA), verify and cut-over on timers, a
 * cancel that aborts, and a journal. With `interrupted`, the journal starts with a move that was
 * cut during its stream (shown at start-up with Resume / Abort).
 */
import { toApiError } from "./backend";
import type { ApiError } from "./bindings/ApiError";
import type { InstanceSummary } from "./bindings/InstanceSummary";
import type { Check, TransferBackend, TransferInfo, TransferInput, TransferPlan, TransferProgress } from "./transfers";

/** What the mock transfers need to know of the rest of the mock. */
export interface MockTransferWorld {
  /** The instances (a finished move or copy changes them). */
  instances: InstanceSummary[];
  /** Whether a context's cluster answers, and why not. */
  unreachable(context: string): string | null;
  /** The namespaces of a reachable context. */
  namespaces(context: string): string[];
  /** The storage classes of a reachable context, the default first. */
  storageClasses(context: string): string[];
  /** The kubeconfig's current context. */
  currentContext(): string;
}

/** The storage class every mock instance's volumes use. */
export const MOCK_SOURCE_CLASS = "standard";
/** The mock stream's rate, bytes per second (as shown; the mock runs faster). */
const MOCK_RATE = 48 * 1024 * 1024;
/** The rate the plan's downtime estimate assumes (as the core's). */
const ASSUMED_RATE = 20 * 1024 * 1024;
const STREAM_TICKS = 12;
/** Services whose definitions have data operations. */
const DATA_SERVICES = new Set(["postgres", "mysql", "mariadb", "redis", "valkey", "mongodb", "etcd", "minio"]);

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function fail(code: ApiError["code"], message: string): never {
  const error: ApiError = { code, message };
  throw error;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The mock's interrupted move: cut during its stream, the source still fenced. */
function interruptedMove(): TransferInfo {
  return {
    id: 7,
    kind: "move",
    status: "running",
    needsDecision: true,
    source: "kind-berth-dev/default/pg-dev",
    target: "gke_acme_europe-west1_prod/shop/pg-dev",
    definition: "postgres",
    version: "17",
    targetVersion: "17",
    fenced: true,
    bytes: 412 * 1024 * 1024,
    sourceSha256: null,
    targetSha256: null,
    sourceDigest: null,
    targetDigest: null,
    steps: [
      ["provision", "succeeded", null],
      ["fence", "succeeded", null],
      ["stream", "running", null],
    ],
    stepSecs: [41.6, 2.3, null],
    startedAt: new Date(Date.now() - 40 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    error: null,
  };
}

/** What the journal row of a run names. */
export type JournalFields = Pick<TransferInfo, "kind" | "source" | "target" | "definition" | "version" | "targetVersion">;

function planned(plan: TransferPlan): JournalFields {
  return {
    kind: plan.kind,
    source: plan.source.join("/"),
    target: plan.target.join("/"),
    definition: plan.definition,
    version: plan.version,
    targetVersion: plan.targetVersion,
  };
}

interface Run {
  cancelled: boolean;
  id: number | null;
}

export class MockTransfers implements TransferBackend {
  private readonly journal: TransferInfo[] = [];
  private readonly runs = new Map<string, Run>();
  private next = 8;

  constructor(
    private readonly world: MockTransferWorld,
    private readonly scale: number,
    interrupted: boolean,
  ) {
    if (interrupted) this.journal.push(interruptedMove());
  }

  private source(input: TransferInput): InstanceSummary {
    const context = input.context ?? this.world.currentContext();
    const { instance, namespace } = input.options;
    const found = this.world.instances.find(
      (i) => i.context === context && i.name === instance && (namespace === null || i.namespace === namespace),
    );
    return found ?? fail("notFound", `no instance ${instance} in context ${context}`);
  }

  /** The plan of `input`: every check at once, nothing changed. */
  async planTransfer(input: TransferInput): Promise<TransferPlan> {
    await sleep(600 * this.scale);
    if (input.kind !== "move" && input.kind !== "copy") fail("invalidInput", `unknown transfer kind "${input.kind}": move or copy`);
    const src = this.source(input);
    const o = input.options;
    const toNamespace = o.toNamespace ?? src.namespace;
    const name = (input.kind === "copy" ? o.name : null) ?? src.name;
    const checks: Check[] = [];
    const why = this.world.unreachable(input.to);
    checks.push(
      why === null
        ? { name: "target reachable", level: "ok", message: `${input.to} answers (Kubernetes v1.32)` }
        : { name: "target reachable", level: "problem", message: why },
    );
    if (input.to === src.context && toNamespace === src.namespace && name === src.name) {
      checks.push({
        name: "target",
        level: "badInput",
        message: `the target is the source itself (${src.context}/${src.namespace}/${src.name}): pick another context, namespace or name`,
      });
    }
    if (why === null) {
      const namespaces = this.world.namespaces(input.to);
      if (namespaces.includes(toNamespace)) {
        checks.push({ name: "target namespace", level: "ok", message: `${toNamespace} exists` });
      } else if (o.createNamespace) {
        checks.push({ name: "target namespace", level: "ok", message: `${toNamespace} will be created` });
      } else {
        checks.push({
          name: "target namespace",
          level: "problem",
          message: `namespace ${toNamespace} does not exist on ${input.to}: create it, or pick another`,
        });
      }
      const taken = this.world.instances.some(
        (i) => i.context === input.to && i.namespace === toNamespace && i.name === name,
      );
      checks.push(
        taken
          ? { name: "name free", level: "problem", message: `an instance ${name} already exists in ${input.to}/${toNamespace}` }
          : { name: "name free", level: "ok", message: `no instance ${name} in ${input.to}/${toNamespace}` },
      );
      const classes = this.world.storageClasses(input.to);
      const mapped = o.storageClassMap.find(([from]) => from === MOCK_SOURCE_CLASS)?.[1];
      if (mapped !== undefined && !classes.includes(mapped)) {
        checks.push({ name: "storage classes", level: "badInput", message: `${input.to} has no storage class ${mapped}` });
      } else if (mapped !== undefined) {
        checks.push({ name: "storage classes", level: "ok", message: `${MOCK_SOURCE_CLASS} → ${mapped}` });
      } else if (classes.includes(MOCK_SOURCE_CLASS)) {
        checks.push({ name: "storage classes", level: "ok", message: `${MOCK_SOURCE_CLASS} exists on ${input.to}` });
      } else {
        checks.push({
          name: "storage classes",
          level: "warning",
          message: `${input.to} has no class ${MOCK_SOURCE_CLASS}: its default class ${classes[0] ?? "(none)"} is used`,
        });
      }
      checks.push({ name: "server-side dry-run", level: "ok", message: "every object accepted" });
      checks.push({ name: "quota", level: "ok", message: `no ResourceQuota in ${toNamespace}` });
      checks.push({ name: "room", level: "ok", message: "the nodes have room for the requests" });
    }
    const carriesData = DATA_SERVICES.has(src.service);
    checks.push(
      carriesData
        ? { name: "data", level: "ok", message: `the data is streamed with ${src.service}'s export and import` }
        : { name: "data", level: "warning", message: `${src.service} has no data operations: only its configuration and credentials are carried` },
    );
    const dataBytes = carriesData ? (600 + (hash(src.name) % 900)) * 1024 * 1024 : null;
    const steps = ["provision", ...(input.kind === "move" ? ["fence"] : []), ...(carriesData ? ["stream", "verify"] : []), "cutover"];
    return {
      kind: input.kind,
      source: [src.context, src.namespace, src.name],
      target: [input.to, toNamespace, name],
      definition: src.service,
      version: src.version,
      targetVersion: o.version ?? src.version,
      checks,
      carriesData,
      dataBytes,
      steps,
      expectedDowntimeSecs: input.kind === "move" && dataBytes !== null ? dataBytes / ASSUMED_RATE + 20 : input.kind === "move" ? 20 : null,
    };
  }

  async runTransfer(run: string, input: TransferInput, onProgress: (p: TransferProgress) => void): Promise<TransferInfo> {
    const row = await this.journaled(run, onProgress, async () => {
      const plan = await this.plannedOrRefused(input);
      return { ...planned(plan), steps: plan.steps, total: plan.dataBytes ?? 0 };
    });
    this.land(row, input);
    return { ...row };
  }

  /** The plan of `input`, or the refusal of every problem it found (nothing changed). */
  async plannedOrRefused(input: TransferInput): Promise<TransferPlan> {
    const plan = await this.planTransfer(input);
    const problems = plan.checks.filter((c) => c.level === "problem" || c.level === "badInput");
    if (problems.length > 0) {
      fail(
        plan.checks.some((c) => c.level === "badInput") ? "invalidInput" : "conflict",
        `the ${plan.kind} cannot start; nothing was changed:\n${problems.map((c) => `  - ${c.name}: ${c.message}`).join("\n")}`,
      );
    }
    return plan;
  }

  /**
   * Runs one journaled transfer as `run` (cancellable): `prepare` says what it is (its plan, or
   * the refusal), then its steps run with progress. Resolves with its row (shared, not a copy).
   * Standbys' create, sync and promote use it too.
   */
  async journaled(
    run: string,
    onProgress: (p: TransferProgress) => void,
    prepare: () => Promise<JournalFields & { steps: string[]; total: number }>,
  ): Promise<TransferInfo> {
    const state: Run = { cancelled: false, id: null };
    this.runs.set(run, state);
    try {
      onProgress({ type: "step", step: "plan" });
      const what = await prepare();
      this.check(state);
      const row: TransferInfo = {
        id: this.next++,
        kind: what.kind,
        status: "running",
        needsDecision: false,
        source: what.source,
        target: what.target,
        definition: what.definition,
        version: what.version,
        targetVersion: what.targetVersion,
        fenced: false,
        bytes: 0,
        sourceSha256: null,
        targetSha256: null,
        sourceDigest: null,
        targetDigest: null,
        steps: [],
        stepSecs: [],
        startedAt: now(),
        error: null,
      };
      state.id = row.id;
      this.journal.unshift(row);
      try {
        await this.steps(row, what.steps, what.total, onProgress, state);
      } catch (e) {
        if (!state.cancelled) {
          row.status = "failed";
          row.needsDecision = true;
          row.error = toApiError(e).message;
          row.steps = row.steps.map((s) => (s[1] === "running" ? [s[0], "failed", row.error] : s));
        }
        throw e;
      }
      return row;
    } finally {
      this.runs.delete(run);
    }
  }

  private check(state: Run): void {
    if (state.cancelled) {
      fail("conflict", "the transfer was cancelled: its target is being removed and the source's fence lifted");
    }
  }

  /** Runs `steps` of `row` from the first unfinished one. */
  private async steps(
    row: TransferInfo,
    steps: string[],
    total: number,
    onProgress: (p: TransferProgress) => void,
    state: Run,
  ): Promise<void> {
    for (const step of steps) {
      if (row.steps.some(([s, status]) => s === step && status === "succeeded")) continue;
      const at = row.steps.findIndex(([s]) => s === step);
      if (at >= 0) {
        row.steps = row.steps.filter((_, i) => i !== at);
        row.stepSecs = row.stepSecs.filter((_, i) => i !== at);
      }
      row.steps = [...row.steps, [step, "running", null]];
      row.stepSecs = [...row.stepSecs, null];
      const began = Date.now();
      onProgress({ type: "step", step });
      if (step === "stream") {
        row.bytes = 0;
        for (let i = 1; i <= STREAM_TICKS; i++) {
          await sleep(250 * this.scale);
          this.check(state);
          row.bytes = Math.round((total * i) / STREAM_TICKS);
          onProgress({
            type: "bytes",
            bytes: row.bytes,
            expected: total,
            rate: MOCK_RATE,
            eta_secs: (total - row.bytes) / MOCK_RATE,
            codec: null,
          });
        }
        row.sourceSha256 = row.targetSha256 = (hash(row.source) >>> 0).toString(16).padStart(8, "0").repeat(8);
      } else {
        await sleep(500 * this.scale);
        this.check(state);
      }
      if (step === "fence") row.fenced = true;
      if (step === "verify") row.sourceDigest = row.targetDigest = `sha256:${(hash(row.target) >>> 0).toString(16)}`;
      if (step === "cutover") row.fenced = false;
      row.steps = row.steps.map((s) => (s[0] === step ? [step, "succeeded", null] : s));
      row.stepSecs = row.stepSecs.map((d, i) => (row.steps[i]?.[0] === step ? (Date.now() - began) / 1000 : d));
    }
    row.status = "succeeded";
    row.needsDecision = false;
  }

  /** A finished transfer changes the instances: a move relocates the source, a copy adds one. */
  private land(row: TransferInfo, input: TransferInput | null): void {
    const [context = "", namespace = "", name = ""] = row.target.split("/");
    const [sContext, sNamespace, sName] = row.source.split("/");
    const src = this.world.instances.find((i) => i.context === sContext && i.namespace === sNamespace && i.name === sName);
    if (!src) return;
    const placed = { ...src, context, namespace, name, endpoint: src.endpoint && `${name}.${namespace}.svc:${src.endpoint.split(":").pop() ?? ""}` };
    if (row.kind === "move") Object.assign(src, placed);
    else this.world.instances.push({ ...placed, version: input?.options.version ?? src.version, revision: 1 });
  }

  async cancelTransfer(run: string): Promise<TransferInfo | null> {
    const state = this.runs.get(run);
    if (!state) fail("notFound", `no running transfer ${run} in this window`);
    state.cancelled = true;
    if (state.id === null) return null;
    const row = this.journal.find((t) => t.id === state.id);
    return row ? this.undo(row, () => undefined) : null;
  }

  private async undo(row: TransferInfo, onProgress: (p: TransferProgress) => void): Promise<TransferInfo> {
    if (row.steps.some(([s]) => s === "cutover")) {
      fail("invalidInput", `transfer ${row.id} has begun its cut-over: it cannot be aborted; resume finishes it`);
    }
    if (row.steps.some(([s]) => s === "switch")) {
      fail("invalidInput", `promote ${row.id} has begun its switch: it cannot be aborted; resume finishes it`);
    }
    // the core's abort steps (a sync or promote stops the standby again instead of removing it)
    const steps = ["sync", "promote"].includes(row.kind)
      ? ["stop streams", "stop the standby", "lift the fence"]
      : ["stop streams", "remove the target", "lift the fence"];
    for (const step of steps) {
      onProgress({ type: "step", step });
      await sleep(300 * this.scale);
    }
    row.status = "aborted";
    row.fenced = false;
    row.needsDecision = false;
    return { ...row };
  }

  private row(id: number): TransferInfo {
    return this.journal.find((t) => t.id === id) ?? fail("notFound", `no transfer ${id} (see \`berth transfers\`)`);
  }

  async resumeTransfer(run: string, id: number, onProgress: (p: TransferProgress) => void): Promise<TransferInfo> {
    const row = this.row(id);
    if (row.status === "succeeded" || row.status === "aborted") fail("invalidInput", `transfer ${id} is ${row.status}`);
    const state: Run = { cancelled: false, id };
    this.runs.set(run, state);
    try {
      row.status = "running";
      row.needsDecision = false;
      const steps = ["provision", ...(row.kind === "move" ? ["fence"] : []), "stream", "verify", "cutover"];
      await this.steps(row, steps, 1024 * 1024 * 1024, onProgress, state);
      this.land(row, null);
      return { ...row };
    } finally {
      this.runs.delete(run);
    }
  }

  async abortTransfer(_run: string, id: number, onProgress: (p: TransferProgress) => void): Promise<TransferInfo> {
    const row = this.row(id);
    if (row.status === "succeeded" || row.status === "aborted") fail("invalidInput", `transfer ${id} is ${row.status}`);
    return this.undo(row, onProgress);
  }

  async transfers(limit = 100): Promise<TransferInfo[]> {
    await sleep(150 * this.scale);
    return this.journal.slice(0, limit).map((t) => ({ ...t }));
  }

  async interruptedTransfers(): Promise<TransferInfo[]> {
    await sleep(100 * this.scale);
    return this.journal.filter((t) => t.needsDecision).map((t) => ({ ...t }));
  }
}
