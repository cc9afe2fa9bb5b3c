// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
import type { ContextInfo } from "./ContextInfo";
import type { KubeconfigProblem } from "./KubeconfigProblem";

export type ContextList = { contexts: Array<ContextInfo>, kubeconfigFiles: Array<string>, problems: Array<KubeconfigProblem>, };
