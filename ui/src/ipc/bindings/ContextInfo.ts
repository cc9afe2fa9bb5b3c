// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
import type { Location } from "./Location";

export type ContextInfo = { name: string, cluster: string, server: string | null, user: string | null, namespace: string | null, sourceFile: string, current: boolean, location: Location, locationInferred: boolean, favourite: boolean, lastSeen: string | null, serverVersion: string | null, };
