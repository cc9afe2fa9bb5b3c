/**
 * Mock standbys (used by `MockBackend`): two pairs to start with (one ready, synced minutes ago;
 * one whose active's cluster does not answer, its last sync failed), and create, sync and
 * promote runs journaled as transfers (the same progress events as a move), which change the
 * instances as the core does: a standby is stopped and fenced, a promote swaps the roles.
 */
import type { ApiError } from "./bindings/ApiError";
import type { InstanceSummary } from "./bindings/InstanceSummary";
import type { MockTransfers } from "./mock-transfers";
import type { StandbyBackend, StandbyInfo, StandbyInput, StandbyState } from "./standby";
import type { TransferInfo, TransferProgress } from "./transfers";

/** What the mock standbys need to know of the rest of the mock. */
export interface MockStandbyWorld {
  /** The instances (a create adds one, a promote and a drop change them). */
  instances: InstanceSummary[];
  /** Why a context's cluster does not answer, or `null` when it does. */
  unreachable(context: string): string | null;
  /** The kubeconfig's current context. */
  currentContext(): string;
}

interface Pair {
  id: number;
  definition: string;
  version: string;
  active: string;
  standby: string;
  /** The consistent point the standby holds (ms since the epoch). */
  dataAsOf: number | null;
  state: StandbyState;
  lastError: string | null;
}

function fail(code: ApiError["code"], message: string): never {
  const error: ApiError = { code, message };
  throw error;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function contextOf(id: string): string {
  return id.split("/")[0] ?? "";
}

function nameOf(id: string): string {
  return id.split("/").pop() ?? "";
}

function idOf(i: { context: string; namespace: string; name: string }): string {
  return `${i.context}/${i.namespace}/${i.name}`;
}

function defaultPairs(): Pair[] {
  return [
    {
      id: 3,
      definition: "postgres",
      version: "16",
      active: "gke_acme_europe-west1_prod/shop/orders-db",
      standby: "onprem-lab/lab/orders-db",
      dataAsOf: Date.now() - 12 * 60_000,
      state: "ready",
      lastError: null,
    },
    {
      id: 5,
      definition: "postgres",
      version: "17",
      active: "minikube/default/billing-db",
      standby: "onprem-lab/lab/billing-db",
      dataAsOf: Date.now() - (3 * 60 + 20) * 60_000,
      state: "lastSyncFailed",
      lastError: "cannot reach context minikube: Connection refused by 192.168.49.2:8443",
    },
  ];
}

export class MockStandbys implements StandbyBackend {
  private readonly pairs: Pair[];

  constructor(
    private readonly world: MockStandbyWorld,
    private readonly moves: MockTransfers,
    private readonly scale: number,
    withPairs: boolean,
  ) {
    this.pairs = withPairs ? defaultPairs() : [];
  }

  private info(p: Pair): StandbyInfo {
    return {
      id: p.id,
      definition: p.definition,
      active: p.active,
      standby: p.standby,
      activeContext: contextOf(p.active),
      standbyContext: contextOf(p.standby),
      dataAsOf: p.dataAsOf === null ? null : rfc3339(p.dataAsOf),
      dataAgeSecs: p.dataAsOf === null ? null : Math.max(0, Math.round((Date.now() - p.dataAsOf) / 1000)),
      state: p.state,
      lastError: p.lastError,
    };
  }

  /** The pair `name` belongs to (as its active or its standby); `context` picks one. */
  private pair(name: string, context: string | null): Pair {
    const ctx = context ?? this.world.currentContext();
    const matches = (id: string) => nameOf(id) === name && contextOf(id) === ctx;
    return (
      this.pairs.find((p) => matches(p.standby) || matches(p.active)) ??
      fail("notFound", `${name} in ${ctx} has no standby and is none (see \`berth standby ls\`)`)
    );
  }

  private instance(id: string): InstanceSummary | undefined {
    return this.world.instances.find((i) => idOf(i) === id);
  }

  private fields(p: Pair, kind: string): Pick<TransferInfo, "kind" | "source" | "target" | "definition" | "version" | "targetVersion"> {
    return { kind, source: p.active, target: p.standby, definition: p.definition, version: p.version, targetVersion: p.version };
  }

  private dataBytes(p: Pair): number {
    return (700 + (p.id * 97) % 500) * 1024 * 1024;
  }

  async createStandby(run: string, input: StandbyInput, onProgress: (p: TransferProgress) => void): Promise<TransferInfo> {
    let began = 0;
    const row = await this.moves.journaled(run, onProgress, async () => {
      const context = input.context ?? this.world.currentContext();
      const source = `${context}/${input.options.namespace ?? ""}/${input.options.instance}`;
      const paired = this.pairs.find((p) => p.active === source || p.standby === source);
      if (paired) {
        fail("conflict", `${input.options.instance} is already paired (${paired.active} → ${paired.standby}): drop that pairing first`);
      }
      const plan = await this.moves.plannedOrRefused({ kind: "copy", context: input.context, to: input.on, options: { ...input.options, name: null } });
      began = Date.now();
      const steps = ["provision", ...(plan.carriesData ? ["stream", "verify"] : []), "cutover", "standby"];
      return {
        kind: "standby",
        source: plan.source.join("/"),
        target: plan.target.join("/"),
        definition: plan.definition,
        version: plan.version,
        targetVersion: plan.targetVersion,
        steps,
        total: plan.dataBytes ?? 0,
      };
    });
    const src = this.instance(row.source);
    const [context = "", namespace = "", name = ""] = row.target.split("/");
    if (src) {
      this.world.instances.push({
        ...src,
        context,
        namespace,
        name,
        health: "stopped",
        reason: null,
        podsReady: 0,
        podsTotal: 0,
        endpoint: src.endpoint && `${name}.${namespace}.svc:${src.endpoint.split(":").pop() ?? ""}`,
        created: rfc3339(Date.now()),
        revision: 2,
        fenced: true,
        standbyOf: row.source,
      });
    }
    this.pairs.push({
      id: row.id,
      definition: row.definition,
      version: row.version,
      active: row.source,
      standby: row.target,
      dataAsOf: began,
      state: "ready",
      lastError: null,
    });
    return { ...row };
  }

  async syncStandby(run: string, name: string, context: string | null, onProgress: (p: TransferProgress) => void): Promise<TransferInfo> {
    const p = this.pair(name, context);
    let began = 0;
    let streamed = false;
    const following = (event: TransferProgress) => {
      if (event.type === "step" && event.step === "stream") streamed = true;
      onProgress(event);
    };
    const row = await this.moves.journaled(run, following, async () => {
      await sleep(300 * this.scale);
      const why = this.world.unreachable(contextOf(p.active));
      if (why !== null) {
        p.state = "lastSyncFailed";
        p.lastError = `cannot reach context ${contextOf(p.active)}: ${why}`;
        fail("cluster", `the sync cannot start: the active ${p.active} does not answer (${why}); the standby keeps the data of its last sync`);
      }
      began = Date.now();
      return { ...this.fields(p, "sync"), steps: ["start", "stream", "verify", "standby"], total: this.dataBytes(p) };
    }).catch((e: unknown) => {
      // the import replaces the standby's data in place: cut after its stream began, it is not whole
      if (streamed) Object.assign(p, { state: "incomplete", dataAsOf: null, lastError: null });
      throw e;
    });
    p.dataAsOf = began;
    p.state = "ready";
    p.lastError = null;
    return { ...row };
  }

  async promoteStandby(
    run: string,
    name: string,
    context: string | null,
    force: boolean,
    onProgress: (p: TransferProgress) => void,
  ): Promise<TransferInfo> {
    const p = this.pair(name, context);
    let began: number | null = null;
    const row = await this.moves.journaled(run, onProgress, async () => {
      await sleep(300 * this.scale);
      const why = this.world.unreachable(contextOf(p.active));
      if (force && why === null) {
        fail("invalidInput", `the active ${p.active} answers: a forced promote is refused while it does; promote without force (a planned switch loses nothing)`);
      }
      if (!force && why !== null) {
        fail("conflict", `the active ${p.active} does not answer (${why}): a planned promote needs it; promote with force to start the standby from its last sync`);
      }
      if (force) return { ...this.fields(p, "promote"), steps: ["start", "switch"], total: 0 };
      began = Date.now();
      return { ...this.fields(p, "promote"), steps: ["fence", "start", "stream", "verify", "switch"], total: this.dataBytes(p) };
    });
    const standby = this.instance(p.standby);
    if (standby) {
      const replicas = Number((standby.parameters as { replicas?: number } | null)?.replicas ?? 1);
      Object.assign(standby, { health: "ready", podsReady: replicas, podsTotal: replicas, fenced: false, standbyOf: null, reason: null });
    }
    const active = this.instance(p.active);
    if (active) Object.assign(active, { health: "stopped", podsReady: 0, podsTotal: 0, fenced: true, standbyOf: p.standby, reason: null });
    [p.active, p.standby] = [p.standby, p.active];
    if (began !== null) p.dataAsOf = began;
    p.state = force ? "oldActiveNotFenced" : "ready";
    p.lastError = null;
    return { ...row };
  }

  async standbys(): Promise<StandbyInfo[]> {
    await sleep(120 * this.scale);
    return this.pairs.map((p) => this.info(p));
  }

  async dropStandby(name: string, context: string | null, deleteData: boolean): Promise<StandbyInfo> {
    await sleep(400 * this.scale);
    const p = this.pair(name, context);
    this.pairs.splice(this.pairs.indexOf(p), 1);
    const standby = this.instance(p.standby);
    if (standby && deleteData) this.world.instances.splice(this.world.instances.indexOf(standby), 1);
    else if (standby) standby.standbyOf = null;
    return this.info(p);
  }
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
