import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { BackendProvider } from "../app/backend-context";
import type { InstanceRef, JsonValue } from "../ipc";
import { MockBackend } from "../ipc/mock";
import { mockUserPassword } from "../ipc/mock-usage";
import { usersOf } from "./ConfigurePage";
import fixture from "../ipc/mock-catalog.json";
import { ServiceForm } from "./ServiceForm";
import { fitToSchema } from "./values";

const schema = (fixture as unknown as { details: Record<string, { parametersSchema: JsonValue }> }).details.postgres!.parametersSchema;

type Configuring = { instance: InstanceRef; liveUsers: string[]; start: JsonValue };

function Harness({ onValues, configuring }: { onValues: (v: JsonValue, ok: boolean) => void; configuring?: Configuring }) {
  const [values, setValues] = useState<JsonValue>(fitToSchema(schema as never, configuring?.start ?? {}));
  return (
    <ServiceForm
      schema={schema}
      values={values}
      context="kind-berth-dev"
      instance={configuring?.instance}
      liveUsers={configuring?.liveUsers}
      onChange={(v, ok) => {
        setValues(v);
        onValues(v, ok);
      }}
    />
  );
}

function renderForm(onValues: (v: JsonValue, ok: boolean) => void, configuring?: Configuring, backend = new MockBackend({ delayScale: 0 })) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <BackendProvider backend={backend}>
      <QueryClientProvider client={client}>
        <Harness onValues={onValues} configuring={configuring} />
      </QueryClientProvider>
    </BackendProvider>,
  );
}

describe("the install form's widgets", () => {
  it("steps replicas within bounds, sets quantities by unit, fills storage classes from the cluster", async () => {
    const user = userEvent.setup();
    let last: { v: JsonValue; ok: boolean } | undefined;
    renderForm((v, ok) => (last = { v, ok }));
    await user.click(screen.getByRole("button", { name: "More replicas" }));
    expect((last!.v as { replicas: number }).replicas).toBe(2);
    expect(last!.ok).toBe(true);

    await user.selectOptions(screen.getByRole("combobox", { name: "Memory unit" }), "Mi");
    expect((last!.v as { resources: { memory: string } }).resources.memory).toBe("1Mi");

    await waitFor(() => expect(screen.getByRole("option", { name: "standard — rancher.io/local-path" })).toBeInTheDocument());
    expect(screen.getByRole("option", { name: "Cluster default (standard)" })).toBeInTheDocument();
  });

  it("shows the schema's message under an invalid field and reports the form invalid", async () => {
    const user = userEvent.setup();
    let ok = true;
    renderForm((_v, valid) => (ok = valid));
    const size = screen.getByRole("textbox", { name: "Size" });
    await user.clear(size);
    await user.type(size, "x");
    await waitFor(() => expect(screen.getByText("Not valid here. Volume size (Mi, Gi or Ti).")).toBeInTheDocument());
    expect(ok).toBe(false);
  });

  it("adds users whose passwords are generated at install", async () => {
    const user = userEvent.setup();
    let last: JsonValue | undefined;
    renderForm((v) => (last = v));
    await user.click(screen.getByRole("button", { name: "Add user" }));
    const name = screen.getAllByRole("textbox", { name: "User name" })[0]!;
    await user.type(name, "reporting");
    expect((last as { auth: { users: { name: string }[] } }).auth.users[0]!.name).toBe("reporting");
    expect(screen.getByText(/Generated at install/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove user reporting" }));
    expect((last as { auth: { users: unknown[] } }).auth.users).toEqual([]);
  });

  it("reveals and copies an existing user's password on request only, and says new ones are generated on apply", async () => {
    const user = userEvent.setup();
    const backend = new MockBackend({ delayScale: 0 });
    const reveal = vi.spyOn(backend, "revealCredential");
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const live = { auth: { users: [{ name: "app_user", database: "app" }] } };
    expect(usersOf(live)).toEqual(["app_user"]);
    const instance = { context: "kind-berth-dev", namespace: "default", name: "pg-dev" };
    renderForm(() => {}, { instance, liveUsers: usersOf(live), start: live }, backend);

    const row = await screen.findByTestId("user-password");
    expect(row).toHaveTextContent("••••");
    expect(row).not.toHaveTextContent(mockUserPassword("app_user"));
    expect(reveal).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Reveal the password of app_user" }));
    await waitFor(() => expect(row).toHaveTextContent(mockUserPassword("app_user")));
    expect(reveal).toHaveBeenCalledWith({ instance, user: "app_user" });
    await user.click(screen.getByRole("button", { name: "Hide the password of app_user" }));
    expect(row).not.toHaveTextContent(mockUserPassword("app_user"));

    await user.click(screen.getByRole("button", { name: "Copy the password of app_user" }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(mockUserPassword("app_user")));
    expect(row).not.toHaveTextContent(mockUserPassword("app_user"));
    expect(screen.getByRole("button", { name: "Copy the password of app_user" })).toHaveTextContent("Copied");

    // a user added now gets a password when the change is applied
    await user.click(screen.getByRole("button", { name: "Add user" }));
    const names = screen.getAllByRole("textbox", { name: "User name" });
    await user.type(names[names.length - 1]!, "reporting");
    expect(screen.getByTestId("password-generated")).toHaveTextContent("Generated when you apply");
    expect(screen.getAllByTestId("user-password")).toHaveLength(1);
  });

  it("shows the error, not a password, when the core cannot reveal it", async () => {
    const user = userEvent.setup();
    const live = { auth: { users: [{ name: "ghost" }] } };
    const instance = { context: "kind-berth-dev", namespace: "default", name: "pg-dev" };
    renderForm(() => {}, { instance, liveUsers: ["ghost"], start: live });
    await user.click(await screen.findByRole("button", { name: "Reveal the password of ghost" }));
    expect(await screen.findByRole("alert")).toHaveTextContent('no user "ghost"');
    expect(screen.getByTestId("user-password")).toHaveTextContent("••••");
  });
});
