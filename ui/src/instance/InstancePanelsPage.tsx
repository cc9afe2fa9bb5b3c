import { ConnectPanel } from "./ConnectPanel";
import { LogsPanel } from "./LogsPanel";
import { MetricsPanel } from "./MetricsPanel";

/**
 * A temporary page (`#/instance-panels/:context/:namespace/:name`) showing the Connect, Metrics and
 * Logs panels of one instance, until the Instance page mounts them in its tabs.
 */
export function InstancePanelsPage({ params }: { params: { context: string; namespace: string; name: string } }) {
  const instance = {
    context: decodeURIComponent(params.context),
    namespace: decodeURIComponent(params.namespace),
    name: decodeURIComponent(params.name),
  };
  return (
    <div className="page page--wide">
      <header className="page-header">
        <div>
          <h1>{instance.name}</h1>
          <p className="page-header__summary">
            {instance.context} · {instance.namespace}
          </p>
        </div>
      </header>
      <div className="panels">
        <ConnectPanel {...instance} />
        <MetricsPanel {...instance} />
        <LogsPanel {...instance} />
      </div>
    </div>
  );
}
