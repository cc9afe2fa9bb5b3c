/**
 * The Credentials card: what Berth keeps for an instance (values only on the user's Reveal) and
 * rotation. Part of {@link Backend}.
 */
import type { CredentialInfo } from "./bindings/CredentialInfo";
import type { InstanceRef } from "./bindings/InstanceRef";
import type { ProgressEvent } from "./bindings/ProgressEvent";
import type { RotateCredentialInput } from "./bindings/RotateCredentialInput";
import type { RotateCredentialResult } from "./bindings/RotateCredentialResult";

export interface CredentialsBackend {
  /** The instance's credentials; `value` only with `reveal` (never cached by the caller beyond its screen). */
  instanceCredentials(instance: InstanceRef, reveal: boolean): Promise<CredentialInfo[]>;
  /** A new value set in the engine, the keyring and the Secret, then the pods restart; progress as it goes. */
  rotateCredential(input: RotateCredentialInput, onProgress: (event: ProgressEvent) => void): Promise<RotateCredentialResult>;
}

export type { CredentialInfo, RotateCredentialInput, RotateCredentialResult };
