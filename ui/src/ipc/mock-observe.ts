/**
 * Mock data for the Instance Logs, Connect and Metrics panels (used by `MockBackend`).
 *
 * Instances by name: any name has three pods (`NAME-0..2`) with realistic Postgres-like logs;
 * in follow mode a new line arrives every 400 ms (scaled). The name `bulk` starts with 100,000
 * lines (the virtualisation check), `nometrics` is on a cluster without a metrics API,
 * `stopped` has no ready pod to forward to, and `nothere` does not exist.
 */
import type { ApiError } from "./bindings/ApiError";
import type { InstanceLogLine, InstanceMetrics, InstanceRef, LogStream, LogsInput, ObserveBackend, PodMetrics, PortForwardInput, PortForwardSession } from "./observe";

const MOCK_PASSWORD = "s3cr3t-Pa55word";
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
    const pods: PodMetrics[] = [0, 1, 2].map((p) => {
      const cpu = Math.round(60 + 40 * Math.sin((t + p * 2) / 3) + p * 25);
      const memory = (180 + p * 40 + ((t * 7 + p * 13) % 30)) * 1024 * 1024;
      return {
        pod: `${instance.name}-${p}`,
        timestamp: new Date(BASE_TIME + t * 5000).toISOString(),
        window: "30s",
        cpuMillicores: cpu,
        memoryBytes: memory,
        containers: [{ name: "postgres", cpuMillicores: cpu, memoryBytes: memory }],
      };
    });
    return { kind: "samples", pods };
  }
}

export { MOCK_PASSWORD };
