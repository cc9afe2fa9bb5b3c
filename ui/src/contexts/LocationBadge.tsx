import type { Location } from "../ipc";
import { BuildingIcon, CloudIcon, LaptopIcon } from "../components/icons";
import { LOCATION_LABELS } from "./format";

const ICONS = { laptop: LaptopIcon, cloud: CloudIcon, private: BuildingIcon } as const;

/** Where a cluster runs, as a coloured badge with an icon (colour is never the only cue). */
export function LocationBadge({ location, inferred }: { location: Location; inferred: boolean }) {
  const Icon = ICONS[location];
  return (
    <span
      className={`badge badge--${location}`}
      title={inferred ? `${LOCATION_LABELS[location]} (detected from the server address and cluster name)` : `${LOCATION_LABELS[location]} (set by you)`}
      data-testid="location-badge"
    >
      <Icon />
      {LOCATION_LABELS[location]}
    </span>
  );
}
