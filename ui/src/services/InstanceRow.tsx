import { Link } from "wouter";
import { CloseIcon } from "../components/action-icons";
import { ErrorPanel } from "../components/ErrorPanel";
import type { InstanceSummary, UsageSeries } from "../ipc";
import { OperationError, ProgressSteps } from "../operations";
import { formatAge, formatTime } from "./format";
import { HealthBadge } from "./HealthBadge";
import { instancePath } from "./keys";
import { LifecycleButtons, useLifecycle } from "./lifecycle";
import { MetricsSlot } from "./MetricsSlot";

/** One instance on the Services screen: health, what and where, endpoint, CPU and memory, age, actions. */
export function InstanceRow({ instance, usage }: { instance: InstanceSummary; usage?: UsageSeries }) {
  const lifecycle = useLifecycle(instance);
  const id = `${instance.context}/${instance.namespace}/${instance.name}`;
  return (
    <li className="instance-row" data-instance={id} data-health={instance.health}>
      <div className="instance-row__main">
        <div className="instance-row__title">
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
