/**
 * A tiny line chart drawn as one SVG polyline: enough for a row's CPU and memory trend, and a few
 * hundred bytes instead of uPlot (which is lazy-loaded for the Metrics tab only).
 */

/** The SVG `points` of `values` scaled into a `width` × `height` box (1 px inset), oldest left. */
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  const inset = 1;
  const h = height - 2 * inset;
  const y = (v: number) => (span === 0 ? height / 2 : inset + h - ((v - min) / span) * h);
  if (values.length === 1) return `${inset},${y(values[0]!)} ${width - inset},${y(values[0]!)}`;
  const step = (width - 2 * inset) / (values.length - 1);
  return values.map((v, i) => `${round(inset + i * step)},${round(y(v))}`).join(" ");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function Sparkline({
  values,
  width = 64,
  height = 14,
  label,
  className,
}: {
  values: readonly number[];
  width?: number;
  height?: number;
  /** What it shows, for screen readers and the tooltip. */
  label: string;
  className?: string;
}) {
  const points = sparklinePoints(values, width, height);
  const last = values.length > 0 ? sparklinePoints(values.slice(-1), width, height).split(" ")[1] : null;
  return (
    <svg
      className={className ? `sparkline ${className}` : "sparkline"}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      data-points={values.length}
    >
      <title>{label}</title>
      {points ? <polyline points={points} fill="none" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" /> : null}
      {last && values.length > 0 ? <circle cx={width - 1} cy={Number(last.split(",")[1])} r="1.6" /> : null}
    </svg>
  );
}
