/**
 * The move/copy wizard's state, kept pure so it is tested without a DOM: the form and the
 * request it makes, the target contexts grouped by location, the plan's verdict, and the live
 * progress built from the core's events (steps, bytes, rate, ETA).
 */
import { failureTitle } from "../components/failure";
import type {
  Check,
  CheckLevel,
  ContextInfo,
  ContextProbe,
  Location,
  StandbyInput,
  TransferInput,
  TransferPlan,
  TransferProgress,
} from "../ipc";

/** A move, a copy, or a standby (a kept copy, planned as a copy). */
export type TransferKind = "move" | "copy" | "standby";

/** Where the instance is. */
export interface TransferSource {
  context: string;
  namespace: string;
  name: string;
}

/** What the user picked. */
export interface TransferForm {
  to: string;
  toNamespace: string;
  createNamespace: boolean;
  /** The new name (a copy); empty keeps the source's. */
  name: string;
  /** `from → to` storage classes; an empty `to` leaves the class alone. */
  storageClassMap: [string, string][];
  /** `path=value` lines. */
  overrides: string;
  /** The version of a copy; empty keeps the source's. */
  version: string;
}

export function initialForm(source: TransferSource, kind: TransferKind): TransferForm {
  return {
    to: "",
    toNamespace: source.namespace,
    createNamespace: false,
    name: kind === "copy" ? `${source.name}-copy` : "",
    storageClassMap: [],
    overrides: "",
    version: "",
  };
}

/** The `path=value` overrides of `text` (one a line, blank lines and `#` comments skipped). */
export function parseOverrides(text: string): { set: string[]; errors: string[] } {
  const set: string[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq <= 0) errors.push(`line ${i + 1}: "${line}" is not path=value`);
    else set.push(`${line.slice(0, eq).trim()}=${line.slice(eq + 1).trim()}`);
  });
  return { set, errors };
}

/** Why the form cannot be planned yet, or `null`. */
export function formProblem(form: TransferForm, source: TransferSource, kind: TransferKind): string | null {
  if (form.to === "") return "Pick a target context.";
  if (form.toNamespace.trim() === "") return "Give a target namespace.";
  if (kind === "copy" && form.name.trim() === "" && form.to === source.context && form.toNamespace === source.namespace) {
    return "A copy in the same namespace needs a new name.";
  }
  if (kind !== "copy" && form.to === source.context && form.toNamespace.trim() === source.namespace) {
    return `A ${kind} needs another context or namespace.`;
  }
  const errors = parseOverrides(form.overrides).errors;
  return errors.length > 0 ? `Overrides: ${errors.join("; ")}` : null;
}

/**
 * The request for the core. A standby is planned as a copy keeping the source's name (it is a
 * kept copy: the same checks on the target); it is created with {@link standbyInput}.
 */
export function transferInput(form: TransferForm, source: TransferSource, kind: TransferKind): TransferInput {
  return {
    kind: kind === "standby" ? "copy" : kind,
    context: source.context,
    to: form.to,
    options: {
      instance: source.name,
      namespace: source.namespace,
      toNamespace: form.toNamespace.trim(),
      name: kind === "copy" && form.name.trim() !== "" ? form.name.trim() : null,
      createNamespace: form.createNamespace,
      storageClassMap: form.storageClassMap.filter(([from, to]) => from !== "" && to !== ""),
      set: parseOverrides(form.overrides).set,
      values: {},
      version: kind === "copy" && form.version !== "" ? form.version : null,
      deleteSource: false,
      requireData: false,
      timeoutSecs: null,
    },
  };
}

/** The request that creates a standby of `source` on the form's target. */
export function standbyInput(form: TransferForm, source: TransferSource): StandbyInput {
  const { options } = transferInput(form, source, "standby");
  return { context: source.context, on: form.to, options };
}

/** The steps a transfer of `kind` runs, as the core runs them (journal kinds: move, copy, standby, sync, promote). */
export function transferSteps(kind: string, carriesData = true): string[] {
  const data = carriesData ? ["stream", "verify"] : [];
  switch (kind) {
    case "sync":
      return ["start", ...data, "standby"];
    case "promote":
      return ["fence", "start", ...data, "switch"];
    default:
      return ["provision", ...(kind === "move" ? ["fence"] : []), ...data, "cutover", ...(kind === "standby" ? ["standby"] : [])];
  }
}

/** One context offered as a target. */
export interface TargetOption {
  name: string;
  /** Why it cannot be picked (unreachable, still being checked), or `null`. */
  disabled: string | null;
}

export interface TargetGroup {
  location: Location;
  label: string;
  options: TargetOption[];
}

const GROUPS: { location: Location; label: string }[] = [
  { location: "laptop", label: "Laptop" },
  { location: "cloud", label: "Cloud" },
  { location: "private", label: "Private" },
];

/**
 * The contexts grouped by location as the Contexts screen groups them (favourites first, then by
 * name); one whose probe failed is disabled with the reason, one still being probed says so.
 */
export function targetGroups(
  contexts: readonly ContextInfo[],
  probes: readonly ({ data?: ContextProbe; error: { message: string } | null } | undefined)[],
): TargetGroup[] {
  const rows = contexts.map((c, i) => {
    const probe = probes[i];
    let disabled: string | null = null;
    if (probe?.error) disabled = probe.error.message;
    else if (!probe?.data) disabled = "checking…";
    else if (!probe.data.reachable) {
      const f = probe.data.failure;
      // the short title the Contexts screen gives this kind of failure; its sentence is there
      disabled = f ? failureTitle(f.kind) : "unreachable";
    }
    return { info: c, option: { name: c.name, disabled } };
  });
  return GROUPS.map((g) => ({
    ...g,
    options: rows
      .filter((r) => r.info.location === g.location)
      .sort((a, b) => Number(b.info.favourite) - Number(a.info.favourite) || a.info.name.localeCompare(b.info.name))
      .map((r) => r.option),
  })).filter((g) => g.options.length > 0);
}

/** What the plan allows. */
export interface PlanVerdict {
  problems: Check[];
  warnings: Check[];
  /** True when nothing stands in the way: the confirm button is enabled. */
  canConfirm: boolean;
}

export function isProblem(level: CheckLevel): boolean {
  return level === "problem" || level === "badInput";
}

export function planVerdict(plan: TransferPlan): PlanVerdict {
  const problems = plan.checks.filter((c) => isProblem(c.level));
  const warnings = plan.checks.filter((c) => c.level === "warning");
  return { problems, warnings, canConfirm: problems.length === 0 };
}

// ---- live progress ----

export type StepState = "pending" | "active" | "done" | "failed";

export interface ProgressModel {
  steps: { name: string; state: StepState }[];
  bytes: number;
  expected: number | null;
  rate: number | null;
  etaSecs: number | null;
  /** The compressor the stream crosses with: `bytes` then counts the compressed stream. */
  codec: string | null;
  notes: string[];
}

/** The progress before any event: every planned step pending. */
export function initialProgress(steps: readonly string[]): ProgressModel {
  return { steps: steps.map((name) => ({ name, state: "pending" })), bytes: 0, expected: null, rate: null, etaSecs: null, codec: null, notes: [] };
}

/**
 * Applies one event: a step marks the ones before it done (steps the plan did not list, like
 * an abort's, are appended), bytes update the figures, notes are kept.
 */
export function applyProgress(model: ProgressModel, event: TransferProgress): ProgressModel {
  switch (event.type) {
    case "step": {
      if (event.step === "plan") return model;
      let steps = model.steps;
      if (!steps.some((s) => s.name === event.step)) steps = [...steps, { name: event.step, state: "pending" }];
      const at = steps.findIndex((s) => s.name === event.step);
      return {
        ...model,
        steps: steps.map((s, i) => (i < at ? { ...s, state: s.state === "failed" ? "failed" : "done" } : i === at ? { ...s, state: "active" } : s)),
      };
    }
    case "bytes":
      return { ...model, bytes: event.bytes, expected: event.expected, rate: event.rate, etaSecs: event.eta_secs, codec: event.codec };
    case "note":
      return { ...model, notes: [...model.notes, event.message] };
  }
}

/** The steps an abort of a transfer of `kind` runs, as the core names them. */
export function abortSteps(kind: string): string[] {
  if (kind === "sync" || kind === "promote") return ["stop streams", "stop the standby", "lift the fence"];
  return ["stop streams", "remove the target", "lift the fence"];
}

/** The end of a run: every step done, or the active one failed. */
export function finishProgress(model: ProgressModel, ok: boolean): ProgressModel {
  return {
    ...model,
    etaSecs: ok ? 0 : model.etaSecs,
    steps: model.steps.map((s) => (ok ? { ...s, state: "done" } : s.state === "active" ? { ...s, state: "failed" } : s)),
  };
}

/**
 * What aborting will undo, said before the user confirms. A standby's sync or promote (aborted
 * before its switch) stops the standby again and lifts the active's fence; a create is a copy.
 */
export function abortConsequences(kind: string, model: ProgressModel | null): string[] {
  const done = new Set(model?.steps.filter((s) => s.state !== "pending").map((s) => s.name) ?? []);
  const out = ["The run stops; any export or import still running on the clusters is killed."];
  if (kind === "sync" || kind === "promote") {
    if (model === null || done.has("start")) out.push("The standby is stopped again, its fence kept up: it keeps the role of standby.");
    if (kind === "promote" && (model === null || done.has("fence"))) out.push("The active's fence is lifted: its clients reach it again.");
    out.push("The active and its data are never touched.");
    return out;
  }
  if (model === null || done.has("provision")) out.push("The half-made target (its objects, volumes and record) is removed.");
  if (kind === "move" && (model === null || done.has("fence"))) out.push("The source's fence is lifted: its clients reach it again.");
  out.push("The source and its data are never touched.");
  return out;
}

// ---- formatting ----

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatDuration(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A fresh id for one run (resume, abort or a new transfer). */
export function newRunId(): string {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
