import type { CredentialInfo, RotateCredentialInput, RotateCredentialResult } from "./credentials";
import type { InstanceSummary } from "./bindings/InstanceSummary";
import type { ProgressEvent } from "./bindings/ProgressEvent";
import mockCatalog from "./mock-catalog.json";
import { mockUserPassword } from "./mock-usage";

type Catalog = { details: Record<string, { service: { capabilities: { rotate: boolean } } }> };

/**
 * The Credentials card against the mock: the keys the instance's definition declares, values
 * kept in memory (the "keyring"), rotation through the same steps the core reports. Services
 * whose definition has no rotate operation are refused as the core refuses them.
 */
export class MockCredentials {
  private readonly values = new Map<string, string>();
  private rotations = 0;

  constructor(
    private readonly find: (ref: { name: string; context: string | null; namespace: string | null }) => Promise<InstanceSummary>,
    private readonly scale: number,
  ) {}

  private valueOf(inst: InstanceSummary, key: string): string {
    const id = `${inst.context}/${inst.namespace}/${inst.name}/${key}`;
    return this.values.get(id) ?? (key.startsWith("user-password-") ? mockUserPassword(key.slice("user-password-".length)) : `Gen3rated-${key}-${inst.name}`);
  }

  async instanceCredentials(instance: { name: string; context: string | null; namespace: string | null }, reveal: boolean): Promise<CredentialInfo[]> {
    const inst = await this.find(instance);
    const users = ((inst.parameters as { auth?: { users?: { name: string }[] } } | null)?.auth?.users ?? []).map((u) => u.name);
    const all: CredentialInfo[] = [
      ...keysOf(inst.service).map((key) => ({ key, description: descriptionOf(key), user: null, stored: true, value: null, fixed: FIXED[`${inst.service}/${key}`] ?? null })),
      ...users.map((u) => ({ key: `user-password-${u}`, description: "Password of an extra user", user: u, stored: true, value: null, fixed: null })),
    ];
    return all.map((c) => (reveal ? { ...c, value: this.valueOf(inst, c.key) } : c));
  }

  async rotateCredential(input: RotateCredentialInput, onProgress: (event: ProgressEvent) => void): Promise<RotateCredentialResult> {
    const inst = await this.find(input.instance);
    const rotatable = (mockCatalog as unknown as Catalog).details[inst.service]?.service.capabilities.rotate ?? false;
    if (!rotatable) {
      return Promise.reject({ code: "unsupported", message: `${inst.service} declares no rotate operation: its credentials cannot be rotated in place` });
    }
    if (inst.health === "stopped") {
      return Promise.reject({ code: "unsupported", message: `${inst.name} is stopped: \`berth start ${inst.name}\` first` });
    }
    const key = input.user ? `user-password-${input.user}` : input.key || (keysOf(inst.service)[0] ?? "password");
    const fixed = FIXED[`${inst.service}/${key}`];
    if (fixed) {
      return Promise.reject({ code: "invalidInput", message: `the ${key} of ${inst.name} cannot be rotated in place: ${fixed}; nothing was changed` });
    }
    const steps = [`set the new ${key} in the engine`, `keep the new ${key} in the keyring`, `write the new ${key} to Secret ${inst.name}`, "restart"];
    for (const name of steps) {
      onProgress({ kind: "step", name });
      await new Promise((r) => setTimeout(r, 200 * this.scale));
    }
    this.rotations += 1;
    this.values.set(`${inst.context}/${inst.namespace}/${inst.name}/${key}`, `R0tated${this.rotations}-${key}`);
    return { context: inst.context, namespace: inst.namespace, name: inst.name, key, revision: inst.revision + 1 };
  }
}

/** Credentials the engine cannot change in place, as the definitions say (`fixed`). */
const FIXED: Record<string, string> = {
  "mariadb/replication-password": "each replica keeps it in its replication settings",
  "mysql/replication-password": "each replica keeps it in its replication settings",
  "mongodb/keyfile": "every member reads it at start, so all would have to restart with the new key at once",
};

/** The keys a service's definition declares, its main password first. */
function keysOf(service: string): string[] {
  switch (service) {
    case "postgres":
      return ["admin-password", "replication-password"];
    case "mariadb":
    case "mysql":
      return ["root-password", "replication-password"];
    case "mongodb":
      return ["root-password", "keyfile"];
    case "memcached":
      return [];
    default:
      return ["password"];
  }
}

function descriptionOf(key: string): string {
  if (key === "admin-password") return "Password of the superuser (auth.username).";
  if (key === "replication-password") return "Password of the `replicator` role the replicas stream with.";
  return "Password clients log in with.";
}
