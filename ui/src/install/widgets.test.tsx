import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { BackendProvider } from "../app/backend-context";
import type { JsonValue } from "../ipc";
import { MockBackend } from "../ipc/mock";
import fixture from "../ipc/mock-catalog.json";
import { ServiceForm } from "./ServiceForm";
import { fitToSchema } from "./values";

const schema = (fixture as unknown as { details: Record<string, { parametersSchema: JsonValue }> }).details.postgres!.parametersSchema;

function Harness({ onValues }: { onValues: (v: JsonValue, ok: boolean) => void }) {
  const [values, setValues] = useState<JsonValue>(fitToSchema(schema as never, {}));
  return (
    <ServiceForm
      schema={schema}
      values={values}
      context="kind-berth-dev"
      onChange={(v, ok) => {
        setValues(v);
        onValues(v, ok);
      }}
    />
  );
}

function renderForm(onValues: (v: JsonValue, ok: boolean) => void) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <BackendProvider backend={new MockBackend({ delayScale: 0 })}>
      <QueryClientProvider client={client}>
        <Harness onValues={onValues} />
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
});
