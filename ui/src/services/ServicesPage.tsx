import { useMemo, useState } from "react";
import { Link } from "wouter";
import { failureTitle } from "../components/failure";
import { useReportFirstPaint } from "../app/first-paint";
import { mark } from "../app/startup-marks";
import { EmptyState } from "../components/EmptyState";
import { ErrorPanel } from "../components/ErrorPanel";
import { InlineCode } from "../components/InlineCode";
import { AlertIcon, RefreshIcon, SearchIcon, ServicesIcon } from "../components/icons";
import { LocationBadge } from "../contexts/LocationBadge";
import { useContextList } from "../contexts/queries";
import type { ContextInfo, HealthState, InstanceSummary, StandbyInfo, UnreachableContext } from "../ipc";
import { instanceId, placeStandbys } from "../standby/model";
import { useStandbys } from "../standby/queries";
import { filterInstances, groupByContext, HEALTH_LABELS, NO_INSTANCE_FILTER, SORT_LABELS, sortInstances, type InstanceFilter, type InstanceSort } from "./format";
import { BulkBar, type Selection } from "./BulkBar";
import { InstanceRow } from "./InstanceRow";
import { useInstances } from "./queries";
import { usageKey, useInstanceUsage } from "./usage";
import "./services.css";

function Summary({
  instances,
  unreachable,
  pending,
}: {
  instances: InstanceSummary[];
  unreachable: UnreachableContext[];
  pending: number;
}) {
  const count = (h: HealthState) => instances.filter((i) => i.health === h).length;
  const parts = [`${instances.length} ${instances.length === 1 ? "service" : "services"}`];
  for (const h of ["ready", "progressing", "degraded", "stopped"] as const) {
    const n = count(h);
    if (n) parts.push(`${n} ${HEALTH_LABELS[h].toLowerCase()}`);
  }
  if (unreachable.length) parts.push(`${unreachable.length} ${unreachable.length === 1 ? "context" : "contexts"} unreachable`);
  if (pending) parts.push(`asking ${pending} more ${pending === 1 ? "context" : "contexts"}…`);
  return (
    <p className="page-header__summary" aria-live="polite" data-testid="services-summary">
      {parts.join(" · ")}
    </p>
  );
}

function GroupHeader({ context, info, count }: { context: string; info?: ContextInfo; count?: number }) {
  return (
    <header className="service-group__header">
      <h2 title={context}>{context}</h2>
      {info ? <LocationBadge location={info.location} inferred={info.locationInferred} /> : null}
      {count !== undefined ? (
        <span className="service-group__count">
          {count} {count === 1 ? "service" : "services"}
        </span>
      ) : null}
    </header>
  );
}

function UnreachableGroup({ item, info }: { item: UnreachableContext; info?: ContextInfo }) {
  return (
    <section className="service-group service-group--unreachable" aria-label={item.context} data-context={item.context} data-unreachable="true">
      <GroupHeader context={item.context} info={info} />
      <div className="service-group__problem" role="note">
        <AlertIcon aria-hidden="true" />
        <div>
          <strong>Cannot list services: {item.failure ? failureTitle(item.failure) : "the cluster did not answer"}.</strong>
          <p>
            <InlineCode text={item.message} />
          </p>
          {item.hint ? (
            <p className="service-group__hint">
              <InlineCode text={item.hint} />
            </p>
          ) : null}
          <Link href="/contexts" className="service-group__link">
            Check it on the Contexts page
          </Link>
        </div>
      </div>
    </section>
  );
}

/**
 * One context's instances. Their CPU and memory come in one request per context (the cluster's
 * metrics API), asked as soon as the context has answered.
 */
function ServiceGroup({
  context,
  info,
  items,
  under,
  pairs,
  selection,
}: {
  context: string;
  info?: ContextInfo;
  items: InstanceSummary[];
  under: Map<string, InstanceSummary[]>;
  pairs: Map<string, StandbyInfo>;
  selection: Selection;
}) {
  const usage = useInstanceUsage(items);
  return (
    <section className="service-group" aria-label={context} data-context={context}>
      <GroupHeader context={context} info={info} count={items.length} />
      <ul className="instance-list">
        {items.flatMap((i) => [
          <InstanceRow
            key={`${i.namespace}/${i.name}`}
            instance={i}
            usage={usage.byKey.get(usageKey(i))}
            pair={pairs.get(instanceId(i))}
            selected={selection.has(instanceId(i))}
            onSelect={() => selection.toggle(i)}
          />,
          // its standbys (in any context) right under it
          ...(under.get(instanceId(i)) ?? []).map((s) => (
            <InstanceRow key={`standby:${instanceId(s)}`} instance={s} pair={pairs.get(instanceId(s))} nested />
          )),
        ])}
      </ul>
    </section>
  );
}

/** A context still being asked: its header and one skeleton row, where its group will be. */
function PendingGroup({ context, info }: { context: string; info?: ContextInfo }) {
  return (
    <section
      className="service-group service-group--pending"
      aria-label={`Loading services in ${context}`}
      aria-busy="true"
      data-context={context}
      data-pending="true"
    >
      <GroupHeader context={context} info={info} />
      <ul className="instance-list">
        <li className="instance-row instance-row--skeleton" />
      </ul>
    </section>
  );
}

function Skeleton() {
  return (
    <div aria-busy="true" aria-label="Loading services">
      {[0, 1].map((g) => (
        <section key={g} className="service-group">
          <div className="skeleton skeleton--title" />
          <ul className="instance-list">
            {[0, 1].map((i) => (
              <li key={i} className="instance-row instance-row--skeleton" />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function NoServices() {
  return (
    <EmptyState
      icon={<ServicesIcon />}
      title="No services installed"
      actions={
        <>
          <Link href="/catalog" className="button button--primary">
            Browse the catalog
          </Link>
          <Link href="/contexts" className="button">
            Check your contexts
          </Link>
        </>
      }
    >
      <p>
        Services you install with Berth (Postgres, Redis, Kafka…) appear here, grouped by the cluster they run on, with
        their health, version and endpoints.
      </p>
      <p>Pick a service in the Catalog, or make sure Berth can reach a cluster on the Contexts page first.</p>
    </EmptyState>
  );
}

/**
 * Home: every instance in every context, grouped by context, with one-click lifecycle actions.
 * Each context is asked on its own: groups appear as their contexts answer (a pending context
 * holds its place with a skeleton row), unreachable contexts follow with their reason.
 */
export function ServicesPage() {
  mark("servicesRender");
  const list = useInstances();
  const contexts = useContextList();
  const [filter, setFilter] = useState<InstanceFilter>(NO_INSTANCE_FILTER);
  const [sort, setSort] = useState<InstanceSort>("name");
  const [selected, setSelected] = useState<Map<string, InstanceSummary>>(new Map());
  const selection: Selection = {
    has: (id) => selected.has(id),
    toggle: (i) =>
      setSelected((now) => {
        const next = new Map(now);
        if (!next.delete(instanceId(i))) next.set(instanceId(i), i);
        return next;
      }),
    clear: () => setSelected(new Map()),
    // the newest summaries of what is selected (a row's health changes while it stays selected)
    items: () => instances.filter((i) => selected.has(instanceId(i))),
  };
  const { instances, unreachable, pending, settled } = list;
  const firstAnswer = list.listings.some((l) => l.status === "success");
  if (firstAnswer) mark("firstListing");
  // interactive: the context list is on screen and either a context's instances are painted, or
  // every context has settled (all unreachable, each with its reason), or there is no context;
  // contexts still waited for show a skeleton group of their own and do not count
  useReportFirstPaint(!list.isPending && (list.error !== null || firstAnswer || settled));

  const infos = useMemo(() => new Map((contexts.data?.contexts ?? []).map((c) => [c.name, c])), [contexts.data]);
  const order = useMemo(() => (contexts.data?.contexts ?? []).map((c) => c.name), [contexts.data]);
  // a standby goes right under its active (when that is shown), whatever its context
  const placed = placeStandbys(sortInstances(filterInstances(instances, filter), sort));
  const shown = placed.rows;
  const standbys = useStandbys();
  const pairs = useMemo(() => new Map((standbys.data ?? []).map((p) => [p.standby, p])), [standbys.data]);
  const contextNames = [...new Set(instances.map((i) => i.context))].sort();
  const filtering = filter.text !== "" || filter.health !== "all" || filter.context !== "all";
  const shownUnreachable = filtering ? [] : unreachable;
  // pending contexts keep their kubeconfig place among the groups of those that answered
  const shownPending = pending.filter((c) => filter.context === "all" || filter.context === c);
  const groups: [string, InstanceSummary[]][] = groupByContext(
    [...shown, ...shownPending.map((context) => ({ context, pending: true as const }))],
    order,
  ).map(([context, items]) => [context, items.filter((i): i is InstanceSummary => !("pending" in i))]);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Services</h1>
          {!list.isPending && !list.error && (instances.length > 0 || unreachable.length > 0) ? (
            <Summary instances={instances} unreachable={unreachable} pending={pending.length} />
          ) : null}
        </div>
        <button
          type="button"
          className="button"
          onClick={() => void list.refetch()}
          disabled={list.isFetching}
          aria-label="Refresh services"
        >
          <RefreshIcon className={list.isFetching ? "spin" : undefined} /> Refresh
        </button>
      </header>

      {list.isPending ? (
        <Skeleton />
      ) : list.error ? (
        <ErrorPanel error={list.error} fallbackTitle="Services could not be listed" onRetry={() => void list.refetch()} />
      ) : settled && instances.length === 0 && unreachable.length === 0 ? (
        <NoServices />
      ) : (
        <>
          <div className="toolbar" role="search">
            <label className="search">
              <SearchIcon aria-hidden="true" />
              <span className="visually-hidden">Search services</span>
              <input
                type="search"
                placeholder="Search by name, service, namespace, endpoint…"
                value={filter.text}
                onChange={(e) => setFilter({ ...filter, text: e.target.value })}
              />
            </label>
            <label className="toolbar__filter">
              <span>Health</span>
              <select
                className="select"
                aria-label="Filter by health"
                value={filter.health}
                onChange={(e) => setFilter({ ...filter, health: e.target.value as InstanceFilter["health"] })}
              >
                <option value="all">All</option>
                {(["ready", "progressing", "degraded", "stopped"] as const).map((h) => (
                  <option key={h} value={h}>
                    {HEALTH_LABELS[h]}
                  </option>
                ))}
              </select>
            </label>
            <label className="toolbar__filter">
              <span>Sort</span>
              <select className="select" aria-label="Sort services" value={sort} onChange={(e) => setSort(e.target.value as InstanceSort)}>
                {(Object.keys(SORT_LABELS) as InstanceSort[]).map((k) => (
                  <option key={k} value={k}>
                    {SORT_LABELS[k]}
                  </option>
                ))}
              </select>
            </label>
            <label className="toolbar__filter">
              <span>Context</span>
              <select
                className="select"
                aria-label="Filter by context"
                value={filter.context}
                onChange={(e) => setFilter({ ...filter, context: e.target.value })}
              >
                <option value="all">All</option>
                {contextNames.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <BulkBar selection={selection} />
          {settled && instances.length === 0 ? (
            <p className="services-none">No services installed in the reachable contexts yet. <Link href="/catalog">Browse the catalog</Link>.</p>
          ) : instances.length > 0 && groups.length === 0 ? (
            <div className="no-match">
              <p>No service matches this search.</p>
              <button type="button" className="button" onClick={() => setFilter(NO_INSTANCE_FILTER)}>
                Clear search
              </button>
            </div>
          ) : null}
          {groups.map(([context, items]) =>
            items.length === 0 ? (
              <PendingGroup key={context} context={context} info={infos.get(context)} />
            ) : (
              <ServiceGroup
                key={context}
                context={context}
                info={infos.get(context)}
                items={items}
                under={placed.under}
                pairs={pairs}
                selection={selection}
              />
            ),
          )}
          {shownUnreachable.map((u) => (
            <UnreachableGroup key={u.context} item={u} info={infos.get(u.context)} />
          ))}
        </>
      )}
    </div>
  );
}
