import type { ApiError } from "./bindings/ApiError";
import type { ProbeFailure } from "./bindings/ProbeFailure";
import type { ProbeFailureKind } from "./bindings/ProbeFailureKind";
import { FAILURE_KINDS } from "./backend";
import hints from "./failure-hints.json";

/**
 * Why the mock's failing contexts cannot be used, told as the core tells it: one sentence per
 * failure (after the context's name) and the core's own hint for its kind (`failure-hints.json` is
 * written from the Rust core and checked by its tests). The probe, the Services list and every
 * request to these contexts take their words from here, as the core's probe and requests share
 * theirs.
 */

/** The contexts of the default data set that fail, and how. */
export const DEFAULT_FAILURES: Record<string, ProbeFailureKind> = {
  minikube: "refused",
  "arn:aws:eks:eu-west-1:123456789012:cluster/staging": "execPlugin",
  "do-ams3-shop": "unauthorized",
};

/** The core's sentence for a failure of the context whose API server is at `server`. */
export function failureSentence(kind: ProbeFailureKind, server: string): string {
  switch (kind) {
    case "dns":
      return `the host name ${new URL(server).hostname} does not resolve`;
    case "refused":
      return `nothing answers at ${server} (connection refused)`;
    case "tls":
      return `the TLS handshake with ${server} failed: invalid peer certificate: UnknownIssuer`;
    case "unauthorized":
      return "the API server refused the credentials (HTTP 401: Unauthorized)";
    case "forbidden":
      return 'the API server denied access (HTTP 403: forbidden: User "dev" cannot list resource "namespaces" in API group "" at the cluster scope)';
    case "timeout":
      return `${server} did not answer in time`;
    case "execPlugin":
      return "the credential plugin `aws` is not installed (not found on PATH)";
    case "config":
      return "the context's exec credential is incomplete (exec plugin is missing its command)";
    case "other":
      return `cannot reach ${server}: connection reset by peer`;
  }
}

/** What a probe of a context failing this way answers. */
export function mockProbeFailure(kind: ProbeFailureKind, server: string): ProbeFailure {
  return { kind, message: failureSentence(kind, server), hint: hints[kind] };
}

/** The error a request to a failing context rejects with, as the core's `ApiError`. */
export function mockContextError(context: string, failure: ProbeFailure): ApiError {
  return { code: "cluster", message: `${context}: ${failure.message}`, failure: failure.kind, hint: failure.hint };
}

/**
 * Failures asked for in the page's address, `context:kind` each (`onprem-lab:forbidden`); the
 * kind follows the last colon, as context names may hold colons. Unknown kinds are ignored.
 */
export function parseFailures(asked: readonly string[]): Record<string, ProbeFailureKind> {
  const failures: Record<string, ProbeFailureKind> = {};
  for (const entry of asked) {
    const at = entry.lastIndexOf(":");
    const kind = entry.slice(at + 1) as ProbeFailureKind;
    if (at > 0 && FAILURE_KINDS.includes(kind)) failures[entry.slice(0, at)] = kind;
  }
  return failures;
}
