import { useId } from "react";
import type { ContextInfo, Location } from "../ipc";
import { StarIcon } from "../components/icons";
import { LOCATION_LABELS } from "./format";
import { LocationBadge } from "./LocationBadge";
import { Reachability, type ProbeState } from "./Reachability";
import { useSetFavourite, useSetLocation } from "./queries";

const AUTO = "auto";

/** One context: favourite star, name and details, location badge and editor, reachability. */
export function ContextRow({ info, probe }: { info: ContextInfo; probe: ProbeState }) {
  const favourite = useSetFavourite();
  const location = useSetLocation();
  const selectId = useId();
  const error = favourite.error ?? location.error;

  function onLocationChange(value: string) {
    location.mutate({ name: info.name, location: value === AUTO ? null : (value as Location) });
  }

  return (
    <li className={`context-row${info.current ? " context-row--current" : ""}`} data-context={info.name}>
      <button
        type="button"
        className={`star${info.favourite ? " star--on" : ""}`}
        aria-pressed={info.favourite}
        aria-label={`Favourite ${info.name}`}
        title={info.favourite ? "Remove from favourites" : "Add to favourites"}
        onClick={() => favourite.mutate({ name: info.name, favourite: !info.favourite })}
      >
        <StarIcon filled={info.favourite} />
      </button>

      <div className="context-row__main">
        <div className="context-row__name">
          <h3 title={`${info.name}, defined in ${info.sourceFile}`}>{info.name}</h3>
          {info.current ? (
            <span className="pill pill--current" title="kubectl's current context">
              Current
            </span>
          ) : null}
        </div>
        <dl className="context-row__meta">
          <div>
            <dt>Server</dt>
            <dd className="mono" title={info.server ?? undefined}>
              {info.server ?? "—"}
            </dd>
          </div>
          {info.namespace ? (
            <div>
              <dt>Namespace</dt>
              <dd className="mono">{info.namespace}</dd>
            </div>
          ) : null}
          {info.user ? (
            <div>
              <dt>User</dt>
              <dd className="mono">{info.user}</dd>
            </div>
          ) : null}
        </dl>
        {error ? (
          <p className="row-error" role="alert" data-error-code={error.code}>
            {error.code === "notFound"
              ? `“${info.name}” is no longer in your kubeconfig; the list was reloaded.`
              : error.message}
          </p>
        ) : null}
      </div>

      <div className="context-row__location">
        <LocationBadge location={info.location} inferred={info.locationInferred} />
        <label className="visually-hidden" htmlFor={selectId}>
          Location of {info.name}
        </label>
        <select
          id={selectId}
          className="select"
          value={info.locationInferred ? AUTO : info.location}
          disabled={location.isPending}
          onChange={(e) => onLocationChange(e.target.value)}
        >
          <option value={AUTO}>
            {info.locationInferred ? `Automatic (${LOCATION_LABELS[info.location]})` : "Automatic"}
          </option>
          <option value="laptop">Laptop</option>
          <option value="cloud">Cloud</option>
          <option value="private">Private</option>
        </select>
      </div>

      <div className="context-row__reach">
        <Reachability info={info} probe={probe} />
      </div>
    </li>
  );
}
