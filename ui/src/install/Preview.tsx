/** The Preview tab: rendered manifests as highlighted YAML, and for changes the diff against what is live. */
import { Highlight } from "prism-react-renderer";
import { ErrorPanel } from "../components/ErrorPanel";
import type { ApiError, JsonValue, ReconfigureResult, RenderedManifests } from "../ipc";
import { toYaml } from "./yaml";

const TOKEN_CLASS: Record<string, string> = {
  atrule: "tok-key",
  key: "tok-key",
  string: "tok-string",
  number: "tok-number",
  boolean: "tok-boolean",
  punctuation: "tok-punctuation",
  comment: "tok-comment",
};

function Yaml({ text }: { text: string }) {
  return (
    <Highlight code={text} language="yaml" theme={{ plain: {}, styles: [] }}>
      {({ tokens, getLineProps, getTokenProps }) => (
        <pre>
          {tokens.map((line, i) => {
            const { style: _s, ...lineProps } = getLineProps({ line });
            return (
              <div key={i} {...lineProps}>
                {line.map((token, j) => {
                  const { style: _t, className: _c, ...tokenProps } = getTokenProps({ token });
                  const cls = token.types.map((t) => TOKEN_CLASS[t]).find(Boolean);
                  return <span key={j} className={cls} {...tokenProps} />;
                })}
              </div>
            );
          })}
        </pre>
      )}
    </Highlight>
  );
}

function title(object: JsonValue): string {
  const o = object as { kind?: string; metadata?: { name?: string } };
  return `${o.kind ?? "Object"} ${o.metadata?.name ?? ""}`.trim();
}

/** The objects an install would apply. */
export function ManifestPreview({ rendered, error, pending }: { rendered?: RenderedManifests; error: ApiError | null; pending: boolean }) {
  if (error) return <ErrorPanel error={error} fallbackTitle="The preview could not be rendered" />;
  if (!rendered) return <p className="muted" aria-busy={pending}>Rendering…</p>;
  return (
    <div data-testid="manifest-preview" aria-busy={pending}>
      <p className="muted">
        {rendered.objects.length} objects in <span className="mono">{rendered.namespace}</span>, applied in this order. Passwords are
        generated at install and never shown here.
      </p>
      {rendered.objects.map((o, i) => (
        <section key={i} className="card manifest" data-object={title(o)}>
          <h3 className="manifest__title">{title(o)}</h3>
          <Yaml text={toYaml(o)} />
        </section>
      ))}
    </div>
  );
}

/** What a reconfigure or upgrade would change on the live instance. */
export function DiffPreview({ result, error, pending }: { result?: ReconfigureResult; error: ApiError | null; pending: boolean }) {
  if (error) return <ErrorPanel error={error} fallbackTitle="The difference could not be computed" />;
  if (!result) return <p className="muted" aria-busy={pending}>Comparing with what is live…</p>;
  if (result.changes.length === 0) return <p data-testid="diff-empty">Nothing would change: the form matches what is live.</p>;
  const notes = volumeNotes(result);
  return (
    <>
      {notes.map((n) => (
        <p key={n} className="banner banner--info" role="note" data-testid="volume-note">
          {n}
        </p>
      ))}
      <ul className="object-diff" data-testid="diff" aria-busy={pending}>
        {result.changes.map((c) => (
          <li key={c.object} className="card object-diff__object" data-object={c.object}>
            <h3>
              {c.object}
              <span className={`object-diff__change diff__change--${c.change}`}>{c.change}</span>
            </h3>
            <ul className="object-diff__fields">
              {c.fields.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </>
  );
}

/** What a change does to volumes, said before it is applied: growth in place, new claims. */
export function volumeNotes(result: ReconfigureResult): string[] {
  const notes: string[] = [];
  for (const c of result.changes) {
    if (!c.object.startsWith("StatefulSet ")) continue;
    for (const f of c.fields) {
      const grow = /^spec\.volumeClaimTemplates\[\d+\]\.spec\.resources\.requests\.storage: "?([^"]*)"? → "?([^"]*)"?$/.exec(f);
      if (grow) {
        notes.push(
          `The volumes of ${c.object} grow from ${grow[1]} to ${grow[2]}: each claim is enlarged in place and the pods keep running (the storage class must allow expansion; volumes never shrink).`,
        );
      }
      const scale = /^spec\.replicas: (\d+) → (\d+)$/.exec(f);
      if (scale && Number(scale[2]) > Number(scale[1])) {
        notes.push(`Each new replica of ${c.object} gets a new volume of its own.`);
      }
    }
  }
  return notes;
}
