/**
 * What the Services screen's sparklines and the users list's Reveal button ask of Berth. Part of
 * {@link Backend}; kept in its own file so this IPC surface is in one place.
 */
import type { RevealCredentialInput } from "./bindings/RevealCredentialInput";
import type { UsageInput } from "./bindings/UsageInput";
import type { UsagePoint } from "./bindings/UsagePoint";
import type { UsageSeries } from "./bindings/UsageSeries";
import type { UsageTarget } from "./bindings/UsageTarget";

export interface UsageBackend {
  /**
   * The recent CPU and memory of every instance asked for, in one call. The core samples each
   * instance at most every 10 s and keeps its last 30 samples in memory; an instance whose
   * cluster has no metrics API (or did not answer) says why in `unavailable`.
   */
  instanceUsage(input: UsageInput): Promise<UsageSeries[]>;
  /**
   * The generated password of one extra user of an installed instance. Only on the user's
   * explicit request (the Reveal button); never cache or log it.
   */
  revealCredential(input: RevealCredentialInput): Promise<string>;
}

export type { RevealCredentialInput, UsageInput, UsagePoint, UsageSeries, UsageTarget };
