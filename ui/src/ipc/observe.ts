/**
 * What the Instance Logs, Connect and Metrics panels ask of Berth. Part of {@link Backend}; kept in
 * its own file so the panels' IPC surface is in one place.
 */
import type { InstanceLogLine } from "./bindings/InstanceLogLine";
import type { InstanceMetrics } from "./bindings/InstanceMetrics";
import type { InstanceRef } from "./bindings/InstanceRef";
import type { LogsInput } from "./bindings/LogsInput";
import type { MetricsHistory } from "./bindings/MetricsHistory";
import type { MetricsHistoryInput } from "./bindings/MetricsHistoryInput";
import type { PortForwardInput } from "./bindings/PortForwardInput";
import type { PortForwardSession } from "./bindings/PortForwardSession";

/** A running log stream. */
export interface LogStream {
  /** Ends the stream (idempotent). */
  stop(): Promise<void>;
  /** Settles when the stream is over: read to the end, stopped, or failed (rejects with an ApiError). */
  readonly done: Promise<void>;
}

export interface ObserveBackend {
  /** Reads (or, with `follow`, streams) an instance's logs; lines arrive in batches. */
  streamLogs(input: LogsInput, onLines: (lines: InstanceLogLine[]) => void): LogStream;
  /** Opens a port-forward to the instance's client Service on 127.0.0.1. */
  startPortForward(input: PortForwardInput): Promise<PortForwardSession>;
  /** Closes a port-forward session; false when it was already closed. */
  stopPortForward(id: string): Promise<boolean>;
  /** The open port-forward sessions. */
  portForwards(): Promise<PortForwardSession[]>;
  /** The session's connection URI with the real password (only on the user's request). */
  revealConnectionUri(id: string): Promise<string>;
  /** One CPU and memory sample per pod, or why there is none. */
  instanceMetrics(instance: InstanceRef): Promise<InstanceMetrics>;
  /** The samples kept over a range (up to 24 h), per pod, with each pod's requests and limits. */
  metricsHistory(input: MetricsHistoryInput): Promise<MetricsHistory>;
}

export type {
  InstanceLogLine,
  InstanceMetrics,
  InstanceRef,
  LogsInput,
  MetricsHistory,
  MetricsHistoryInput,
  PortForwardInput,
  PortForwardSession,
};
export type { PodMetrics } from "./bindings/PodMetrics";
export type { ContainerMetrics } from "./bindings/ContainerMetrics";
export type { PodHistory } from "./bindings/PodHistory";
export type { PodResources } from "./bindings/PodResources";
