/** How much time an axis shows when there are too few samples to span it: the last 5 minutes. */
export const DEFAULT_WINDOW_S = 300;

/**
 * The time axis range (seconds) for these sample times: the samples' own span once there are two
 * or more; with one (or none), the {@link DEFAULT_WINDOW_S} ending now (or, for an older sample, just
 * after it).
 */
export function timeRange(times: ArrayLike<number>, nowS: number): [number, number] {
  const n = times.length;
  if (n >= 2 && times[n - 1]! > times[0]!) return [times[0]!, times[n - 1]!];
  if (n === 0) return [nowS - DEFAULT_WINDOW_S, nowS];
  const t = times[0]!;
  // a recent sample: the last 5 minutes ending now; an older one: 5 minutes ending just after it
  const end = nowS - t <= DEFAULT_WINDOW_S ? Math.max(t, nowS) : t + 5;
  return [end - DEFAULT_WINDOW_S, end];
}
