// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
import type { ProbeFailure } from "./ProbeFailure";

export type ContextProbe = { name: string, reachable: boolean, serverVersion: string | null, latencyMs: number, failure: ProbeFailure | null, lastSeen: string | null, };
