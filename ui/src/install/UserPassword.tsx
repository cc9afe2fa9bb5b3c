import { useEffect, useRef, useState } from "react";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type InstanceRef } from "../ipc";

/**
 * An existing user's generated password: hidden until the user asks. Reveal (and Copy, which
 * reveals without showing) calls `revealCredential`, the one explicit exception to "no secret over
 * IPC". The value lives only in this component's state: not in the query cache, not in the URL,
 * not in any log; it is dropped on Hide and when the row goes away.
 */
export function UserPassword({ instance, user }: { instance: InstanceRef; user: string }) {
  const backend = useBackend();
  const [password, setPassword] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const fetchPassword = async (): Promise<string | null> => {
    if (password !== null) return password;
    setBusy(true);
    setError(null);
    try {
      const value = await backend.revealCredential({ instance, user });
      if (alive.current) setPassword(value);
      return value;
    } catch (e) {
      if (alive.current) setError(toApiError(e));
      return null;
    } finally {
      if (alive.current) setBusy(false);
    }
  };

  const reveal = async () => {
    if (shown) {
      setShown(false);
      setPassword(null);
      return;
    }
    if ((await fetchPassword()) !== null && alive.current) setShown(true);
  };

  const copy = async () => {
    const value = await fetchPassword();
    if (value === null) return;
    try {
      await navigator.clipboard.writeText(value);
      if (!alive.current) return;
      setCopied(true);
      setTimeout(() => alive.current && setCopied(false), 1500);
    } catch {
      if (alive.current) setError({ code: "internal", message: "The clipboard refused the password: reveal it and copy it by hand." });
    }
  };

  return (
    <div className="user-password" data-testid="user-password" data-user={user}>
      <span className={`user-password__value mono${shown ? "" : " user-password__value--hidden"}`} data-revealed={shown}>
        {shown && password !== null ? password : "••••••••••••"}
      </span>
      <button
        type="button"
        className="button button--small"
        aria-label={`${shown ? "Hide" : "Reveal"} the password of ${user}`}
        aria-pressed={shown}
        disabled={busy}
        onClick={() => void reveal()}
      >
        {shown ? "Hide" : "Reveal"}
      </button>
      <button type="button" className="button button--small" aria-label={`Copy the password of ${user}`} disabled={busy} onClick={() => void copy()}>
        {copied ? "Copied" : "Copy"}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error.message}
        </span>
      ) : null}
    </div>
  );
}
