import { Channel, invoke } from "@tauri-apps/api/core";
import { toApiError } from "./backend";
import type { InstanceLogLine, InstanceMetrics, InstanceRef, LogStream, LogsInput, MetricsHistory, MetricsHistoryInput, ObserveBackend, PortForwardInput, PortForwardSession } from "./observe";
import type { Command } from "./commands";

async function call<T>(command: Command, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

let nextStream = 0;

/** The panels' commands over Tauri: logs arrive through a `Channel` in batches. */
export const tauriObserve: ObserveBackend = {
  streamLogs(input: LogsInput, onLines: (lines: InstanceLogLine[]) => void): LogStream {
    nextStream += 1;
    const streamId = `logs-${Date.now()}-${nextStream}`;
    const channel = new Channel<InstanceLogLine[]>();
    channel.onmessage = onLines;
    const done = call<void>("instance_logs", { streamId, input, onLines: channel });
    return {
      done,
      stop: async () => {
        await call<boolean>("stop_instance_logs", { streamId });
      },
    };
  },
  startPortForward(input: PortForwardInput): Promise<PortForwardSession> {
    return call("start_port_forward", { input });
  },
  stopPortForward(id: string): Promise<boolean> {
    return call("stop_port_forward", { id });
  },
  portForwards(): Promise<PortForwardSession[]> {
    return call("port_forwards");
  },
  revealConnectionUri(id: string): Promise<string> {
    return call("reveal_connection_uri", { id });
  },
  instanceMetrics(instance: InstanceRef): Promise<InstanceMetrics> {
    return call("instance_metrics", { instance });
  },
  metricsHistory(input: MetricsHistoryInput): Promise<MetricsHistory> {
    return call("metrics_history", { input });
  },
};
