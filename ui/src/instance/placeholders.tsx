import { EmptyState } from "../components/EmptyState";
import type { InstanceAddress } from "../services/keys";

/**
 * Stand-ins for the Connect, Logs and Metrics panels, which the "observe" work provides
 * (`ConnectPanel.tsx`, `LogsPanel.tsx`, `MetricsPanel.tsx` in this folder). When those land, the
 * lead points the three exports below at them; the Instance page imports only from here.
 */
function Placeholder({ title, what }: { title: string; what: string }) {
  return (
    <EmptyState icon={<span aria-hidden="true">…</span>} title={title}>
      <p>{what}</p>
      <p>This panel is not part of this build yet.</p>
    </EmptyState>
  );
}

/** Props every instance panel takes. */
export interface InstancePanelProps {
  instance: InstanceAddress;
}

export function ConnectTab(_: InstancePanelProps) {
  return (
    <Placeholder
      title="Connect"
      what="A one-click port-forward to a free local port, the connection URI with copy buttons and the password on request."
    />
  );
}

export function LogsTab(_: InstancePanelProps) {
  return <Placeholder title="Logs" what="The live log stream of every pod, with a pod filter, search, pause and follow." />;
}

export function MetricsTab(_: InstancePanelProps) {
  return <Placeholder title="Metrics" what="CPU and memory per pod over time, from the cluster's metrics API." />;
}
