/**
 * Background operations (install, stop, start, restart, reconfigure, uninstall): start one with
 * `useStartOperation()`, follow it with `useOperation(id)` and show it with `<ProgressSteps>`.
 * Updates arrive as backend events; a finished operation refreshes instance and history queries.
 */
export { ProgressSteps, OperationError } from "./ProgressSteps";
export { describeProgress, suggestedFix, formatDuration, type ProgressStep, type ProgressView, type StepState } from "./progress";
export { lifecycleRequest, mergeUpdate, useOperation, useOperations, useRunningOperation, useStartOperation } from "./queries";
