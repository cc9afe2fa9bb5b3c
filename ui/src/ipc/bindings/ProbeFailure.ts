// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
import type { ProbeFailureKind } from "./ProbeFailureKind";

export type ProbeFailure = { kind: ProbeFailureKind, message: string, hint: string, };
