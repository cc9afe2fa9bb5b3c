import "./app/locale-init";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient } from "@tanstack/react-query";
import { selectBackend } from "./ipc";
import { App } from "./app/App";
import { contextListQuery } from "./contexts/queries";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { refetchOnWindowFocus: false, retry: false, staleTime: 30_000 },
  },
});

void selectBackend().then((backend) => {
  // the home screen starts with the context list: ask for it while React renders the first frame
  void queryClient.prefetchQuery(contextListQuery(backend));
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App backend={backend} queryClient={queryClient} />
    </StrictMode>,
  );
});
