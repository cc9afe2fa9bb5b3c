/**
 * Startup marks: when each step towards the first interactive Services screen happened, in ms
 * since the webview's navigation started (`performance.now()`). Sent once with the first-paint
 * report, so the startup benchmark (scripts/bench-desktop.sh) can say where the time goes:
 * the entry script loaded, the backend chosen, the context list answered, the first context's
 * listing answered, the screen ready, its frame drawn.
 */
const marks: Record<string, number> = {};

/** Records `name` once (the first time it happens). */
export function mark(name: string): void {
  marks[name] ??= Math.round(performance.now());
}

/** Every mark so far, plus what the browser knows of the page and entry script loads. */
export function startupMarks(): Record<string, number> {
  const out: Record<string, number> = {};
  const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
  if (nav) {
    out.htmlLoaded = Math.round(nav.responseEnd);
    out.domInteractive = Math.round(nav.domInteractive);
  }
  for (const entry of performance.getEntriesByType("resource") as PerformanceResourceTiming[]) {
    if (/\/assets\/index-[^/]*\.js$/.test(entry.name)) out.entryScriptLoaded = Math.round(entry.responseEnd);
  }
  return { ...out, ...marks };
}
