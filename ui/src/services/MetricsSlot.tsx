import type { InstanceSummary } from "../ipc";

/**
 * Where an instance's CPU and memory sparklines go. They need the metrics API (the "observe"
 * work: metrics.k8s.io through berth-api); until it is wired in, the slot keeps its size so the
 * row does not shift, and shows no made-up data.
 */
export function MetricsSlot({ instance }: { instance: InstanceSummary }) {
  return (
    <div
      className="metrics-slot"
      data-slot="metrics"
      data-instance={`${instance.context}/${instance.namespace}/${instance.name}`}
      aria-hidden="true"
      title="CPU and memory will show here"
    />
  );
}
