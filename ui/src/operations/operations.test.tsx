import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { act, render, renderHook, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { BackendProvider } from "../app/backend-context";
import type { Backend, OperationUpdate } from "../ipc";
import { MockBackend } from "../ipc/mock";
import { instanceKeys } from "../services/keys";
import { describeProgress, formatDuration, suggestedFix } from "./progress";
import { ProgressSteps } from "./ProgressSteps";
import { TaskTray } from "./TaskTray";
import { lifecycleRequest, mergeUpdate, useOperation, useOperations, useStartOperation } from "./queries";

function wrapper(backend: Backend, client = new QueryClient({ defaultOptions: { queries: { retry: false } } })) {
  return ({ children }: { children: ReactNode }) => (
    <BackendProvider backend={backend}>
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </BackendProvider>
  );
}

const PG = { context: "kind-berth-dev", namespace: "default", name: "pg-dev" };

function update(fields: Partial<OperationUpdate>): OperationUpdate {
  return {
    id: "op-1",
    kind: "install",
    title: "Install postgres in kind-dev/default",
    target: { context: "kind-dev", namespace: "default", name: "postgres" },
    state: "running",
    startedAt: "2026-11-25T10:00:00Z",
    finishedAt: null,
    progress: [],
    error: null,
    result: null,
    ...fields,
  };
}

describe("useOperations", () => {
  it("follows an operation from start to end and refreshes the instances", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const { result } = renderHook(
      () => {
        const ops = useOperations();
        const start = useStartOperation();
        const instances = useQuery({
          queryKey: instanceKeys.context("kind-berth-dev"),
          queryFn: () => backend.listContextInstances("kind-berth-dev"),
        });
        return { ops, start, instances };
      },
      { wrapper: wrapper(backend) },
    );
    await waitFor(() => expect(result.current.instances.data).toBeDefined());
    const before = result.current.instances.data!.instances.find((i) => i.name === "pg-dev");
    expect(before?.health).toBe("ready");

    let id = "";
    await act(async () => {
      id = await result.current.start.mutateAsync(lifecycleRequest("stop", PG));
    });
    expect(id).toMatch(/^op-/);
    await waitFor(() => expect(result.current.ops.find((o) => o.id === id)?.state).toBe("succeeded"));
    const done = result.current.ops.find((o) => o.id === id)!;
    expect(done.title).toBe("Stop pg-dev in kind-berth-dev/default");
    expect(done.progress.length).toBeGreaterThan(0);
    // the finished operation invalidated the instance list, which now shows it stopped
    await waitFor(() =>
      expect(result.current.instances.data!.instances.find((i) => i.name === "pg-dev")?.health).toBe("stopped"),
    );
  });

  it("reports a failure with the API error", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const { result } = renderHook(
      () => ({ ops: useOperations(), start: useStartOperation() }),
      { wrapper: wrapper(backend) },
    );
    let id = "";
    await act(async () => {
      id = await result.current.start.mutateAsync(
        lifecycleRequest("restart", { context: "minikube", namespace: "default", name: "x" }),
      );
    });
    await waitFor(() => expect(result.current.ops.find((o) => o.id === id)?.state).toBe("failed"));
    expect(result.current.ops.find((o) => o.id === id)?.error?.code).toBe("cluster");
  });

  it("lists operations that started before it mounted, and subscribes once", async () => {
    const backend = new MockBackend({ delayScale: 0 });
    const id = await backend.startOperation(lifecycleRequest("restart", PG));
    let subscriptions = 0;
    const onOperation = backend.onOperation.bind(backend);
    backend.onOperation = (l) => {
      subscriptions++;
      return onOperation(l);
    };
    const client = new QueryClient();
    const { result } = renderHook(() => ({ a: useOperation(id), b: useOperations() }), { wrapper: wrapper(backend, client) });
    await waitFor(() => expect(result.current.a?.state).toBe("succeeded"));
    expect(subscriptions).toBe(1);
  });

  it("merges updates newest first, one per id", () => {
    const a = update({ id: "op-1", startedAt: "2026-11-25T10:00:00Z" });
    const b = update({ id: "op-2", startedAt: "2026-11-25T10:05:00Z" });
    const list = mergeUpdate(mergeUpdate([], a), b);
    expect(list.map((u) => u.id)).toEqual(["op-2", "op-1"]);
    const again = mergeUpdate(list, { ...a, state: "succeeded" });
    expect(again).toHaveLength(2);
    expect(again[1]!.state).toBe("succeeded");
  });
});

describe("describeProgress", () => {
  it("walks an install through validated, applied and pods ready", () => {
    expect(describeProgress(update({})).steps.map((s) => s.state)).toEqual(["active", "pending", "pending"]);
    const applying = describeProgress(
      update({ progress: [{ kind: "step", name: "dry-run" }, { kind: "step", name: "apply" }, { kind: "applied", done: 2, total: 4, object: "Service pg" }] }),
    );
    expect(applying.steps.map((s) => [s.label, s.state])).toEqual([
      ["Validated", "done"],
      ["Applying 2/4 objects", "active"],
      ["Pods ready", "pending"],
    ]);
    const waiting = describeProgress(
      update({
        progress: [
          { kind: "applied", done: 4, total: 4, object: "StatefulSet pg" },
          { kind: "step", name: "wait" },
          { kind: "pods", ready: 1, total: 2 },
          { kind: "event", message: "Pod pg-1: Pulling image" },
        ],
      }),
    );
    expect(waiting.steps.map((s) => s.label)).toEqual(["Validated", "Applied 4/4 objects", "Pods ready 1/2"]);
    expect(waiting.steps[2]!.state).toBe("active");
    expect(waiting.latestEvent).toBe("Pod pg-1: Pulling image");
  });

  it("marks the step that failed", () => {
    const failed = describeProgress(
      update({ state: "failed", progress: [{ kind: "step", name: "dry-run" }], error: { code: "invalidInput", message: "bad" } }),
    );
    expect(failed.steps.map((s) => s.state)).toEqual(["failed", "pending", "pending"]);
    expect(failed.steps[0]!.label).toBe("Validation failed");
  });

  it("gives a stop a single step and everything done on success", () => {
    const stop = describeProgress(update({ kind: "stop", state: "succeeded" }));
    expect(stop.steps).toEqual([{ id: "action", label: "Scaled to zero, data kept", state: "done" }]);
  });

  it("suggests the core's hint, else a fix per error code, and formats durations", () => {
    expect(suggestedFix({ code: "cluster", message: "x" })).toContain("Contexts");
    expect(suggestedFix({ code: "conflict", message: "an instance named pg already exists" })).not.toContain("changed it first");
    expect(suggestedFix({ code: "cluster", message: "m", failure: "refused", hint: "Is the cluster running?" })).toBe("Is the cluster running?");
    expect(formatDuration(4_200)).toBe("4 s");
    expect(formatDuration(64_000)).toBe("1 min 4 s");
    expect(formatDuration(3_600_000)).toBe("1 h");
  });
});

describe("ProgressSteps", () => {
  it("renders the steps, the latest event and an error with its fix", () => {
    const { rerender } = render(
      <ProgressSteps update={update({ progress: [{ kind: "pods", ready: 0, total: 1 }, { kind: "event", message: "Pod pg-0: Scheduled" }] })} />,
    );
    expect(screen.getByText("Pods ready 0/1")).toBeInTheDocument();
    expect(screen.getByText("Pod pg-0: Scheduled")).toBeInTheDocument();
    rerender(
      <ProgressSteps
        update={update({ state: "failed", error: { code: "cluster", message: "connection refused by `127.0.0.1:6443`" } })}
      />,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveAttribute("data-error-code", "cluster");
    expect(alert).toHaveTextContent("connection refused by 127.0.0.1:6443");
    expect(alert).toHaveTextContent("Check that the cluster is running");
    expect(alert.querySelector("code")).toHaveTextContent("127.0.0.1:6443");
  });
});

describe("TaskTray", () => {
  it("cancels a running operation after a confirmation and shows it cancelled with what to do", async () => {
    const backend = new MockBackend({ delayScale: 1 });
    const user = userEvent.setup();
    render(<TaskTray />, { wrapper: wrapper(backend) });
    const id = await backend.startOperation(lifecycleRequest("restart", PG));
    await user.click(await screen.findByTestId("task-tray"));
    const task = await waitFor(() => {
      const el = document.querySelector(`[data-operation="${id}"]`);
      expect(el).not.toBeNull();
      return el as HTMLElement;
    });
    await user.click(within(task).getByRole("button", { name: /^Cancel Restart pg-dev/ }));
    const dialog = screen.getByRole("dialog");
    expect(dialog).toHaveTextContent("What it has done so far stays");
    await user.click(within(dialog).getByRole("button", { name: "Stop it" }));
    await waitFor(() => expect(task).toHaveAttribute("data-state", "cancelled"), { timeout: 5000 });
    expect(within(task).getByText("Cancelled")).toBeInTheDocument();
    expect(task).toHaveTextContent("berth recover pg-dev");
    expect(task).toHaveTextContent("choose Recover");
    // a finished operation has no Cancel, and cancelling it again is a conflict
    expect(within(task).queryByRole("button", { name: /^Cancel / })).toBeNull();
    await expect(backend.cancelOperation(id)).rejects.toMatchObject({ code: "conflict" });
  });
});
