import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useBackend } from "../app/backend-context";
import { ErrorPanel } from "../components/ErrorPanel";
import { toApiError, type ApiError, type PortForwardSession } from "../ipc";
import { instanceRef, type InstanceProps } from "./hooks";
import "./panels.css";

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button--small"
      aria-label={label}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          },
          () => setCopied(false),
        );
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

function Session({ session, onStop, stopping }: { session: PortForwardSession; onStop: () => void; stopping: boolean }) {
  const backend = useBackend();
  const [revealed, setRevealed] = useState<string | null>(null);
  const reveal = useMutation<string, ApiError>({
    mutationFn: () => backend.revealConnectionUri(session.id).catch((e: unknown) => Promise.reject(toApiError(e))),
    onSuccess: setRevealed,
  });
  const address = `${session.localHost}:${session.localPort}`;
  const uri = revealed ?? session.uri;
  return (
    <div className="connect" data-testid="port-forward">
      <p className="connect__status">
        <span className="dot dot--up" aria-hidden="true" /> Forwarding <code>{address}</code> to pod <code>{session.pod}</code> port{" "}
        {session.podPort} (Service <code>{session.service}</code>)
      </p>
      <dl className="connect__fields">
        <dt>Address</dt>
        <dd>
          <code data-testid="connect-address">{address}</code>
          <CopyButton text={address} label="Copy address" />
        </dd>
        {session.user ? (
          <>
            <dt>User</dt>
            <dd>
              <code>{session.user}</code>
              <CopyButton text={session.user} label="Copy user" />
            </dd>
          </>
        ) : null}
        <dt>URI</dt>
        <dd>
          <code data-testid="connect-uri" className="connect__uri">
            {uri}
          </code>
          <CopyButton text={uri} label="Copy URI" />
          {session.hasPassword ? (
            revealed ? (
              <button type="button" className="button button--small" onClick={() => setRevealed(null)}>
                Hide
              </button>
            ) : (
              <button type="button" className="button button--small" onClick={() => reveal.mutate()} disabled={reveal.isPending}>
                Reveal
              </button>
            )
          ) : null}
        </dd>
      </dl>
      {reveal.error ? <ErrorPanel error={reveal.error} fallbackTitle="The password could not be read" /> : null}
      <div className="connect__actions">
        <button type="button" className="button" onClick={onStop} disabled={stopping}>
          Stop forwarding
        </button>
      </div>
    </div>
  );
}

/** One-click port-forward to the instance's client Service, with its connection URI. */
export function ConnectPanel(props: InstanceProps) {
  const backend = useBackend();
  const client = useQueryClient();
  const key = ["port-forwards"];
  const sessions = useQuery<PortForwardSession[], ApiError>({
    queryKey: key,
    queryFn: () => backend.portForwards().catch((e: unknown) => Promise.reject(toApiError(e))),
  });
  const mine = sessions.data?.find(
    (s) => s.name === props.name && s.namespace === props.namespace && s.context === props.context,
  );
  const start = useMutation<PortForwardSession, ApiError>({
    mutationFn: () =>
      backend.startPortForward({ instance: instanceRef(props), port: null }).catch((e: unknown) => Promise.reject(toApiError(e))),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  const stop = useMutation<boolean, ApiError, string>({
    mutationFn: (id) => backend.stopPortForward(id).catch((e: unknown) => Promise.reject(toApiError(e))),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  return (
    <section className="panel" aria-label="Connect">
      <header className="panel__header">
        <h2>Connect</h2>
      </header>
      {mine ? (
        <Session key={mine.id} session={mine} onStop={() => stop.mutate(mine.id)} stopping={stop.isPending} />
      ) : (
        <div className="connect connect--idle">
          <p>
            Forward a free local port to <strong>{props.name}</strong> and connect with any client on this machine. The
            forward runs until you stop it or quit Berth.
          </p>
          <button type="button" className="button button--primary" onClick={() => start.mutate()} disabled={start.isPending || sessions.isLoading}>
            {start.isPending ? "Starting…" : "Start port-forward"}
          </button>
        </div>
      )}
      {start.error ? <ErrorPanel error={start.error} fallbackTitle="The port-forward could not start" /> : null}
      {stop.error ? <ErrorPanel error={stop.error} fallbackTitle="The port-forward could not stop" /> : null}
    </section>
  );
}
