/**
 * WebKitGTK reports the process's POSIX locale as `navigator.language`: under `LANG=C` (a
 * minimal system, a container, CI) that is `"C"`, or `"en_US.UTF-8"`-like strings elsewhere,
 * which are not BCP 47 tags. `Intl` throws `RangeError: invalid language tag` on them, and
 * libraries that pass `navigator.language` to `Intl` at import time (uPlot) fail to load: the
 * Metrics tab went blank in the real app. This module turns the reported value into a valid
 * tag once, before anything else reads it.
 */

/** A valid BCP 47 tag for a POSIX or BCP 47 locale name; `en-US` when nothing usable is left. */
export function languageTag(reported: string | undefined | null): string {
  const candidates = [reported ?? "", (reported ?? "").split(/[.@]/)[0]!.replace(/_/g, "-")];
  for (const c of candidates) {
    if (!c || c === "C" || c === "POSIX") continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(c);
      if (canonical) return canonical;
    } catch {
      // not a tag: try the next form
    }
  }
  return "en-US";
}

/** Replaces an invalid `navigator.language` (and `languages`) with a valid tag; a no-op otherwise. */
export function normaliseNavigatorLanguage(nav: Navigator | undefined = typeof navigator === "undefined" ? undefined : navigator): void {
  if (!nav) return;
  const language = languageTag(nav.language);
  if (language === nav.language) return;
  const languages = Object.freeze([...new Set([language, ...(nav.languages ?? []).map(languageTag)])]);
  Object.defineProperty(nav, "language", { configurable: true, get: () => language });
  Object.defineProperty(nav, "languages", { configurable: true, get: () => languages });
}
