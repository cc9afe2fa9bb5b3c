import type { InstanceSummary, UsageSeries } from "../ipc";
import { Sparkline } from "./Sparkline";
import { describeSpan, formatCpu, formatMemory } from "./usage";

/**
 * An instance's CPU and memory sparklines (summed over its pods, from metrics.k8s.io through the
 * core's short usage history). A stopped instance shows nothing; one whose cluster has no metrics
 * API (or did not answer) shows a quiet "—" whose tooltip says why. The slot keeps its size in
 * every state, so the row never shifts.
 */
export function MetricsSlot({ instance, usage }: { instance: InstanceSummary; usage?: UsageSeries }) {
  const id = `${instance.context}/${instance.namespace}/${instance.name}`;
  const common = { className: "metrics-slot", "data-slot": "metrics", "data-instance": id } as const;
  if (instance.health === "stopped") {
    return <div {...common} data-state="stopped" title="Stopped: no pod to measure" />;
  }
  if (!usage || (usage.points.length === 0 && !usage.unavailable)) {
    return <div {...common} data-state="loading" aria-hidden="true" title="Measuring CPU and memory…" />;
  }
  if (usage.points.length === 0) {
    return (
      <div {...common} data-state="unavailable" title={`No CPU and memory: ${usage.unavailable}`}>
        <span className="metrics-slot__none" aria-label={`No CPU and memory: ${usage.unavailable}`}>
          —
        </span>
      </div>
    );
  }
  const cpu = usage.points.map((p) => p.cpuMillicores);
  const memory = usage.points.map((p) => p.memoryBytes);
  const last = usage.points[usage.points.length - 1]!;
  const span = describeSpan(usage);
  const stale = usage.unavailable ? ` (last sample failed: ${usage.unavailable})` : "";
  return (
    <div {...common} data-state={usage.unavailable ? "stale" : "ok"}>
      <div className="metrics-slot__line" title={`CPU ${formatCpu(last.cpuMillicores)} now, ${span}${stale}`}>
        <Sparkline values={cpu} label={`CPU ${formatCpu(last.cpuMillicores)}, ${span}`} className="sparkline--cpu" />
        <span className="metrics-slot__value" data-testid="cpu-now">
          {formatCpu(last.cpuMillicores)}
        </span>
      </div>
      <div className="metrics-slot__line" title={`Memory ${formatMemory(last.memoryBytes)} now, ${span}${stale}`}>
        <Sparkline values={memory} label={`Memory ${formatMemory(last.memoryBytes)}, ${span}`} className="sparkline--memory" />
        <span className="metrics-slot__value" data-testid="memory-now">
          {formatMemory(last.memoryBytes)}
        </span>
      </div>
    </div>
  );
}
