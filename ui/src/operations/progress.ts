import type { ApiError, ErrorCode, OperationKind, OperationUpdate, ProgressEvent } from "../ipc";

/** Where a step is. */
export type StepState = "pending" | "active" | "done" | "failed";

/** One line of the step-by-step progress. */
export interface ProgressStep {
  id: "validate" | "apply" | "pods" | "action";
  label: string;
  state: StepState;
}

/** What an operation's progress says, ready to show. */
export interface ProgressView {
  steps: ProgressStep[];
  /** The latest Kubernetes event about the instance. */
  latestEvent: string | null;
  /** The latest step the core named (`scale StatefulSet pg to 0`). */
  currentStep: string | null;
}

const ACTION_LABELS: Record<OperationKind, [active: string, done: string]> = {
  install: ["Installing", "Installed"],
  reconfigure: ["Applying", "Applied"],
  stop: ["Scaling to zero", "Scaled to zero, data kept"],
  start: ["Scaling up", "Scaled up"],
  restart: ["Restarting pods", "Pods restarted"],
  uninstall: ["Removing", "Removed"],
};

function last<K extends ProgressEvent["kind"]>(events: ProgressEvent[], kind: K): Extract<ProgressEvent, { kind: K }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.kind === kind) return e as Extract<ProgressEvent, { kind: K }>;
  }
  return undefined;
}

/** Turns an update into steps: validated → applied n/m → pods ready n/m (by kind), with states. */
export function describeProgress(update: OperationUpdate): ProgressView {
  const events = update.progress;
  const steps = events.filter((e): e is Extract<ProgressEvent, { kind: "step" }> => e.kind === "step").map((e) => e.name);
  const applied = last(events, "applied");
  const pods = last(events, "pods");
  const event = last(events, "event");
  const sawWait = steps.includes("wait") || pods !== undefined;
  const sawApply = steps.includes("apply") || applied !== undefined;

  let ids: ProgressStep["id"][];
  let phase: number;
  switch (update.kind) {
    case "install":
    case "reconfigure":
      ids = ["validate", "apply", "pods"];
      phase = sawWait ? 2 : sawApply ? 1 : 0;
      break;
    case "start":
    case "restart":
      ids = ["action", "pods"];
      phase = sawWait ? 1 : 0;
      break;
    case "stop":
    case "uninstall":
      ids = ["action"];
      phase = 0;
      break;
  }

  const stateOf = (i: number): StepState => {
    if (update.state === "succeeded") return "done";
    if (i < phase) return "done";
    if (i > phase) return "pending";
    return update.state === "failed" || update.state === "cancelled" ? "failed" : "active";
  };

  const label = (id: ProgressStep["id"], state: StepState): string => {
    const done = state === "done";
    switch (id) {
      case "validate":
        return done ? "Validated" : state === "failed" ? "Validation failed" : "Validating";
      case "apply":
        if (applied) return `${done ? "Applied" : "Applying"} ${applied.done}/${applied.total} objects`;
        return done ? "Applied" : "Apply";
      case "pods":
        if (pods) return `Pods ready ${pods.ready}/${pods.total}`;
        return done ? "Ready" : "Pods ready";
      case "action": {
        const [active, finished] = ACTION_LABELS[update.kind];
        return done ? finished : state === "failed" ? `${active} failed` : active;
      }
    }
  };

  const currentStep = steps.length > 0 ? steps[steps.length - 1]! : null;
  return {
    steps: ids.map((id, i) => {
      const state = stateOf(i);
      return { id, state, label: label(id, state) };
    }),
    latestEvent: event?.message ?? null,
    currentStep,
  };
}

const FIXES: Record<ErrorCode, string> = {
  invalidInput: "Correct the value named above and try again.",
  notFound: "It may have been removed meanwhile: refresh, then try again.",
  kubeconfig: "Fix the kubeconfig file named above (Contexts lists them), then try again.",
  store: "Close other Berth windows or `berth` commands using the same data folder, then try again.",
  keyring: "Unlock the system keyring (Settings shows its status), then try again.",
  cluster: "Check that the cluster is running and reachable on the Contexts page, then try again.",
  conflict: "It conflicts with what is there now: refresh to see the current state, then try again.",
  timeout: "What it did so far stays: wait and look again, or Recover it from the instance's page.",
  unsupported: "This service's definition does not offer it.",
  interrupted: "Open the instance and choose Recover: it finishes what was started, or undoes it.",
  internal: "This is a bug in Berth: please report it with the message above.",
};

/** What the user can do about an error: the core's hint when it has one, else by its code. */
export function suggestedFix(error: ApiError): string {
  return error.hint ?? FIXES[error.code];
}

/** "running for 12 s", "took 1 min 4 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}
