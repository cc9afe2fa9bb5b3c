/** Kubernetes quantities as the install form's sliders and unit pickers see them. */

export type QuantityKind = "cpu" | "memory" | "storage";

/** The unit choices per kind, smallest first, with their size in the kind's base unit. */
export const UNITS: Record<QuantityKind, { unit: string; label: string; factor: number }[]> = {
  cpu: [
    { unit: "m", label: "millicores", factor: 1 },
    { unit: "", label: "cores", factor: 1000 },
  ],
  memory: [
    { unit: "Mi", label: "MiB", factor: 1 },
    { unit: "Gi", label: "GiB", factor: 1024 },
  ],
  storage: [
    { unit: "Mi", label: "MiB", factor: 1 },
    { unit: "Gi", label: "GiB", factor: 1024 },
    { unit: "Ti", label: "TiB", factor: 1024 * 1024 },
  ],
};

/** The slider's stops per kind, as quantities. */
export const STOPS: Record<QuantityKind, string[]> = {
  cpu: ["100m", "250m", "500m", "1", "2", "4", "8", "16"],
  memory: ["128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi", "8Gi", "16Gi", "32Gi", "64Gi"],
  storage: ["1Gi", "2Gi", "5Gi", "10Gi", "20Gi", "50Gi", "100Gi", "200Gi", "500Gi", "1Ti"],
};

/** A quantity split into number and unit (`"1.5"` cores is `{amount: "1.5", unit: ""}`). */
export function splitQuantity(kind: QuantityKind, text: string): { amount: string; unit: string } {
  const units = UNITS[kind].map((u) => u.unit).filter(Boolean);
  const found = units.find((u) => text.endsWith(u));
  if (found) return { amount: text.slice(0, -found.length), unit: found };
  return { amount: text, unit: kind === "cpu" ? "" : UNITS[kind][1]!.unit };
}

/** The size of a quantity in the kind's base unit (millicores or MiB); NaN when not a quantity. */
export function toBase(kind: QuantityKind, text: string): number {
  const { amount, unit } = splitQuantity(kind, text.trim());
  const u = UNITS[kind].find((x) => x.unit === unit);
  if (!u || !/^\d+(\.\d+)?$/.test(amount)) return Number.NaN;
  return Number(amount) * u.factor;
}

/** The slider stop nearest to a quantity (on a log scale). */
export function nearestStop(kind: QuantityKind, text: string): number {
  const v = toBase(kind, text);
  if (!Number.isFinite(v) || v <= 0) return 0;
  let best = 0;
  let bestDistance = Infinity;
  STOPS[kind].forEach((stop, i) => {
    const d = Math.abs(Math.log(toBase(kind, stop)) - Math.log(v));
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best;
}

/** A readable form of a quantity: `500m` → `0.5 cores`, `2Gi` → `2 GiB`. */
export function describeQuantity(kind: QuantityKind, text: string): string {
  const base = toBase(kind, text);
  if (!Number.isFinite(base)) return text;
  if (kind === "cpu") return `${Number((base / 1000).toFixed(3))} ${base === 1000 ? "core" : "cores"}`;
  if (base >= 1024 * 1024) return `${Number((base / 1024 / 1024).toFixed(2))} TiB`;
  if (base >= 1024) return `${Number((base / 1024).toFixed(2))} GiB`;
  return `${base} MiB`;
}
