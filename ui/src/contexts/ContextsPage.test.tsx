import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { BackendProvider } from "../app/backend-context";
import type { Backend, ContextInfo, Location } from "../ipc";
import { MockBackend, type MockFixture } from "../ipc/mock";
import { ContextsPage } from "./ContextsPage";

function renderPage(backend: Backend) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <BackendProvider backend={backend}>
      <QueryClientProvider client={client}>
        <ContextsPage />
      </QueryClientProvider>
    </BackendProvider>,
  );
}

const mock = (fixture: MockFixture = "default") => new MockBackend({ fixture, delayScale: 0 });

function rowOf(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`li[data-context="${name}"]`);
  if (!el) throw new Error(`no row ${name}`);
  return el;
}

describe("ContextsPage", () => {
  it("shows each context, then its probe result", async () => {
    renderPage(mock());
    await screen.findByRole("heading", { name: "kind-berth-dev" });
    await waitFor(() => expect(document.querySelectorAll('[data-state="checking"]')).toHaveLength(0));
    const kind = within(rowOf("kind-berth-dev"));
    expect(kind.getByText("Reachable")).toBeInTheDocument();
    expect(kind.getByText("v1.33.1")).toBeInTheDocument();
    expect(kind.getByText("Current")).toBeInTheDocument();
    const minikube = within(rowOf("minikube"));
    expect(minikube.getByText("Connection refused")).toBeInTheDocument();
    expect(minikube.getByText(/is the cluster running\?/)).toBeInTheDocument();
    expect(screen.getByTestId("contexts-summary")).toHaveTextContent("3 reachable · 3 unreachable");
  });

  it("toggles a favourite through the backend", async () => {
    const backend = mock();
    renderPage(backend);
    const star = await screen.findByRole("button", { name: "Favourite minikube" });
    expect(star).toHaveAttribute("aria-pressed", "false");
    await userEvent.click(star);
    await waitFor(() => expect(star).toHaveAttribute("aria-pressed", "true"));
    const saved = (await backend.listContexts()).contexts.find((c) => c.name === "minikube");
    expect(saved?.favourite).toBe(true);
  });

  it("rolls the star back and explains when the context disappeared", async () => {
    const backend = mock();
    backend.setContextFavourite = () => Promise.reject({ code: "notFound", message: "gone" });
    renderPage(backend);
    const star = await screen.findByRole("button", { name: "Favourite minikube" });
    await userEvent.click(star);
    const alert = await within(rowOf("minikube")).findByRole("alert");
    expect(alert).toHaveAttribute("data-error-code", "notFound");
    expect(alert).toHaveTextContent("no longer in your kubeconfig");
    expect(star).toHaveAttribute("aria-pressed", "false");
  });

  it("shows the core's message for other errors", async () => {
    const backend = mock();
    backend.setContextLocation = (_name: string, _loc: Location | null): Promise<ContextInfo> =>
      Promise.reject({ code: "store", message: "disk full" });
    renderPage(backend);
    const select = await screen.findByLabelText("Location of minikube");
    await userEvent.selectOptions(select, "cloud");
    expect(await within(rowOf("minikube")).findByRole("alert")).toHaveTextContent("disk full");
  });

  it("edits the location", async () => {
    renderPage(mock());
    const select = await screen.findByLabelText("Location of onprem-lab");
    expect(select).toHaveValue("auto");
    await userEvent.selectOptions(select, "laptop");
    await waitFor(() => expect(within(rowOf("onprem-lab")).getByTestId("location-badge")).toHaveTextContent("Laptop"));
    expect(select).toHaveValue("laptop");
  });

  it("explains how to add a kubeconfig when there is none", async () => {
    renderPage(mock("empty"));
    const region = await screen.findByRole("region", { name: "No Kubernetes contexts yet" });
    expect(region).toHaveTextContent("~/.kube/config");
    expect(region).toHaveTextContent("kind create cluster");
  });

  it("names a broken kubeconfig file and still lists the others", async () => {
    renderPage(mock("broken"));
    expect(await screen.findByTestId("kubeconfig-problems")).toHaveTextContent("/home/ada/.kube/legacy.yaml");
    expect(document.querySelectorAll("li[data-context]").length).toBe(6);
  });

  it("titles a list failure by its error code", async () => {
    renderPage(mock("error"));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveAttribute("data-error-code", "store");
    expect(alert).toHaveTextContent("Berth's local database is unavailable");
  });

  it("filters by search text", async () => {
    renderPage(mock());
    await screen.findByRole("heading", { name: "kind-berth-dev" });
    await userEvent.type(screen.getByLabelText("Search contexts"), "gke");
    expect(document.querySelectorAll("li[data-context]")).toHaveLength(1);
  });
});
