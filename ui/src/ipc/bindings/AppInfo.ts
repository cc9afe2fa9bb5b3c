// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
import type { KeyringStatus } from "./KeyringStatus";

export type AppInfo = { version: string, home: string, keyring: KeyringStatus, };
