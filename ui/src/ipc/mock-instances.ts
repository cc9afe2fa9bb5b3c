/**
 * The mock Backend's instances, history and background operations: realistic fixtures over the
 * mock contexts, and operations that progress on timers (validated → applied n/m → pods ready
 * n/m → done) and change the fixtures when they finish, as the real core does.
 */
import type { HistoryQuery } from "./backend";
import type { ApiError } from "./bindings/ApiError";
import type { EventInfo } from "./bindings/EventInfo";
import type { InstanceDetails } from "./bindings/InstanceDetails";
import type { ContextInstances } from "./bindings/ContextInstances";
import type { PodInfo } from "./bindings/PodInfo";
import type { InstanceRef } from "./bindings/InstanceRef";
import type { InstanceSummary } from "./bindings/InstanceSummary";
import type { JsonValue } from "./bindings/serde_json/JsonValue";
import type { OperationResult } from "./bindings/OperationResult";
import type { RevisionOperation } from "./bindings/RevisionOperation";
import type { RevisionStatus } from "./bindings/RevisionStatus";
import type { OperationRequest } from "./bindings/OperationRequest";
import type { OperationTarget } from "./bindings/OperationTarget";
import type { OperationUpdate } from "./bindings/OperationUpdate";
import type { ProgressEvent } from "./bindings/ProgressEvent";
import type { RevisionInfo } from "./bindings/RevisionInfo";
import type { ServiceVersion } from "./bindings/ServiceVersion";

/** Which instance data set: `none` has reachable contexts but nothing installed. */
export type MockInstancesFixture = "default" | "none";

const DEFAULT_NAMESPACE: Record<string, string> = {
  "kind-berth-dev": "default",
  "gke_acme_europe-west1_prod": "shop",
  "onprem-lab": "lab",
};

const PORTS: Record<string, number> = {
  postgres: 5432,
  redis: 6379,
  kafka: 9092,
  mariadb: 3306,
  valkey: 6379,
  rabbitmq: 5672,
  mongodb: 27017,
};

/** Versions the mock catalog knows, newest last. */
export const MOCK_VERSIONS: Record<string, string[]> = {
  postgres: ["16", "17"],
  redis: ["7.2", "7.4", "8.0"],
  kafka: ["3.8", "3.9", "4.0"],
  mariadb: ["11.4", "11.8"],
  valkey: ["8.0", "8.1"],
};

/** The `compute` ResourceQuota of a namespace (`context/namespace`): memory requests, in Mi. */
const QUOTAS: Record<string, { usedMi: number; limitMi: number }> = {
  "gke_acme_europe-west1_prod/payments": { usedMi: 3072, limitMi: 4096 },
};

function mebibytes(quantity: string): number | null {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  return m ? Number(m[1]) * (m[2] === "Gi" ? 1024 : 1) : null;
}

function memory(mi: number): string {
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/** The API server's refusal of an install whose pods ask more memory than the namespace's quota has left. */
function quotaRefusal(t: OperationTarget, values: JsonValue | null): ApiError | null {
  const quota = QUOTAS[`${t.context}/${t.namespace}`];
  const asked = (values as { resources?: { memory?: unknown } } | null)?.resources?.memory;
  const requested = typeof asked === "string" ? mebibytes(asked) : null;
  if (!quota || requested === null || quota.usedMi + requested <= quota.limitMi) return null;
  const exceeded = `exceeded quota: compute, requested: requests.memory=${memory(requested)}, used: requests.memory=${memory(quota.usedMi)}, limited: requests.memory=${memory(quota.limitMi)}`;
  return {
    code: "cluster",
    message: `${t.context}: cannot apply StatefulSet ${t.namespace}/${t.name}: statefulsets.apps "${t.name}" is forbidden: ${exceeded} (403 Forbidden)`,
    hint: `A ResourceQuota in namespace "${t.namespace}" is full: ask the cluster's administrator for a larger quota, or give the service less CPU, memory or storage.`,
    cliHint: `A ResourceQuota in namespace "${t.namespace}" is full: ask for a larger quota (\`kubectl describe resourcequota -n ${t.namespace}\` shows it) or install with smaller resources (--set resources...).`,
  };
}

function ago(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function instance(
  context: string,
  name: string,
  service: string,
  version: string,
  fields: Partial<InstanceSummary> & { replicas: number },
): InstanceSummary {
  const namespace = fields.namespace ?? DEFAULT_NAMESPACE[context] ?? "default";
  const { replicas, ...rest } = fields;
  return {
    context,
    namespace,
    name,
    service,
    version,
    health: "ready",
    reason: null,
    podsReady: replicas,
    podsTotal: replicas,
    endpoint: `${name}.${namespace}.svc:${PORTS[service] ?? 8080}`,
    created: ago(60 * 24 * 3),
    revision: 1,
    parameters: { replicas, storage: "8Gi", cpu: "500m", memory: "1Gi" },
    inLocalHistory: true,
    fenced: false,
    standbyOf: null,
    ...rest,
  };
}

function defaultInstances(): InstanceSummary[] {
  return [
    instance("kind-berth-dev", "pg-dev", "postgres", "17", {
      replicas: 1,
      created: ago(95),
      revision: 2,
      parameters: {
        replicas: 1,
        storage: "8Gi",
        cpu: "500m",
        memory: "1Gi",
        auth: { username: "postgres", database: "app", users: [{ name: "app_user", database: "app" }] },
      },
    }),
    instance("kind-berth-dev", "cache", "redis", "7.4", {
      replicas: 1,
      health: "stopped",
      podsReady: 0,
      podsTotal: 0,
      created: ago(60 * 26),
      revision: 2,
    }),
    instance("gke_acme_europe-west1_prod", "orders-db", "postgres", "16", {
      replicas: 2,
      created: ago(60 * 24 * 41),
      revision: 4,
      parameters: { replicas: 2, storage: "100Gi", cpu: "2", memory: "8Gi" },
    }),
    instance("gke_acme_europe-west1_prod", "events", "kafka", "3.9", {
      replicas: 3,
      health: "degraded",
      podsReady: 2,
      reason: "Pod events-2: CrashLoopBackOff (back-off 5m0s restarting failed container kafka)",
      created: ago(60 * 24 * 12),
      revision: 3,
    }),
    instance("gke_acme_europe-west1_prod", "sessions", "valkey", "8.1", {
      replicas: 2,
      health: "progressing",
      podsReady: 1,
      created: ago(6),
    }),
    // a move of it was aborted after its fence went up: clients cannot reach it until a start
    instance("onprem-lab", "inventory", "mariadb", "11.4", { replicas: 1, created: ago(60 * 24 * 200), fenced: true }),
    // standbys (paired in mock-standby.ts): kept stopped and fenced
    instance("onprem-lab", "orders-db", "postgres", "16", {
      replicas: 2,
      health: "stopped",
      podsReady: 0,
      podsTotal: 0,
      created: ago(60 * 24 * 9),
      parameters: { replicas: 2, storage: "100Gi", cpu: "2", memory: "8Gi" },
      fenced: true,
      standbyOf: "gke_acme_europe-west1_prod/shop/orders-db",
    }),
    instance("onprem-lab", "billing-db", "postgres", "17", {
      replicas: 1,
      health: "stopped",
      podsReady: 0,
      podsTotal: 0,
      created: ago(60 * 24 * 30),
      fenced: true,
      standbyOf: "minikube/default/billing-db",
    }),
  ];
}

function revision(
  inst: InstanceSummary,
  n: number,
  operation: RevisionOperation,
  status: RevisionStatus,
  minutesAgo: number,
  extra: Partial<RevisionInfo> = {},
): RevisionInfo {
  return {
    changes: [],
    context: inst.context,
    namespace: inst.namespace,
    name: inst.name,
    revision: n,
    service: inst.service,
    version: inst.version,
    operation,
    status,
    interrupted: false,
    osUser: "ada",
    startedAt: ago(minutesAgo),
    finishedAt: status === "pending" ? null : ago(minutesAgo - 1),
    error: null,
    parameters: inst.parameters,
    ...extra,
  };
}

function defaultHistory(instances: InstanceSummary[]): RevisionInfo[] {
  const [pg, cache, orders, events, sessions, inventory] = instances as [
    InstanceSummary,
    InstanceSummary,
    InstanceSummary,
    InstanceSummary,
    InstanceSummary,
    InstanceSummary,
  ];
  const h: RevisionInfo[] = [
    revision(sessions, 1, "install", "pending", 6),
    revision(pg, 2, "reconfigure", "succeeded", 40, {
      parameters: { ...(pg.parameters as object), memory: "1Gi" },
      changes: [{ path: "memory", old: "512Mi", new: "1Gi" }],
    }),
    revision(pg, 1, "install", "superseded", 95, { parameters: { replicas: 1, storage: "8Gi", cpu: "500m", memory: "512Mi" } }),
    revision(cache, 2, "stop", "succeeded", 60 * 20),
    revision(cache, 1, "install", "superseded", 60 * 26),
    revision(events, 3, "restart", "failed", 60 * 3, {
      interrupted: true,
      error: "interrupted: the Berth process ended before the operation finished; the instance may be half changed (`berth recover NAME` resumes it, `--rollback` undoes it)",
    }),
    revision(events, 2, "reconfigure", "superseded", 60 * 24 * 5, { parameters: { replicas: 3, storage: "50Gi", cpu: "1", memory: "4Gi" } }),
    revision(events, 1, "install", "superseded", 60 * 24 * 12, { version: "3.8" }),
    revision(orders, 4, "upgrade", "succeeded", 60 * 24 * 2, { version: "16" }),
    revision(orders, 3, "reconfigure", "failed", 60 * 24 * 3, {
      error: "timed out after 300 s waiting for StatefulSet orders-db: 1 of 2 pods ready (pod orders-db-1: Insufficient memory)",
      parameters: { replicas: 2, storage: "100Gi", cpu: "2", memory: "32Gi" },
    }),
    revision(orders, 2, "reconfigure", "superseded", 60 * 24 * 20, { version: "16", parameters: { replicas: 2, storage: "100Gi", cpu: "2", memory: "8Gi" } }),
    revision(orders, 1, "install", "superseded", 60 * 24 * 41, { version: "16", parameters: { replicas: 1, storage: "100Gi", cpu: "2", memory: "8Gi" } }),
    revision(inventory, 1, "install", "succeeded", 60 * 24 * 200),
  ];
  return h.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function reject(code: ApiError["code"], message: string): Promise<never> {
  const error: ApiError = { code, message };
  return Promise.reject(error);
}

/** The instance a request names, with defaults resolved as the core does. */
function targetOf(request: OperationRequest): OperationTarget {
  const ctx = (c: string | null | undefined) => c ?? "kind-berth-dev";
  const ns = (context: string, n: string | null | undefined) => n ?? DEFAULT_NAMESPACE[context] ?? "default";
  const ref = (r: InstanceRef) => ({ context: ctx(r.context), namespace: ns(ctx(r.context), r.namespace), name: r.name });
  switch (request.kind) {
    case "install":
      return { context: ctx(request.context), namespace: ns(ctx(request.context), request.namespace), name: request.name ?? request.service };
    case "stop":
    case "start":
    case "restart":
      return ref(request);
    case "reconfigure":
    case "uninstall":
      return ref(request.instance);
  }
}

function titleOf(request: OperationRequest, t: OperationTarget): string {
  const where = ` in ${t.context}/${t.namespace}`;
  switch (request.kind) {
    case "install":
      return `Install ${request.service}${request.version ? ` ${request.version}` : ""}${where}`;
    case "stop":
      return `Stop ${t.name}${where}`;
    case "start":
      return `Start ${t.name}${where}`;
    case "restart":
      return `Restart ${t.name}${where}`;
    case "reconfigure":
      if (request.rollback || request.rollbackTo !== null)
        return `Roll back ${t.name}${request.rollbackTo !== null ? ` to revision ${request.rollbackTo}` : ""}${where}`;
      if (request.version) return `Upgrade ${t.name} to ${request.version}${where}`;
      return `Reconfigure ${t.name}${where}`;
    case "uninstall":
      return `Uninstall ${t.name}${request.deleteData ? " and delete its data" : ""}${where}`;
  }
}

/** Ends a mock operation that was cancelled (caught by `startOperation`). */
class Cancelled extends Error {}

/** Instances, history and operations of the mock Backend. */
export class MockInstances {
  readonly instances: InstanceSummary[];
  readonly revisions: RevisionInfo[];
  private readonly operations: OperationUpdate[] = [];
  private readonly listeners = new Set<(update: OperationUpdate) => void>();
  private next = 1;
  /** Operations asked to stop: their next progress step ends them. */
  private readonly cancelling = new Set<string>();

  constructor(
    fixture: MockInstancesFixture,
    private readonly scale: number,
    private readonly failList: boolean,
    /** Why a context cannot be used (the same error its every request gets), or `null`. */
    private readonly contextError: (context: string) => ApiError | null = () => null,
  ) {
    this.instances = fixture === "none" ? [] : defaultInstances();
    this.revisions = fixture === "none" ? [] : defaultHistory(this.instances);
  }

  private find(t: { context: string; namespace: string; name: string }): InstanceSummary | undefined {
    return this.instances.find((i) => i.context === t.context && i.namespace === t.namespace && i.name === t.name);
  }

  /** One context's instances after `delayMs` (scaled); an unreachable context rejects with why. */
  async listContextInstances(context: string, delayMs: number): Promise<ContextInstances> {
    await sleep(delayMs * this.scale);
    if (this.failList) {
      return reject("store", "Cannot open Berth's database at /home/ada/.local/share/berth/berth.db: database is locked");
    }
    const unreachable = this.contextError(context);
    if (unreachable) return Promise.reject(unreachable);
    return { context, instances: this.instances.filter((i) => i.context === context).map((i) => ({ ...i })) };
  }

  async instanceStatus(ref: InstanceRef): Promise<InstanceSummary> {
    await sleep(150 * this.scale);
    const context = ref.context ?? "kind-berth-dev";
    const unreachable = this.contextError(context);
    if (unreachable) return Promise.reject(unreachable);
    const found = this.find({ context, namespace: ref.namespace ?? DEFAULT_NAMESPACE[context] ?? "default", name: ref.name });
    if (!found) return reject("notFound", `no instance ${ref.name} in ${context}/${ref.namespace ?? "default"}`);
    return { ...found };
  }

  async instanceDetails(ref: InstanceRef): Promise<InstanceDetails> {
    const inst = await this.instanceStatus(ref);
    const replicas = Number((inst.parameters as Record<string, JsonValue>).replicas ?? 1) || 1;
    const pods: PodInfo[] = [];
    if (inst.health !== "stopped") {
      for (let i = 0; i < Math.max(inst.podsTotal, replicas); i++) {
        const ready = i < inst.podsReady;
        const crashing = inst.health === "degraded" && !ready;
        pods.push({
          name: `${inst.name}-${i}`,
          phase: ready || crashing ? "Running" : "Pending",
          ready,
          restarts: crashing ? 14 : i === 0 ? 1 : 0,
          reason: crashing ? "CrashLoopBackOff" : ready ? null : "ContainerCreating",
          node: `node-${(i % 3) + 1}`,
          started: inst.created,
        });
      }
    }
    const events: EventInfo[] =
      inst.health === "degraded"
        ? [
            {
              severity: "Warning",
              reason: "BackOff",
              message: `Back-off restarting failed container ${inst.service} in pod ${inst.name}-2`,
              object: `Pod/${inst.name}-2`,
              count: 14,
              lastSeen: ago(2),
            },
            {
              severity: "Normal",
              reason: "Pulled",
              message: `Container image "docker.io/library/${inst.service}:${inst.version}" already present on machine`,
              object: `Pod/${inst.name}-2`,
              count: 15,
              lastSeen: ago(7),
            },
          ]
        : inst.health === "stopped"
          ? [
              {
                severity: "Normal",
                reason: "SuccessfulDelete",
                message: `delete Pod ${inst.name}-0 in StatefulSet ${inst.name} successful`,
                object: `StatefulSet/${inst.name}`,
                count: 1,
                lastSeen: ago(60 * 20),
              },
            ]
          : [
              {
                severity: "Normal",
                reason: "Started",
                message: `Started container ${inst.service}`,
                object: `Pod/${inst.name}-0`,
                count: 1,
                lastSeen: ago(30),
              },
              {
                severity: "Normal",
                reason: "Scheduled",
                message: `Successfully assigned ${inst.namespace}/${inst.name}-0 to node-1`,
                object: `Pod/${inst.name}-0`,
                count: 1,
                lastSeen: ago(31),
              },
            ];
    const storage = String((inst.parameters as Record<string, JsonValue>).storage ?? "8Gi");
    return {
      instance: inst,
      pods,
      events,
      volumes: Array.from({ length: replicas }, (_, i) => ({
        name: `data-${inst.name}-${i}`,
        capacity: storage,
        phase: "Bound",
        storageClass: "standard",
      })),
    };
  }

  async serviceVersions(service: string): Promise<ServiceVersion[]> {
    await sleep(60 * this.scale);
    const ids = MOCK_VERSIONS[service];
    if (!ids) return reject("notFound", `no service "${service}" in the catalog`);
    return ids.map((id, i) => ({
      id,
      image: `docker.io/library/${service}`,
      tag: id,
      default: i === ids.length - 1,
      // in place to the next minor; across a major only by copying (as Postgres does)
      upgradableTo: ids.slice(i + 1).filter((v) => v.split(".")[0] === id.split(".")[0] || service !== "postgres"),
      copyUpgradableTo: ids.slice(i + 1).filter((v) => service === "postgres" && v.split(".")[0] !== id.split(".")[0]),
    }));
  }

  async history(query: HistoryQuery = {}): Promise<RevisionInfo[]> {
    await sleep(120 * this.scale);
    return this.revisions
      .filter((r) => !query.name || r.name === query.name)
      .filter((r) => !query.context || r.context === query.context)
      .filter((r) => !query.namespace || r.namespace === query.namespace)
      .slice(0, query.limit ?? 500)
      .map((r) => ({ ...r }));
  }

  async listOperations(): Promise<OperationUpdate[]> {
    return this.operations.map((o) => ({ ...o, progress: [...o.progress] })).reverse();
  }

  onOperation(listener: (update: OperationUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(update: OperationUpdate) {
    const copy = { ...update, progress: [...update.progress] };
    for (const l of this.listeners) l(copy);
  }

  async cancelOperation(id: string): Promise<void> {
    await sleep(10 * this.scale);
    const op = this.operations.find((o) => o.id === id);
    if (!op) return reject("notFound", `no operation "${id}"`);
    if (op.state !== "running") return reject("conflict", `${op.title} already finished`);
    this.cancelling.add(id);
  }

  async startOperation(request: OperationRequest): Promise<string> {
    await sleep(20 * this.scale);
    const target = targetOf(request);
    const id = `op-${this.next++}`;
    const update: OperationUpdate = {
      id,
      kind: request.kind,
      title: titleOf(request, target),
      target,
      state: "running",
      startedAt: new Date().toISOString(),
      finishedAt: null,
      progress: [],
      error: null,
      result: null,
    };
    this.operations.push(update);
    while (this.operations.length > 50) this.operations.shift();
    this.emit(update);
    void this.run(update, request).catch((e: unknown) => {
      if (!(e instanceof Cancelled)) throw e;
      const reached = [...update.progress].reverse().find((p) => p.kind === "step");
      update.state = "cancelled";
      update.error = {
        code: "interrupted",
        message: `cancelled ${reached?.kind === "step" ? `during its ${reached.name} step` : "before its first step"}: what was done stays; Recover on the instance page (\`berth recover ${update.target.name}\`) resumes or undoes it`,
      };
      update.finishedAt = new Date().toISOString();
      this.emit(update);
    });
    return id;
  }

  /** Plays the operation: progress on timers, then the outcome and its effect on the fixtures. */
  private async run(update: OperationUpdate, request: OperationRequest) {
    const step = async (event: ProgressEvent, ms: number) => {
      await sleep(ms * this.scale);
      if (this.cancelling.delete(update.id)) throw new Cancelled();
      update.progress = [...update.progress, event].slice(-8);
      this.emit(update);
    };
    const finish = (error: ApiError | null, result: OperationResult | null) => {
      update.state = error ? "failed" : "succeeded";
      update.error = error;
      update.result = result;
      update.finishedAt = new Date().toISOString();
      this.emit(update);
    };
    const t = update.target;
    await sleep(150 * this.scale);
    const unreachable = this.contextError(t.context);
    if (unreachable) return finish(unreachable, null);
    const existing = this.find(t);
    if (request.kind !== "install" && !existing) {
      return finish({ code: "notFound", message: `no instance ${t.name} in ${t.context}/${t.namespace}` }, null);
    }
    if (existing && this.changedElsewhere(t)) {
      // its lock is held by the process running that change (the fixtures' pending revisions)
      return finish(
        {
          code: "conflict",
          message: `another Berth process (the app or a CLI) is changing ${t.name} in ${t.context}/${t.namespace} right now; try again when it has finished (\`berth history ${t.name}\` shows it)`,
        },
        null,
      );
    }
    if (request.kind === "install" && existing) {
      return finish(
        {
          code: "conflict",
          message: `an instance named ${t.name} already exists in ${t.context}/${t.namespace}: pick another name, or reconfigure it instead`,
        },
        null,
      );
    }
    const replicas = Number((existing?.parameters as Record<string, JsonValue> | undefined)?.replicas ?? 1) || 1;
    const pods = async (total: number) => {
      await step({ kind: "step", name: "wait" }, 200);
      for (let ready = 0; ready <= total; ready++) {
        await step({ kind: "pods", ready, total }, 500);
        if (ready === 0) await step({ kind: "event", message: `Pod ${t.name}-0: Pulled image; Started container` }, 300);
      }
    };
    switch (request.kind) {
      case "install": {
        await step({ kind: "step", name: "dry-run" }, 400);
        const refusal = quotaRefusal(t, request.values);
        if (refusal) return finish(refusal, null);
        if (t.name.startsWith("broken")) {
          return finish(
            {
              code: "invalidInput",
              message: `parameter "storage": "lots" is not a quantity: use a number with a unit such as 10Gi`,
            },
            null,
          );
        }
        await step({ kind: "step", name: "apply" }, 200);
        const objects = ["Secret", "ConfigMap", "Service", "StatefulSet"];
        for (const [i, kind] of objects.entries()) {
          await step({ kind: "applied", done: i + 1, total: objects.length, object: `${kind} ${t.name}` }, 250);
        }
        const want = Number((request.values as Record<string, JsonValue> | null)?.replicas ?? 1) || 1;
        await pods(want);
        const created = instance(t.context, t.name, request.service, request.version ?? MOCK_VERSIONS[request.service]?.at(-1) ?? "1", {
          replicas: want,
          namespace: t.namespace,
          created: new Date().toISOString(),
        });
        this.instances.push(created);
        this.record(created, "install");
        return finish(null, {
          kind: "install",
          context: t.context,
          namespace: t.namespace,
          name: t.name,
          service: created.service,
          version: created.version,
          revision: 1,
          createdNamespace: false,
          ready: true,
          dryRun: false,
          objects: [],
        });
      }
      case "stop": {
        const inst = existing!;
        await step({ kind: "step", name: `scale StatefulSet ${t.name} to 0` }, 500);
        await step({ kind: "pods", ready: 0, total: 0 }, 500);
        inst.health = "stopped";
        inst.podsReady = 0;
        inst.podsTotal = 0;
        inst.reason = null;
        const rev = this.record(inst, "stop");
        return finish(null, { kind: "stop", context: t.context, namespace: t.namespace, name: t.name, changed: true, revision: rev, workloads: [] });
      }
      case "start":
      case "restart": {
        const inst = existing!;
        if (inst.health === "degraded") {
          // a crash-looping pod stays down: the wait times out, as it would on a cluster
          await step({ kind: "step", name: `${request.kind} StatefulSet ${t.name}` }, 300);
          await step({ kind: "step", name: "wait" }, 200);
          await step({ kind: "pods", ready: inst.podsReady, total: inst.podsTotal }, 400);
          await step({ kind: "event", message: `Pod/${t.name}-2: BackOff Back-off restarting failed container` }, 300);
          return finish(
            {
              code: "cluster",
              message: `${t.name} was not ready after 300 s: ${inst.podsReady} of ${inst.podsTotal} pods ready, last event: Pod/${t.name}-2: BackOff Back-off restarting failed container; \`berth status ${t.name}\` shows more`,
            },
            null,
          );
        }
        if (request.kind === "restart") await step({ kind: "step", name: `restart StatefulSet ${t.name}` }, 300);
        else await step({ kind: "step", name: `scale StatefulSet ${t.name} to ${replicas}` }, 300);
        inst.health = "progressing";
        inst.podsTotal = replicas;
        inst.podsReady = 0;
        await pods(replicas);
        inst.health = "ready";
        inst.podsReady = replicas;
        inst.reason = null;
        if (request.kind === "start" && inst.fenced) {
          // a start lifts a transfer's fence, as the core's does
          await step({ kind: "step", name: "fence lifted" }, 200);
          inst.fenced = false;
        }
        const rev = this.record(inst, request.kind);
        return finish(
          null,
          request.kind === "restart"
            ? { kind: "restart", context: t.context, namespace: t.namespace, name: t.name, revision: rev }
            : { kind: "start", context: t.context, namespace: t.namespace, name: t.name, changed: true, revision: rev, workloads: [] },
        );
      }
      case "reconfigure": {
        const inst = existing!;
        await step({ kind: "step", name: "dry-run" }, 400);
        await step({ kind: "step", name: "apply" }, 200);
        await step({ kind: "applied", done: 1, total: 2, object: `ConfigMap berth-${t.name}` }, 250);
        await step({ kind: "applied", done: 2, total: 2, object: `StatefulSet ${t.name}` }, 250);
        await pods(replicas);
        const from = inst.version;
        let operation: RevisionOperation = "reconfigure";
        if (request.rollback || request.rollbackTo !== null) {
          operation = "rollback";
          const to = this.revisions.find((r) => r.name === t.name && r.context === t.context && r.revision === request.rollbackTo);
          if (to) {
            inst.version = to.version;
            inst.parameters = to.parameters;
          }
        } else if (request.version) {
          operation = "upgrade";
          inst.version = request.version;
        }
        const rev = this.record(inst, operation);
        return finish(null, {
          kind: "reconfigure",
          context: t.context,
          namespace: t.namespace,
          name: t.name,
          operation,
          fromVersion: from,
          version: inst.version,
          changes: [],
          revision: rev,
        });
      }
      case "uninstall": {
        const inst = existing!;
        await step({ kind: "step", name: "uninstall" }, 600);
        this.instances.splice(this.instances.indexOf(inst), 1);
        const rev = this.record(inst, "uninstall");
        return finish(null, {
          kind: "uninstall",
          context: t.context,
          namespace: t.namespace,
          name: t.name,
          deleted: [`StatefulSet ${t.name}`, `Service ${t.name}`, `ConfigMap berth-${t.name}`],
          keptVolumes: request.deleteData ? [] : [`data-${t.name}-0`],
          revision: rev,
        });
      }
    }
  }

  /** Whether another process is changing the instance: a revision of it is still pending. */
  private changedElsewhere(t: OperationTarget): boolean {
    return this.revisions.some(
      (r) => r.context === t.context && r.namespace === t.namespace && r.name === t.name && r.status === "pending",
    );
  }

  /** Appends a succeeded revision (the previous one becomes superseded) and returns its number. */
  private record(inst: InstanceSummary, operation: RevisionOperation): number {
    const mine = this.revisions.filter((r) => r.context === inst.context && r.namespace === inst.namespace && r.name === inst.name);
    const n = Math.max(0, ...mine.map((r) => r.revision)) + 1;
    for (const r of mine) if (r.status === "succeeded") r.status = "superseded";
    inst.revision = n;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    this.revisions.unshift({
      ...revision(inst, n, operation, "succeeded", 0),
      startedAt: now,
      finishedAt: now,
    });
    return n;
  }
}
