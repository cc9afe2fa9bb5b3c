// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
export type ErrorCode = "invalidInput" | "notFound" | "kubeconfig" | "store" | "keyring" | "cluster" | "conflict" | "internal";
