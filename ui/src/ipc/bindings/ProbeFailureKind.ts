// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
export type ProbeFailureKind = "dns" | "refused" | "tls" | "unauthorized" | "forbidden" | "timeout" | "execPlugin" | "config" | "other";
