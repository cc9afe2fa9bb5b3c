import type { InstanceSummary } from "../ipc";

/** Whether an instance of this name already lives in the namespace (the core refuses it too). */
export function nameTaken(instances: readonly InstanceSummary[] | undefined, namespace: string, name: string): boolean {
  return (instances ?? []).some((i) => i.namespace === namespace && i.name === name);
}

/**
 * Whether the namespace typed is not among the context's namespaces: the install then creates it
 * only when the user says so. `false` while the list is unknown (the core checks again).
 */
export function namespaceMissing(namespaces: readonly string[] | undefined, namespace: string): boolean {
  return namespaces !== undefined && namespace !== "" && !namespaces.includes(namespace);
}
