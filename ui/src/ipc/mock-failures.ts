import type { ApiError } from "./bindings/ApiError";
import type { ProbeFailure } from "./bindings/ProbeFailure";
import type { ProbeFailureKind } from "./bindings/ProbeFailureKind";
import type { UnreachableContext } from "./bindings/UnreachableContext";
import hints from "./failure-hints.json";

/**
 * Why the mock's failing contexts cannot be used, told as the core tells it: one sentence per
 * failure (after the context's name) and the core's own hint for its kind (`failure-hints.json` is
 * written from the Rust core and checked by its tests). The probe, the Services list and every
 * request to these contexts take their words from here, as the core's probe and requests share
 * theirs.
 */
const FAILURES: Record<string, { kind: ProbeFailureKind; message: string }> = {
  minikube: { kind: "refused", message: "nothing answers at https://192.168.49.2:8443 (connection refused)" },
  "arn:aws:eks:eu-west-1:123456789012:cluster/staging": {
    kind: "execPlugin",
    message: "the credential plugin `aws` is not installed (not found on PATH)",
  },
  "do-ams3-shop": {
    kind: "unauthorized",
    message: "the API server refused the credentials (HTTP 401: Unauthorized)",
  },
};

/** The contexts that fail, in the order the mock lists them. */
export const FAILING_CONTEXTS = Object.keys(FAILURES);

/** The probe's failure for a context, or `null` when it answers. */
export function mockProbeFailure(context: string): ProbeFailure | null {
  const f = FAILURES[context];
  return f ? { kind: f.kind, message: f.message, hint: hints[f.kind] } : null;
}

/** The error a request to a failing context rejects with, as the core's `ApiError`. */
export function mockContextError(context: string): ApiError | null {
  const f = FAILURES[context];
  return f ? { code: "cluster", message: `${context}: ${f.message}`, failure: f.kind, hint: hints[f.kind] } : null;
}

/** A failing context as `listInstances` reports it. */
export function mockUnreachable(context: string): UnreachableContext {
  const e = mockContextError(context)!;
  return { context, message: e.message, failure: e.failure ?? null, hint: e.hint ?? null };
}
