/**
 * Mock data for the Instance Logs, Connect and Metrics panels (used by `MockBackend`).
 *
 * Instances by name: any name has three pods (`NAME-0..2`) with realistic Postgres-like logs;
 * in follow mode a new line arrives every 400 ms (scaled). The name `bulk` starts with 100,000
 * lines (the virtualisation check), `nometrics` is on a cluster without a metrics API,
 * `stopped` has no ready pod to forward to, and `nothere` does not exist. Metrics history: every
 * instance was watched, one sample a minute, for the {@link MOCK_HISTORY_S} before the mock started,
 * and every sample served since is kept too.
 */
import type { ApiError } from "./bindings/ApiError";
import type { UsagePoint } from "./bindings/UsagePoint";
import type {
  InstanceLogLine,
  InstanceMetrics,
  InstanceRef,
  LogStream,
  LogsInput,
  MetricsHistory,
  MetricsHistoryInput,
  ObserveBackend,
  PodMetrics,
  PortForwardInput,
  PortForwardSession,
} from "./observe";

const MOCK_PASSWORD = "s3cr3t-Pa55word";
/** How long before the mock started its instances were watched (seconds). */
export const MOCK_HISTORY_S = 3 * 3600;
/** Each mock pod's requests and limits. */
/** The Prometheus the mock lab cluster has (see `metricsHistory`). */
const MOCK_PROMETHEUS = "monitoring/prometheus-server";

const MOCK_RESOURCES = {
  cpuRequestMillicores: 250,
  cpuLimitMillicores: 500,
  memoryRequestBytes: 256 * 1024 * 1024,
  memoryLimitBytes: 512 * 1024 * 1024,
};
const BASE_TIME = Date.parse("2026-11-25T09:00:00Z");

const MESSAGES = [
  "LOG:  database system is ready to accept connections",
  "LOG:  checkpoint starting: time",
  "LOG:  checkpoint complete: wrote 42 buffers (0.3%); 0 WAL file(s) added",
  "LOG:  connection received: host=10.42.0.17 port=51544",
  "LOG:  connection authorized: user=app database=app",
  "WARNING:  there is already a transaction in progress",
  "ERROR:  relation \"orders_archive\" does not exist at character 15",
  "LOG:  automatic vacuum of table \"app.public.orders\": index scans: 1",
  "LOG:  started streaming WAL from primary at 0/3000000 on timeline 1",
  "LOG:  disconnection: session time: 0:00:02.114 user=app database=app host=10.42.0.17",
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pod `p`'s usage at sample number `t`: a slow wave, the pods apart. */
function usage(t: number, p: number): { cpuMillicores: number; memoryBytes: number } {
  return {
    cpuMillicores: Math.round(60 + 40 * Math.sin((t + p * 2) / 3) + p * 25),
    memoryBytes: (180 + p * 40 + ((t * 7 + p * 13) % 30)) * 1024 * 1024,
  };
}

function reject(code: ApiError["code"], message: string): Promise<never> {
  return Promise.reject({ code, message } satisfies ApiError);
}

/** Deterministic line `i` of a pod. */
export function mockLine(name: string, pod: number, i: number): InstanceLogLine {
  const podName = `${name}-${pod}`;
  return {
    pod: podName,
    container: "postgres",
    prefix: podName,
    timestamp: new Date(BASE_TIME + i * 1000 + pod * 137).toISOString(),
    line: `${MESSAGES[(i * 7 + pod * 3) % MESSAGES.length]} (#${i})`,
  };
}

export class MockObserve implements ObserveBackend {
  private readonly scale: number;
  private readonly sessions = new Map<string, PortForwardSession>();
  private nextSession = 0;
  private nextPort = 54320;
  private tick = 0;
  private readonly started = Math.floor(Date.now() / 1000);
  private lastAt = 0;
  /** The samples served, per instance name and pod. */
  private readonly kept = new Map<string, Map<string, UsagePoint[]>>();

  constructor(delayScale: number) {
    this.scale = delayScale;
  }

  streamLogs(input: LogsInput, onLines: (lines: InstanceLogLine[]) => void): LogStream {
    let stopped = false;
    let wake: (() => void) | null = null;
    const name = input.instance.name;
    const pods = [0, 1, 2].filter((p) => !input.pod || input.pod === `${name}-${p}`);
    const done = (async () => {
      await sleep(60 * this.scale);
      if (name === "nothere") {
        return reject("notFound", `no instance "nothere" in namespace "${input.instance.namespace ?? "default"}" (see \`berth ls\`)`);
      }
      if (input.pod && pods.length === 0) {
        return reject("notFound", `${name} has no pod "${input.pod}"; its pods: ${name}-0, ${name}-1, ${name}-2`);
      }
      const initial = name === "bulk" ? 100_000 : 40;
      const perPod = Math.ceil(initial / pods.length);
      // `bulk` ignores the tail: it is the 100k-line check of the virtualised view
      const start = input.tail != null && name !== "bulk" ? Math.max(0, perPod - input.tail) : 0;
      const batch: InstanceLogLine[] = [];
      for (let i = start; i < perPod; i++) for (const p of pods) batch.push(mockLine(name, p, i));
      for (let at = 0; at < batch.length && !stopped; at += 5000) onLines(batch.slice(at, at + 5000));
      let i = perPod;
      while (input.follow && !stopped) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.max(400 * this.scale, 5));
        });
        if (stopped) break;
        onLines([mockLine(name, pods[i % pods.length] ?? 0, i)]);
        i += 1;
      }
    })();
    return {
      done,
      stop: async () => {
        stopped = true;
        wake?.();
        await done.catch(() => {});
      },
    };
  }

  async startPortForward(input: PortForwardInput): Promise<PortForwardSession> {
    await sleep(250 * this.scale);
    const { name, context, namespace } = input.instance;
    if (name === "nothere") return reject("notFound", `no instance "${name}" (see \`berth ls\`)`);
    if (name === "stopped") {
      return reject("invalidInput", `no pod behind Service ${namespace ?? "default"}/${name} is ready; \`berth status ${name}\` shows why (a stopped service starts with \`berth start ${name}\`)`);
    }
    this.nextSession += 1;
    const port = input.port ?? this.nextPort++;
    const session: PortForwardSession = {
      id: `pf-${this.nextSession}`,
      context: context ?? "kind-berth-dev",
      namespace: namespace ?? "default",
      name,
      localHost: "127.0.0.1",
      localPort: port,
      service: name,
      servicePort: 5432,
      pod: `${name}-0`,
      podPort: 5432,
      protocol: "postgresql",
      user: "app",
      uri: `postgresql://app:****@127.0.0.1:${port}/app`,
      hasPassword: true,
    };
    this.sessions.set(session.id, session);
    return { ...session };
  }

  async stopPortForward(id: string): Promise<boolean> {
    await sleep(50 * this.scale);
    return this.sessions.delete(id);
  }

  async portForwards(): Promise<PortForwardSession[]> {
    return [...this.sessions.values()].map((s) => ({ ...s }));
  }

  async revealConnectionUri(id: string): Promise<string> {
    await sleep(80 * this.scale);
    const s = this.sessions.get(id);
    if (!s) return reject("notFound", `no port-forward session "${id}" (it was stopped)`);
    return s.uri.replace("****", MOCK_PASSWORD);
  }

  async instanceMetrics(instance: InstanceRef): Promise<InstanceMetrics> {
    await sleep(80 * this.scale);
    if (instance.name === "nometrics") {
      return {
        kind: "noMetricsApi",
        message: `the cluster of context "${instance.context ?? "kind-berth-dev"}" has no working metrics API (metrics.k8s.io: not served); install metrics-server to see CPU and memory`,
      };
    }
    if (instance.name === "nothere") return reject("notFound", `no instance "nothere" (see \`berth ls\`)`);
    this.tick += 1;
    const t = this.tick;
    // whole seconds as metrics.k8s.io gives them; a quicker poll (the unit tests') still gets a new one
    this.lastAt = Math.max(Math.floor(Date.now() / 1000), this.lastAt + 1);
    const now = this.lastAt;
    const kept = this.kept.get(instance.name) ?? new Map<string, UsagePoint[]>();
    this.kept.set(instance.name, kept);
    const pods: PodMetrics[] = [0, 1, 2].map((p) => {
      const { cpuMillicores: cpu, memoryBytes: memory } = usage(t, p);
      const pod = `${instance.name}-${p}`;
      kept.set(pod, [...(kept.get(pod) ?? []), { atMs: now * 1000, cpuMillicores: cpu, memoryBytes: memory }]);
      return {
        pod,
        timestamp: new Date(now * 1000).toISOString(),
        window: "30s",
        cpuMillicores: cpu,
        memoryBytes: memory,
        containers: [{ name: "postgres", cpuMillicores: cpu, memoryBytes: memory }],
      };
    });
    return { kind: "samples", pods };
  }

  async metricsHistory(input: MetricsHistoryInput): Promise<MetricsHistory> {
    await sleep(120 * this.scale);
    const { name, context, namespace } = input.instance;
    if (name === "nothere") return reject("notFound", `no instance "nothere" (see \`berth ls\`)`);
    if (input.sinceSeconds < 1 || input.sinceSeconds > 30 * 86_400) {
      return reject("invalidInput", `a metrics range is 1 s to 30 days, not ${input.sinceSeconds} s`);
    }
    const to = Math.floor(Date.now() / 1000);
    const from = to - input.sinceSeconds;
    // the lab cluster has a Prometheus: every range comes from it, up to 30 days
    const prometheus = context === "onprem-lab" ? MOCK_PROMETHEUS : null;
    if (prometheus) {
      const step = Math.max(15, Math.floor(input.sinceSeconds / 300));
      const pods = [0, 1, 2].map((p) => {
        const points: UsagePoint[] = [];
        for (let at = from; at <= to; at += step) points.push({ atMs: at * 1000, ...usage(Math.floor(at / 60), p) });
        return { pod: `${name}-${p}`, points, resources: { ...MOCK_RESOURCES } };
      });
      return { context: context ?? "onprem-lab", namespace: namespace ?? "default", name, fromMs: from * 1000, toMs: to * 1000, pods, prometheus, notice: null };
    }
    if (input.sinceSeconds > 86_400) {
      return reject(
        "unsupported",
        `ranges longer than 24 h come from the cluster's Prometheus, and context "${context ?? "kind-berth-dev"}" has none (a Service such as monitoring/prometheus-server); Berth itself keeps 24 h of the samples it takes`,
      );
    }
    const watched = name !== "nometrics";
    const pods = [0, 1, 2].map((p) => {
      const pod = `${name}-${p}`;
      const earlier: UsagePoint[] = [];
      for (let at = this.started - MOCK_HISTORY_S; watched && at < this.started; at += 60) {
        earlier.push({ atMs: at * 1000, ...usage(Math.floor(at / 60), p) });
      }
      const points = [...earlier, ...(this.kept.get(name)?.get(pod) ?? [])].filter((x) => x.atMs >= from * 1000 && x.atMs <= to * 1000);
      return { pod, points, resources: { ...MOCK_RESOURCES } };
    });
    return { context: context ?? "kind-berth-dev", namespace: namespace ?? "default", name, fromMs: from * 1000, toMs: to * 1000, pods, prometheus: null, notice: null };
  }
}

export { MOCK_PASSWORD };
