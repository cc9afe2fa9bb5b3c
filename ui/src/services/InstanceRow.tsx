import { Link } from "wouter";
import { CloseIcon } from "../components/action-icons";
import { ErrorPanel } from "../components/ErrorPanel";
import type { InstanceSummary, StandbyInfo, UsageSeries } from "../ipc";
import { pairAgeWords, splitId } from "../standby/model";
import { OperationError, ProgressSteps } from "../operations";
import { formatAge, formatTime } from "./format";
import { HealthBadge } from "./HealthBadge";
import { instancePath } from "./keys";
import { FenceNotice, LifecycleButtons, useLifecycle } from "./lifecycle";
import { MetricsSlot } from "./MetricsSlot";

/** What a standby's row says: whose standby it is (unless it sits under it) and its data age. */
function StandbyLine({ instance, pair, nested }: { instance: InstanceSummary; pair?: StandbyInfo; nested: boolean }) {
  const active = splitId(instance.standbyOf ?? "");
  return (
    <p className="instance-row__standby" data-testid="standby-line">
      <span className="instance-row__tag">Standby</span>
      {nested ? (
        <span>
          in {instance.context} / {instance.namespace} · kept stopped and fenced ·
        </span>
      ) : (
        <span>
          of {active.name} in {active.context} / {active.namespace} · kept stopped and fenced ·
        </span>
      )}
      <span data-testid="standby-age">{pair ? pairAgeWords(pair) : "data age unknown"}</span>
    </p>
  );
}

/**
 * One instance on the Services screen: health, what and where, endpoint, CPU and memory, age,
 * actions. A standby says whose it is and how old its data is (`nested`: shown right under its
 * active); a fenced instance offers to lift its fence.
 */
export function InstanceRow({
  instance,
  usage,
  pair,
  nested = false,
  selected,
  onSelect,
}: {
  instance: InstanceSummary;
  usage?: UsageSeries;
  pair?: StandbyInfo;
  nested?: boolean;
  /** Whether the row is in the Services selection (bulk actions); no checkbox when undefined. */
  selected?: boolean;
  onSelect?: () => void;
}) {
  const lifecycle = useLifecycle(instance);
  const id = `${instance.context}/${instance.namespace}/${instance.name}`;
  return (
    <li
      className={`instance-row${instance.standbyOf !== null ? " instance-row--standby" : ""}${nested ? " instance-row--nested" : ""}`}
      data-instance={id}
      data-health={instance.health}
      data-standby-of={instance.standbyOf ?? undefined}
      data-fenced={instance.fenced || undefined}
    >
      <div className="instance-row__main">
        <div className="instance-row__title">
          {onSelect ? (
            <input
              type="checkbox"
              className="instance-row__select"
              aria-label={`Select ${instance.name} in ${instance.context}`}
              checked={selected ?? false}
              onChange={onSelect}
            />
          ) : null}
          <Link href={instancePath(instance)} className="instance-row__name">
            {instance.name}
          </Link>
          <span className="instance-row__service">
            {instance.service} {instance.version}
          </span>
        </div>
        <div className="instance-row__meta">
          <span title="Namespace">{instance.namespace}</span>
          {instance.created ? <span title={`Installed ${formatTime(instance.created)}`}>{formatAge(instance.created)}</span> : null}
        </div>
      </div>
      <div className="instance-row__health">
        <HealthBadge health={instance.health} pods={[instance.podsReady, instance.podsTotal]} />
        {instance.reason ? (
          <p className="instance-row__reason" title={instance.reason}>
            {instance.reason}
          </p>
        ) : null}
      </div>
      <div className="instance-row__endpoint">
        {instance.endpoint ? <span className="mono" title="Endpoint inside the cluster">{instance.endpoint}</span> : null}
      </div>
      <MetricsSlot instance={instance} usage={usage} />
      <LifecycleButtons instance={instance} lifecycle={lifecycle} />
      {instance.standbyOf !== null ? <StandbyLine instance={instance} pair={pair} nested={nested} /> : null}
      <FenceNotice instance={instance} lifecycle={lifecycle} />
      {lifecycle.running ? (
        <div className="instance-row__progress">
          <ProgressSteps update={lifecycle.running} compact />
        </div>
      ) : lifecycle.failed || lifecycle.startError ? (
        <div className="instance-row__progress instance-row__progress--error">
          {lifecycle.failed ? (
            <OperationError update={lifecycle.failed} />
          ) : (
            <ErrorPanel error={lifecycle.startError!} fallbackTitle="The operation could not start" />
          )}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={lifecycle.dismiss}>
            <CloseIcon />
          </button>
        </div>
      ) : null}
    </li>
  );
}
