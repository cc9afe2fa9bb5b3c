import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BackendProvider } from "../app/backend-context";
import type { AppSettings } from "../ipc";
import { MockBackend } from "../ipc/mock";
import { SettingsPage } from "./SettingsPage";

describe("SettingsPage", () => {
  it("keeps what is being typed when another setting finishes saving", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    // the theme's save answers only when the test says so: the user types meanwhile
    let answer: (() => void) | null = null;
    const save = backend.setSettings.bind(backend);
    backend.setSettings = (s: AppSettings) =>
      new Promise<AppSettings>((resolve, reject) => {
        answer = () => void save(s).then(resolve, reject);
      });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <BackendProvider backend={backend}>
        <QueryClientProvider client={client}>
          <SettingsPage />
        </QueryClientProvider>
      </BackendProvider>,
    );
    const field = await screen.findByLabelText<HTMLInputElement>("Default namespace");
    fireEvent.click(screen.getByRole("radio", { name: "Dark" }));
    fireEvent.change(field, { target: { value: "Not_Valid" } });
    await waitFor(() => expect(answer).not.toBeNull());
    await act(async () => {
      answer?.();
      await new Promise((r) => setTimeout(r, 20));
    });
    await waitFor(() => expect(screen.getByRole("radio", { name: "Dark" })).toHaveAttribute("aria-checked", "true"));
    expect(field.value).toBe("Not_Valid");
  });

  it("stores the standby schedule and turns it off again", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <BackendProvider backend={backend}>
        <QueryClientProvider client={client}>
          <SettingsPage />
        </QueryClientProvider>
      </BackendProvider>,
    );
    const select = await screen.findByLabelText<HTMLSelectElement>("Keep standbys fresh");
    expect(select.value).toBe("");
    fireEvent.change(select, { target: { value: "60" } });
    await waitFor(async () => expect((await backend.getSettings()).standbySyncMinutes).toBe(60));
    await waitFor(() => expect(select.value).toBe("60"));
    fireEvent.change(select, { target: { value: "" } });
    await waitFor(async () => expect((await backend.getSettings()).standbySyncMinutes).toBeNull());
  });
});
