import type { QueryClient } from "@tanstack/react-query";
import { contextListQuery } from "../contexts/queries";
import type { Backend } from "../ipc";
import { contextInstancesQuery } from "../services/queries";
import { mark } from "./startup-marks";

/**
 * How long the first render may wait for the home screen's data. The shell asks every context
 * while the webview starts (src-tauri/src/startup_listing.rs), so the answers are usually there
 * at once and the first frame is the finished Services screen instead of skeletons; a slow
 * context gets its skeleton row after this wait.
 */
export const FIRST_RENDER_WAIT_MS = 150;

/** The app opens on Services: start there instead of redirecting from "/" (one frame less). */
export function startOnServices(): void {
  if (window.location.hash === "" || window.location.hash === "#/") {
    window.history.replaceState(null, "", "#/services");
  }
}

/**
 * Puts the home screen's data in the query cache before React renders: the context list, then
 * (when the app opens on Services) every context's instances. Resolves when all have answered or
 * after `waitMs`, whichever comes first; what is still on its way lands in the cache later, where
 * the screen's queries pick it up. Never rejects: a failure shows where the data is used.
 */
export async function prefetchHome(
  client: QueryClient,
  backend: Backend,
  onServices: boolean,
  waitMs: number = FIRST_RENDER_WAIT_MS,
): Promise<void> {
  const contexts = client.fetchQuery(contextListQuery(backend)).then((list) => {
    mark("contexts");
    return list;
  });
  if (!onServices) {
    contexts.catch(() => undefined);
    return;
  }
  const listings = contexts.then((list) =>
    Promise.all(list.contexts.map((c) => client.prefetchQuery(contextInstancesQuery(backend, c.name)))),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  await Promise.race([listings, waited]).catch(() => undefined);
  clearTimeout(timer);
}
