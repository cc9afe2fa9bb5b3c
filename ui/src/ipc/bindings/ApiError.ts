// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
import type { ErrorCode } from "./ErrorCode";

export type ApiError = { code: ErrorCode, message: string, };
