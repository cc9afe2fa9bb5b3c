import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ErrorPanel } from "./ErrorPanel";
import { MockBackend } from "../ipc/mock";

describe("ErrorPanel", () => {
  it("tells a context's failure by its kind, with the core's hint and the way to Contexts", () => {
    const retry = vi.fn();
    render(<ErrorPanel error={new MockBackend({ delayScale: 0 }).contextError("minikube")!} fallbackTitle="The instance could not be read" onRetry={retry} />);
    expect(screen.getByRole("heading")).toHaveTextContent("Connection refused");
    expect(screen.getByRole("alert")).toHaveTextContent("minikube: nothing answers at https://192.168.49.2:8443 (connection refused)");
    expect(screen.getByRole("alert")).toHaveTextContent("is the cluster running?");
    expect(screen.getByRole("link", { name: "Open Contexts" })).toHaveAttribute("href", "/contexts");
    screen.getByRole("button", { name: "Try again" }).click();
    expect(retry).toHaveBeenCalledOnce();
  });

  it("titles other errors by their code, without a Contexts link or a hint that does not apply", () => {
    render(<ErrorPanel error={{ code: "conflict", message: "an instance named pg already exists" }} fallbackTitle="Failed" />);
    expect(screen.getByRole("heading")).toHaveTextContent("Conflict");
    expect(screen.queryByRole("link")).toBeNull();
    expect(screen.queryByRole("button")).toBeNull();
  });
});
