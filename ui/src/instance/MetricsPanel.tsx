import { useMemo, useState } from "react";
import { EmptyState } from "../components/EmptyState";
import { ErrorPanel } from "../components/ErrorPanel";
import { AlertIcon } from "../components/icons";
import { align, useMetricsHistory, useMetricsSamples, type InstanceProps } from "./hooks";
import {
  METRICS_RANGES,
  formatMiB,
  historySeries,
  mergeSeries,
  rangeSeconds,
  resourceLines,
  sampleCount,
  type MetricsRange,
} from "./metrics-model";
import { UPlotChart } from "./UPlotChart";
import "./panels.css";

/** The range asked for only to learn the pods' requests and limits (Live shows no kept samples). */
const LIVE_RESOURCES_S = 300;

function bounds(request: string | null, limit: string | null): string {
  return `${request ?? "–"} / ${limit ?? "–"}`;
}

/**
 * CPU and memory of each pod over time with their requests and limits: Live samples every few
 * seconds while the panel is visible; a range (15 min, 1 h, 24 h) shows the samples kept by the app
 * and `berth metrics`, or the cluster's Prometheus when it has one (which alone serves 7 and 30 days),
 * with the live ones appended.
 */
export function MetricsPanel(props: InstanceProps & { intervalMs?: number }) {
  const [range, setRange] = useState<MetricsRange>("live");
  const seconds = rangeSeconds(range);
  const { query, series: live } = useMetricsSamples(props, props.intervalMs ?? 5000);
  const history = useMetricsHistory(props, seconds || LIVE_RESOURCES_S);
  const kept = range === "live" ? undefined : history.data;
  const nowS = Math.floor(Date.now() / 1000);
  const series = useMemo(
    () => (range === "live" ? live : kept ? mergeSeries(historySeries(kept), live, Math.floor(Date.now() / 1000) - seconds) : []),
    [range, live, kept, seconds],
  );
  const names = series.map((s) => s.pod);
  const cpu = useMemo(() => align(series, (s) => s.cpu), [series]);
  const memory = useMemo(() => align(series, (s) => s.memory), [series]);
  const cpuLines = useMemo(() => resourceLines(history.data, "cpu"), [history.data]);
  const memoryLines = useMemo(() => resourceLines(history.data, "memory"), [history.data]);
  const timeWindow: [number, number] | undefined = range === "live" ? undefined : [nowS - seconds, nowS];
  const resources = (pod: string) => history.data?.pods.find((p) => p.pod === pod)?.resources ?? null;
  const data = query.data;
  const label = METRICS_RANGES.find((r) => r.id === range)!.label;
  return (
    <section className="panel" aria-label="Metrics">
      <header className="panel__header">
        <h2>Metrics</h2>
        <div className="segmented metrics-range" role="radiogroup" aria-label="Range">
          {METRICS_RANGES.map((r) => (
            <button type="button" role="radio" key={r.id} aria-checked={range === r.id} aria-pressed={range === r.id} onClick={() => setRange(r.id)}>
              {r.label}
            </button>
          ))}
        </div>
        {data?.kind === "samples" ? (
          range === "live" ? (
            <span className="panel__note">Every {Math.round((props.intervalMs ?? 5000) / 1000)} s · metrics.k8s.io</span>
          ) : (
            <span className="panel__note" data-testid="metrics-history-note" aria-live="polite">
              {history.isPending
                ? "Loading the history…"
                : history.data?.prometheus
                  ? `${sampleCount(series)} samples from Prometheus (${history.data.prometheus}) over the last ${label}`
                  : `${sampleCount(series)} samples over the last ${label}`}
            </span>
          )
        ) : null}
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
                <th scope="col">Request / limit</th>
                <th scope="col">Memory</th>
                <th scope="col">Request / limit</th>
              </tr>
            </thead>
            <tbody>
              {data.pods.map((p) => {
                const r = resources(p.pod);
                return (
                  <tr key={p.pod}>
                    <td className="mono">{p.pod}</td>
                    <td>{p.cpuMillicores} m</td>
                    <td>
                      {bounds(
                        r?.cpuRequestMillicores == null ? null : `${r.cpuRequestMillicores} m`,
                        r?.cpuLimitMillicores == null ? null : `${r.cpuLimitMillicores} m`,
                      )}
                    </td>
                    <td>{formatMiB(p.memoryBytes)}</td>
                    <td>
                      {bounds(
                        r?.memoryRequestBytes == null ? null : formatMiB(r.memoryRequestBytes),
                        r?.memoryLimitBytes == null ? null : formatMiB(r.memoryLimitBytes),
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {range !== "live" && history.data?.notice ? (
            <p className="panel__note" data-testid="metrics-history-notice">
              {history.data.notice}
            </p>
          ) : null}
          {range !== "live" && history.error ? (
            <ErrorPanel error={history.error} fallbackTitle="The history could not be read" onRetry={() => void history.refetch()} />
          ) : (
            <div className="charts">
              <UPlotChart title="CPU (millicores)" unit="m" names={names} data={cpu} lines={cpuLines} timeWindow={timeWindow} />
              <UPlotChart title="Memory (MiB)" unit="MiB" names={names} data={memory} lines={memoryLines} timeWindow={timeWindow} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
