import { useMemo } from "react";
import { EmptyState } from "../components/EmptyState";
import { ErrorPanel } from "../components/ErrorPanel";
import { AlertIcon } from "../components/icons";
import { align, useMetricsSamples, type InstanceProps } from "./hooks";
import { UPlotChart } from "./UPlotChart";
import "./panels.css";

function formatMiB(mib: number): string {
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${Math.round(mib)} MiB`;
}

/** CPU and memory of each pod over time, sampled every few seconds while the panel is visible. */
export function MetricsPanel(props: InstanceProps & { intervalMs?: number }) {
  const { query, series } = useMetricsSamples(props, props.intervalMs ?? 5000);
  const names = series.map((s) => s.pod);
  const cpu = useMemo(() => align(series, (s) => s.cpu), [series]);
  const memory = useMemo(() => align(series, (s) => s.memory), [series]);
  const data = query.data;
  return (
    <section className="panel" aria-label="Metrics">
      <header className="panel__header">
        <h2>Metrics</h2>
        {data?.kind === "samples" ? <span className="panel__note">Every {Math.round((props.intervalMs ?? 5000) / 1000)} s · metrics.k8s.io</span> : null}
      </header>
      {query.error ? (
        <ErrorPanel error={query.error} fallbackTitle="The metrics could not be read" onRetry={() => void query.refetch()} />
      ) : data?.kind === "noMetricsApi" ? (
        <EmptyState icon={<AlertIcon />} title="This cluster has no metrics API">
          <p data-testid="no-metrics">{data.message}</p>
          <p>
            CPU and memory come from <code>metrics.k8s.io</code>, which metrics-server provides. Most local clusters
            add it with one command, e.g. <code>minikube addons enable metrics-server</code>.
          </p>
        </EmptyState>
      ) : !data ? (
        <div className="chart-skeleton" aria-busy="true" aria-label="Loading metrics" />
      ) : data.pods.length === 0 ? (
        <p className="panel__empty">No running pod to measure: is the service stopped?</p>
      ) : (
        <>
          <table className="metrics-table" data-testid="metrics-table">
            <thead>
              <tr>
                <th scope="col">Pod</th>
                <th scope="col">CPU</th>
                <th scope="col">Memory</th>
              </tr>
            </thead>
            <tbody>
              {data.pods.map((p) => (
                <tr key={p.pod}>
                  <td className="mono">{p.pod}</td>
                  <td>{p.cpuMillicores} m</td>
                  <td>{formatMiB(p.memoryBytes / (1024 * 1024))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="charts">
            <UPlotChart title="CPU (millicores)" unit="m" names={names} data={cpu} />
            <UPlotChart title="Memory (MiB)" unit="MiB" names={names} data={memory} />
          </div>
        </>
      )}
    </section>
  );
}
