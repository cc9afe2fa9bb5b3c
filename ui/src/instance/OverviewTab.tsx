import { Link } from "wouter";
import { ErrorPanel } from "../components/ErrorPanel";
import type { InstanceDetails } from "../ipc";
import { formatAge, formatTime } from "../services/format";
import { HealthBadge } from "../services/HealthBadge";
import { instancePath } from "../services/keys";
import { configurationFacts, groupEvents } from "./overview-model";

/** Status, the configuration in force, pods with phase and restarts, recent events, volumes. */
export function OverviewTab({ details }: { details: InstanceDetails }) {
  const i = details.instance;
  const configuration = configurationFacts(i.parameters, i.version);
  const events = groupEvents(details.events);
  return (
    <div className="overview">
      <section className="card overview__status" aria-label="Status">
        <dl className="facts">
          <div>
            <dt>Health</dt>
            <dd>
              <HealthBadge health={i.health} pods={[i.podsReady, i.podsTotal]} />
              {i.reason ? <span className="facts__note">{i.reason}</span> : null}
            </dd>
          </div>
          <div>
            <dt>Service</dt>
            <dd>
              {i.service} {i.version}
            </dd>
          </div>
          <div>
            <dt>Endpoint</dt>
            <dd className="mono">{i.endpoint ?? "—"}</dd>
          </div>
          <div>
            <dt>Revision</dt>
            <dd>{i.revision}</dd>
          </div>
          <div>
            <dt>Installed</dt>
            <dd title={formatTime(i.created)}>{i.created ? `${formatAge(i.created)} ago` : "—"}</dd>
          </div>
          <div>
            <dt>Where</dt>
            <dd>
              {i.context} / {i.namespace}
            </dd>
          </div>
        </dl>
      </section>

      <section className="card overview__configuration" aria-labelledby="configuration-title">
        <div className="overview__card-head">
          <h2 id="configuration-title" className="section-title">
            Configuration
          </h2>
          <Link href={instancePath(i, "settings")} className="button button--small">
            Change…
          </Link>
        </div>
        <dl className="facts" data-testid="configuration">
          {configuration.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="pods-title">
        <h2 id="pods-title" className="section-title">
          Pods
        </h2>
        {details.pods.length === 0 ? (
          <p className="muted">{i.health === "stopped" ? "No pods: the service is stopped, its data is kept." : "No pods yet."}</p>
        ) : (
          <table className="table" data-testid="pods">
            <thead>
              <tr>
                <th scope="col">Pod</th>
                <th scope="col">Phase</th>
                <th scope="col">Ready</th>
                <th scope="col">Restarts</th>
                <th scope="col">Node</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {details.pods.map((p) => (
                <tr key={p.name} data-pod={p.name}>
                  <td className="mono">{p.name}</td>
                  <td>
                    {p.phase}
                    {p.reason ? <span className="table__reason"> · {p.reason}</span> : null}
                  </td>
                  <td>{p.ready ? "Yes" : "No"}</td>
                  <td className={p.restarts > 5 ? "table__bad" : undefined}>{p.restarts}</td>
                  <td>{p.node ?? "—"}</td>
                  <td>{formatAge(p.started)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="events-title">
        <h2 id="events-title" className="section-title">
          Recent events
        </h2>
        {events.length === 0 ? (
          <p className="muted">No recent events.</p>
        ) : (
          <ul className="events" data-testid="events">
            {events.map((e, n) => (
              <li key={n} className={`events__item events__item--${e.severity.toLowerCase()}`} title={e.lastSeen ? formatTime(e.lastSeen) : undefined}>
                <span className="events__reason">{e.reason}</span>
                <span className="events__message">{e.message}</span>
                <span className="events__meta">
                  {e.object}
                  {e.count > 1 ? ` · ×${e.count}` : ""}
                  {e.lastSeen ? ` · ${formatAge(e.lastSeen)}` : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="volumes-title">
        <h2 id="volumes-title" className="section-title">
          Volumes
        </h2>
        {details.volumes.length === 0 ? (
          <p className="muted">No volumes.</p>
        ) : (
          <table className="table" data-testid="volumes">
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Size</th>
                <th scope="col">Status</th>
                <th scope="col">Storage class</th>
              </tr>
            </thead>
            <tbody>
              {details.volumes.map((v) => (
                <tr key={v.name}>
                  <td className="mono">{v.name}</td>
                  <td>{v.capacity ?? "—"}</td>
                  <td>{v.phase ?? "—"}</td>
                  <td>{v.storageClass ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** When the details cannot be read. */
export function OverviewError({ error, onRetry }: { error: Parameters<typeof ErrorPanel>[0]["error"]; onRetry: () => void }) {
  return <ErrorPanel error={error} fallbackTitle="The instance could not be read" onRetry={onRetry} />;
}
