import { Link, useParams } from "wouter";
import { ChevronLeftIcon } from "../components/action-icons";
import { LocationBadge } from "../contexts/LocationBadge";
import { useContextList } from "../contexts/queries";
import { ProgressSteps } from "../operations";
import { HealthBadge } from "../services/HealthBadge";
import { instancePath, type InstanceAddress } from "../services/keys";
import { FenceNotice, LifecycleButtons, StoppedNotice, useLifecycle } from "../services/lifecycle";
import { pairOf } from "../standby/model";
import { useStandbys } from "../standby/queries";
import { StandbyCard } from "../standby/StandbyCard";
import { useInstanceDetails } from "../services/queries";
import "../services/services.css";
import { HistoryTab } from "./HistoryTab";
import "./instance.css";
import { OverviewError, OverviewTab } from "./OverviewTab";
import { ConnectTab, LogsTab, MetricsTab, TerminalTab } from "./tabs";
import { SettingsTab } from "./SettingsTab";
import type { InstanceDetails, InstanceSummary } from "../ipc";

/** The tabs, in order; the first is the default. */
export const INSTANCE_TABS = [
  { id: "overview", label: "Overview" },
  { id: "connect", label: "Connect" },
  { id: "logs", label: "Logs" },
  { id: "metrics", label: "Metrics" },
  { id: "terminal", label: "Terminal" },
  { id: "history", label: "History" },
  { id: "settings", label: "Settings" },
] as const;

export type InstanceTab = (typeof INSTANCE_TABS)[number]["id"];

function decode(part: string | undefined): string {
  if (!part) return "";
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function Header({ address, instance }: { address: InstanceAddress; instance?: InstanceSummary }) {
  const contexts = useContextList();
  const info = contexts.data?.contexts.find((c) => c.name === address.context);
  return (
    <header className="instance-header">
      <Link href="/services" className="back-link">
        <ChevronLeftIcon /> Services
      </Link>
      <div className="instance-header__row">
        <div className="instance-header__title">
          <h1>{address.name}</h1>
          {instance ? <HealthBadge health={instance.health} pods={[instance.podsReady, instance.podsTotal]} /> : null}
        </div>
        {instance ? <HeaderActions instance={instance} /> : null}
      </div>
      <p className="instance-header__where">
        {instance ? (
          <span>
            {instance.service} {instance.version} ·{" "}
          </span>
        ) : null}
        <span>
          {address.context} / {address.namespace}
        </span>
        {info ? <LocationBadge location={info.location} inferred={info.locationInferred} /> : null}
      </p>
      {instance ? <HeaderFence instance={instance} /> : null}
    </header>
  );
}

/** The fence notice with its Lift fence, when a transfer's fence is up. */
function HeaderFence({ instance }: { instance: InstanceSummary }) {
  const lifecycle = useLifecycle(instance);
  return <FenceNotice instance={instance} lifecycle={lifecycle} />;
}

function HeaderActions({ instance }: { instance: InstanceSummary }) {
  const lifecycle = useLifecycle(instance);
  return (
    <div className="instance-header__actions">
      <LifecycleButtons instance={instance} lifecycle={lifecycle} />
      <TransferButtons instance={instance} />
      {lifecycle.running ? (
        <div className="instance-header__progress">
          <ProgressSteps update={lifecycle.running} compact />
        </div>
      ) : lifecycle.failed ? (
        <div className="instance-header__progress">
          <ProgressSteps update={lifecycle.failed} compact />
        </div>
      ) : null}
    </div>
  );
}

/**
 * Move, Copy and Standby open the transfer wizard; Standby only for an instance that neither
 * has a standby nor is one (those show the Standby card instead).
 */
function TransferButtons({ instance }: { instance: InstanceSummary }) {
  const pairs = useStandbys();
  const paired = instance.standbyOf !== null || (pairs.data !== undefined && pairOf(instance, pairs.data) !== null);
  return (
    <div className="transfer-buttons" role="group" aria-label="Move or copy">
      <Link href={instancePath(instance, "transfer/move")} className="button">
        Move…
      </Link>
      <Link href={instancePath(instance, "transfer/copy")} className="button">
        Copy…
      </Link>
      {paired ? null : (
        <Link
          href={instancePath(instance, "transfer/standby")}
          className="button"
          title="Keep a stopped, fenced copy in another cluster, synced on demand, to switch to"
        >
          Standby…
        </Link>
      )}
    </div>
  );
}

/** What a stopped instance's tab cannot show. */
const STOPPED_WHAT = {
  connect: "is nothing to connect to",
  logs: "are no logs to show",
  metrics: "is nothing to measure",
  terminal: "is no pod to open a terminal in",
} as const;

/** Tabs that need only the instance's address, not its details: they show at once. */
function AddressTab({ tab, address }: { tab: AddressTabId; address: InstanceAddress }) {
  switch (tab) {
    case "connect":
      return <ConnectTab instance={address} />;
    case "logs":
      return <LogsTab instance={address} />;
    case "metrics":
      return <MetricsTab instance={address} />;
    case "terminal":
      return <TerminalTab instance={address} />;
  }
}

type AddressTabId = keyof typeof STOPPED_WHAT;

function isAddressTab(tab: InstanceTab): tab is AddressTabId {
  return tab in STOPPED_WHAT;
}

function TabBody({ tab, details }: { tab: "overview" | "history" | "settings"; details: InstanceDetails }) {
  switch (tab) {
    case "overview":
      return <OverviewTab details={details} />;
    case "history":
      return <HistoryTab instance={details.instance} />;
    case "settings":
      return <SettingsTab instance={details.instance} />;
  }
}

/** One instance: `#/instances/:context/:namespace/:name/:tab?`. */
export function InstancePage() {
  const params = useParams<{ context: string; namespace: string; name: string; tab?: string }>();
  const address: InstanceAddress = { context: decode(params.context), namespace: decode(params.namespace), name: decode(params.name) };
  const tab: InstanceTab = INSTANCE_TABS.some((t) => t.id === params.tab) ? (params.tab as InstanceTab) : "overview";
  const details = useInstanceDetails(address);

  return (
    <div className="page">
      <Header address={address} instance={details.data?.instance} />
      {details.data ? <StandbyCard instance={details.data.instance} /> : null}
      <nav className="tabs" aria-label="Instance sections">
        {INSTANCE_TABS.map((t) => (
          <Link
            key={t.id}
            href={t.id === "overview" ? instancePath(address) : instancePath(address, t.id)}
            className={`tabs__tab${t.id === tab ? " tabs__tab--active" : ""}`}
            aria-current={t.id === tab ? "page" : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <div className="tab-body" data-tab={tab}>
        {isAddressTab(tab) && details.data?.instance.health === "stopped" ? (
          <StoppedNotice instance={details.data.instance} what={STOPPED_WHAT[tab]} />
        ) : isAddressTab(tab) ? (
          <AddressTab tab={tab} address={address} />
        ) : details.isPending ? (
          <div aria-busy="true" aria-label="Loading instance">
            <div className="skeleton" style={{ height: 120, marginBottom: 16 }} />
            <div className="skeleton" style={{ height: 160 }} />
          </div>
        ) : details.data ? (
          <>
            {details.isError ? (
              // e.g. it was just uninstalled: keep what was shown, and say why it is no longer current
              <div className="banner banner--warning" role="status" data-error-code={details.error.code}>
                <span>{details.error.message}</span>
              </div>
            ) : null}
            <TabBody tab={tab} details={details.data} />
          </>
        ) : (
          <OverviewError error={details.error!} onRetry={() => void details.refetch()} />
        )}
      </div>
    </div>
  );
}
