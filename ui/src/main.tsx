import "./app/locale-init";
import { mark } from "./app/startup-marks";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient } from "@tanstack/react-query";
import { selectBackend } from "./ipc";
import { App } from "./app/App";
import { prefetchHome, startOnServices } from "./app/startup";
import "./styles.css";

mark("script");

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { refetchOnWindowFocus: false, retry: false, staleTime: 30_000 },
  },
});

startOnServices();

void selectBackend().then(async (backend) => {
  mark("backend");
  // the home screen's data is asked for before React renders (its queries find it in the cache)
  await prefetchHome(queryClient, backend, window.location.hash.startsWith("#/services"));
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App backend={backend} queryClient={queryClient} />
    </StrictMode>,
  );
});
