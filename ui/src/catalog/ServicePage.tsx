import { useState } from "react";
import Markdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { Link, useParams } from "wouter";
import { ErrorPanel } from "../components/ErrorPanel";
import { useBackend } from "../app/backend-context";
import { toApiError } from "../ipc";
import { CATEGORY_LABELS, versionLabels } from "./filter";
import { useServiceDetail } from "./queries";
import { ServiceIcon } from "./ServiceIcon";
import "./catalog.css";

/** The page has its own h1: README headings move one level down. No raw HTML is rendered. */
const README_HEADINGS = { h1: "h2", h2: "h3", h3: "h4" } as const;

/** One service: what it is, its versions and capabilities, and its README. */
export function ServicePage() {
  const { id } = useParams<{ id: string }>();
  const detail = useServiceDetail(id);
  const d = detail.data;
  return (
    <div className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link href="/catalog">Catalog</Link> / {d?.service.title ?? id}
      </nav>
      {detail.isError ? (
        <ErrorPanel error={detail.error} fallbackTitle="This service could not be loaded" onRetry={() => void detail.refetch()} />
      ) : !d ? (
        <div className="card readme" aria-busy="true">
          <span className="skeleton skeleton--line" />
        </div>
      ) : (
        <>
          <header className="detail-head">
            <ServiceIcon svg={d.iconSvg} title={d.service.title} size={56} />
            <div>
              <h1>{d.service.title}</h1>
              <p className="muted">{d.service.summary}</p>
            </div>
            <div className="detail-head__actions">
              <Link href={`/catalog/${d.service.id}/install`} className="button button--primary">
                Install…
              </Link>
            </div>
          </header>
          <div className="detail-layout">
            <article className="card readme" aria-label="README">
              {d.readme ? <Markdown components={README_HEADINGS} remarkPlugins={[remarkGfm]}>
                  {d.readme}
                </Markdown> : <p>{d.description}</p>}
            </article>
            <aside className="card readme" aria-label="Facts">
              <dl className="service-facts">
                <div>
                  <dt>Category</dt>
                  <dd>{CATEGORY_LABELS[d.service.category]}</dd>
                </div>
                <div>
                  <dt>Versions</dt>
                  <dd>
                    {versionLabels(d.service).map((v, i) => (
                      <span key={v} className={`version${i === 0 ? " version--default" : ""}`} title={i === 0 ? "Default" : undefined}>
                        {v}
                      </span>
                    ))}
                  </dd>
                </div>
                <div>
                  <dt>Licence</dt>
                  <dd>{d.license}</dd>
                </div>
                <div>
                  <dt>Homepage</dt>
                  <dd>
                    <HomepageLink id={d.service.id} url={d.homepage} />
                  </dd>
                </div>
                <div>
                  <dt>Stop and start keeping data</dt>
                  <dd>{d.service.capabilities.stopStart ? "Yes" : "No"}</dd>
                </div>
                <div>
                  <dt>Scales after install</dt>
                  <dd>{d.service.capabilities.horizontalScaling ? "Yes" : "No"}</dd>
                </div>
                <div>
                  <dt>Autoscaling</dt>
                  <dd>{d.service.capabilities.autoscaling ? "Yes" : "No"}</dd>
                </div>
                <div>
                  <dt>Moves between clusters</dt>
                  <dd>{d.service.capabilities.export && d.service.capabilities.import ? "Yes, with its data" : "No"}</dd>
                </div>
                <div>
                  <dt>Source</dt>
                  <dd className="mono">{d.service.source}</dd>
                </div>
              </dl>
            </aside>
          </div>
        </>
      )}
    </div>
  );
}

/** The upstream homepage, opened in the default browser (the shell opens only the catalog's own
 * address for the service, whatever the page asks). */
function HomepageLink({ id, url }: { id: string; url: string }) {
  const backend = useBackend();
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <>
      <a
        className="mono"
        href={url}
        target="_blank"
        rel="noreferrer"
        title="Open in your browser"
        onClick={(e) => {
          e.preventDefault();
          setFailed(null);
          backend.openHomepage(id).catch((err: unknown) => setFailed(toApiError(err).message));
        }}
      >
        {url.replace(/^https?:\/\//, "")}
      </a>
      {failed ? (
        <span className="field-error" role="alert">
          {failed}
        </span>
      ) : null}
    </>
  );
}
