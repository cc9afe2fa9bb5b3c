import { lazy, Suspense } from "react";
import { PanelBoundary } from "../components/PanelBoundary";
import type { InstanceAddress } from "../services/keys";
import "./panels.css";

/**
 * The Connect, Logs and Metrics tabs of the Instance page: the panels in this folder, loaded on
 * first use so uPlot and the virtual list stay out of the startup bundle.
 */
const ConnectPanel = lazy(() => import("./ConnectPanel").then((m) => ({ default: m.ConnectPanel })));
const LogsPanel = lazy(() => import("./LogsPanel").then((m) => ({ default: m.LogsPanel })));
const MetricsPanel = lazy(() => import("./MetricsPanel").then((m) => ({ default: m.MetricsPanel })));
const TerminalPanel = lazy(() => import("./TerminalPanel").then((m) => ({ default: m.TerminalPanel })));

/** Props every instance panel takes. */
export interface InstancePanelProps {
  instance: InstanceAddress;
}

function Loading() {
  return <div className="chart-skeleton" aria-busy="true" aria-label="Loading" />;
}

export function ConnectTab({ instance }: InstancePanelProps) {
  return (
    <PanelBoundary title="The Connect panel failed">
      <Suspense fallback={<Loading />}>
        <ConnectPanel context={instance.context} namespace={instance.namespace} name={instance.name} />
      </Suspense>
    </PanelBoundary>
  );
}

export function LogsTab({ instance }: InstancePanelProps) {
  return (
    <PanelBoundary title="The Logs panel failed">
      <Suspense fallback={<Loading />}>
        <LogsPanel context={instance.context} namespace={instance.namespace} name={instance.name} />
      </Suspense>
    </PanelBoundary>
  );
}

export function MetricsTab({ instance }: InstancePanelProps) {
  return (
    <PanelBoundary title="The Metrics panel failed">
      <Suspense fallback={<Loading />}>
        <MetricsPanel context={instance.context} namespace={instance.namespace} name={instance.name} />
      </Suspense>
    </PanelBoundary>
  );
}

export function TerminalTab({ instance }: InstancePanelProps) {
  return (
    <PanelBoundary title="The Terminal panel failed">
      <Suspense fallback={<Loading />}>
        {/* a fresh terminal (pod, mode) for each instance */}
        <TerminalPanel
          key={`${instance.context}/${instance.namespace}/${instance.name}`}
          context={instance.context}
          namespace={instance.namespace}
          name={instance.name}
        />
      </Suspense>
    </PanelBoundary>
  );
}
