/**
 * Mock data for the Services sparklines and the users list's Reveal (used by `MockBackend`).
 *
 * Each instance gets a smooth, deterministic CPU and memory curve derived from its name, one
 * point every 15 s ending now; every call adds a point, as the real sampler does. Instances in
 * the `onprem-lab` context are on a cluster without a metrics API, `stopped` ones have no pod.
 */
import type { UsagePoint, UsageSeries, UsageTarget } from "./usage";

/** How many points a mock series has (the real history keeps 30). */
export const MOCK_USAGE_POINTS = 30;
/** The context whose cluster has no metrics API in the mock. */
export const NO_METRICS_CONTEXT = "onprem-lab";
const STEP_MS = 15_000;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** The mock usage of instance `name` at step `i` (deterministic). */
export function mockUsagePoint(name: string, i: number, at: number): UsagePoint {
  const h = hash(name);
  const base = 40 + (h % 400);
  const wave = Math.sin((i + (h % 17)) / 3) * 0.35 + Math.sin((i + (h % 5)) / 1.3) * 0.15;
  const mib = 96 + (h % 900);
  return {
    atMs: at,
    cpuMillicores: Math.max(1, Math.round(base * (1 + wave))),
    memoryBytes: Math.round(mib * (1 + wave / 6 + i / 400)) * 1024 * 1024,
  };
}

export class MockUsage {
  private calls = 0;
  constructor(
    private readonly isStopped: (t: UsageTarget) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  instanceUsage(instances: UsageTarget[]): UsageSeries[] {
    this.calls += 1;
    const end = this.now();
    return instances.map((t) => {
      if (t.context === NO_METRICS_CONTEXT) {
        return {
          instance: t,
          points: [],
          unavailable: `the cluster of context "${t.context}" has no working metrics API (metrics.k8s.io: not served); install metrics-server to see CPU and memory`,
        };
      }
      if (this.isStopped(t)) return { instance: t, points: [], unavailable: null };
      const points: UsagePoint[] = [];
      for (let k = MOCK_USAGE_POINTS - 1; k >= 0; k--) {
        const i = this.calls + MOCK_USAGE_POINTS - 1 - k;
        points.push(mockUsagePoint(t.name, i, end - k * STEP_MS));
      }
      return { instance: t, points, unavailable: null };
    });
  }
}

/** The mock's generated password of a user (shown only after Reveal). */
export function mockUserPassword(user: string): string {
  return `Gen3rated-${user}-${(hash(user) % 100000).toString(36)}`;
}

