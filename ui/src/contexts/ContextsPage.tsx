import { useMemo, useState } from "react";
import { useReportFirstPaint } from "../app/first-paint";
import { EmptyState } from "../components/EmptyState";
import { ErrorPanel } from "../components/ErrorPanel";
import { AlertIcon, ContextsIcon, RefreshIcon, SearchIcon } from "../components/icons";
import type { ContextList, KubeconfigProblem, Location } from "../ipc";
import { NO_FILTER, visibleContexts, type ContextFilter } from "./filter";
import { ContextRow } from "./ContextRow";
import { CreateLocalCluster } from "./CreateLocalCluster";
import type { ProbeState } from "./Reachability";
import { useContextList, useContextProbes, useRefreshContexts } from "./queries";

function ProblemsBanner({ problems }: { problems: KubeconfigProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="banner banner--warning" role="alert" data-testid="kubeconfig-problems">
      <AlertIcon className="banner__icon" />
      <div>
        <strong>
          {problems.length === 1 ? "A kubeconfig file has a problem" : `${problems.length} kubeconfig files have problems`}
        </strong>
        <ul>
          {problems.map((p) => (
            <li key={p.file}>
              <span className="mono">{p.file}</span>: {p.message}
            </li>
          ))}
        </ul>
        <span className="banner__note">Contexts from the other files are shown below. Fix the file, then refresh.</span>
      </div>
    </div>
  );
}

function NoContexts({ list, onRefresh }: { list: ContextList; onRefresh: () => void }) {
  return (
    <EmptyState
      icon={<ContextsIcon />}
      title="No Kubernetes contexts yet"
      actions={
        <button type="button" className="button button--primary" onClick={onRefresh}>
          <RefreshIcon /> Refresh
        </button>
      }
    >
      <p>
        Berth reads the same kubeconfig as <code>kubectl</code>: the files listed in the <code>KUBECONFIG</code>{" "}
        environment variable, or else <code>~/.kube/config</code>.
      </p>
      {list.kubeconfigFiles.length > 0 ? (
        <p>
          Looked in:{" "}
          {list.kubeconfigFiles.map((f, i) => (
            <span key={f}>
              {i > 0 ? ", " : ""}
              <code>{f}</code>
            </span>
          ))}
        </p>
      ) : null}
      <p>To try Berth on this machine, create a local cluster with one of:</p>
      <pre className="commands">
        <code>{"kind create cluster\nminikube start\nk3d cluster create"}</code>
      </pre>
      <p>
        For a cloud cluster, let its CLI write the kubeconfig, e.g.{" "}
        <code>gcloud container clusters get-credentials NAME</code> or <code>aws eks update-kubeconfig --name NAME</code>,
        then refresh.
      </p>
    </EmptyState>
  );
}

function Summary({ probes }: { probes: ProbeState[] }) {
  let up = 0;
  let down = 0;
  let checking = 0;
  for (const p of probes) {
    if (p.isFetching || (!p.data && !p.error)) checking++;
    else if (p.data?.reachable) up++;
    else down++;
  }
  const parts = [`${probes.length} ${probes.length === 1 ? "context" : "contexts"}`, `${up} reachable`];
  if (down) parts.push(`${down} unreachable`);
  if (checking) parts.push(`${checking} checking`);
  return (
    <p className="page-header__summary" aria-live="polite" data-testid="contexts-summary">
      {parts.join(" · ")}
    </p>
  );
}

/** Every kubeconfig context: where it runs, whether it answers, and the user's tags. */
export function ContextsPage() {
  const list = useContextList();
  const refresh = useRefreshContexts();
  const [filter, setFilter] = useState<ContextFilter>(NO_FILTER);
  const contexts = list.data?.contexts ?? [];
  const names = useMemo(() => contexts.map((c) => c.name), [contexts]);
  const probes = useContextProbes(names);
  const probeByName = new Map(names.map((n, i) => [n, probes[i]!]));
  const shown = visibleContexts(contexts, filter);
  useReportFirstPaint(list.isSuccess);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Contexts</h1>
          {list.isSuccess && contexts.length > 0 ? <Summary probes={probes} /> : null}
        </div>
        <button
          type="button"
          className="button"
          onClick={() => void refresh()}
          disabled={list.isFetching}
          aria-label="Refresh contexts"
        >
          <RefreshIcon className={list.isFetching ? "spin" : undefined} /> Refresh
        </button>
      </header>
      <CreateLocalCluster />

      {list.isPending ? (
        <ul className="context-list" aria-busy="true" aria-label="Loading contexts">
          {[0, 1, 2].map((i) => (
            <li key={i} className="context-row context-row--skeleton" />
          ))}
        </ul>
      ) : list.isError ? (
        <ErrorPanel error={list.error} fallbackTitle="Contexts could not be loaded" onRetry={() => void list.refetch()} />
      ) : (
        <>
          <ProblemsBanner problems={list.data.problems} />
          {contexts.length === 0 ? (
            <NoContexts list={list.data} onRefresh={() => void refresh()} />
          ) : (
            <>
              <div className="toolbar" role="search">
                <label className="search">
                  <SearchIcon aria-hidden="true" />
                  <span className="visually-hidden">Search contexts</span>
                  <input
                    type="search"
                    placeholder="Search by name, server, namespace…"
                    value={filter.text}
                    onChange={(e) => setFilter({ ...filter, text: e.target.value })}
                  />
                </label>
                <label className="toolbar__filter">
                  <span>Location</span>
                  <select
                    className="select"
                    aria-label="Filter by location"
                    value={filter.location}
                    onChange={(e) => setFilter({ ...filter, location: e.target.value as Location | "all" })}
                  >
                    <option value="all">All</option>
                    <option value="laptop">Laptop</option>
                    <option value="cloud">Cloud</option>
                    <option value="private">Private</option>
                  </select>
                </label>
              </div>
              {shown.length === 0 ? (
                <div className="no-match">
                  <p>No context matches this search.</p>
                  <button type="button" className="button" onClick={() => setFilter(NO_FILTER)}>
                    Clear search
                  </button>
                </div>
              ) : (
                <ul className="context-list" aria-label="Kubernetes contexts">
                  {shown.map((c) => (
                    <ContextRow key={c.name} info={c} probe={probeByName.get(c.name)!} />
                  ))}
                </ul>
              )}
            </>
          )}
        </>
      )}
    </div>
  );
}
