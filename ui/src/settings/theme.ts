import { useEffect } from "react";
import type { Theme } from "../ipc";
import { useSettings } from "../install/queries";

/** Puts the chosen theme on <html data-theme>; `system` leaves it to the OS. */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  if (theme === "system") {
    delete root.dataset.theme;
    root.style.colorScheme = "";
  } else {
    root.dataset.theme = theme;
    root.style.colorScheme = theme;
  }
}

/** Applies the stored theme whenever it loads or changes. */
export function useStoredTheme(): void {
  const settings = useSettings();
  const theme = settings.data?.theme;
  useEffect(() => {
    if (theme) applyTheme(theme);
  }, [theme]);
}

/** Renders nothing; keeps the theme in force (mounted once by the app frame). */
export function ThemeFromSettings() {
  useStoredTheme();
  return null;
}
