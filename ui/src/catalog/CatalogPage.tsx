import { useState } from "react";
import { Link } from "wouter";
import { EmptyState } from "../components/EmptyState";
import { ErrorPanel } from "../components/ErrorPanel";
import { AlertIcon, CatalogIcon, SearchIcon } from "../components/icons";
import type { ServiceSummary } from "../ipc";
import { CATEGORY_LABELS, categoryCounts, installedCounts, versionLabels, visibleServices, type CatalogFilter } from "./filter";
import { useCatalogList, useServiceDetails } from "./queries";
import { ServiceIcon } from "./ServiceIcon";
import { useInstances } from "../services/queries";
import "./catalog.css";

function ServiceCard({ service, icon, installed }: { service: ServiceSummary; icon: string | null | undefined; installed: number }) {
  const versions = versionLabels(service);
  return (
    <li className="service-card" data-service={service.id}>
      <Link href={`/catalog/${service.id}`} className="service-card__link" aria-label={`${service.title}: ${service.summary}`}>
        <div className="service-card__head">
          <ServiceIcon svg={icon} title={service.title} />
          <div>
            <h2 className="service-card__title">{service.title}</h2>
            <span className="chip">{CATEGORY_LABELS[service.category]}</span>
            {installed > 0 ? (
              <span className="chip service-card__installed" data-testid="installed-count">
                {installed} installed
              </span>
            ) : null}
          </div>
        </div>
        <p className="service-card__summary">{service.summary}</p>
        <p className="service-card__versions">
          <span className="muted">Versions</span>{" "}
          {versions.map((v, i) => (
            <span key={v} className={`version${i === 0 ? " version--default" : ""}`}>
              {v}
            </span>
          ))}
        </p>
      </Link>
    </li>
  );
}

function CardSkeletons() {
  return (
    <ul className="service-grid" aria-busy="true" aria-label="Loading the catalog">
      {Array.from({ length: 6 }, (_, i) => (
        <li key={i} className="service-card service-card--skeleton">
          <span className="skeleton skeleton--icon" />
          <span className="skeleton skeleton--line" />
          <span className="skeleton skeleton--line skeleton--short" />
        </li>
      ))}
    </ul>
  );
}

/** Every service Berth can install: cards with icon, category, summary and versions. */
export function CatalogPage() {
  const list = useCatalogList();
  const [filter, setFilter] = useState<CatalogFilter>({ text: "", category: "all" });
  const services = list.data?.services ?? [];
  const details = useServiceDetails(services.map((s) => s.id));
  const iconOf = new Map(services.map((s, i) => [s.id, details[i]?.data?.iconSvg]));
  const shown = visibleServices(services, filter);
  // how many of each service run in the contexts that answer (the Services list's own queries)
  const installed = installedCounts(useInstances().instances);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Catalog</h1>
          <p className="page-header__summary">
            {list.data ? `${services.length} services ready to install on any of your clusters` : "Open-source services, ready to install"}
          </p>
        </div>
      </header>
      {list.isError ? (
        <ErrorPanel error={list.error} fallbackTitle="The catalog could not be loaded" onRetry={() => void list.refetch()} />
      ) : (
        <>
          <div className="toolbar" role="search">
            <label className="search">
              <SearchIcon aria-hidden="true" />
              <input
                type="search"
                placeholder="Search services"
                aria-label="Search services"
                value={filter.text}
                onChange={(e) => setFilter({ ...filter, text: e.target.value })}
              />
            </label>
            <div className="segmented" role="group" aria-label="Category">
              <button type="button" aria-pressed={filter.category === "all"} onClick={() => setFilter({ ...filter, category: "all" })}>
                All
              </button>
              {categoryCounts(services).map(({ category, count }) => (
                <button
                  type="button"
                  key={category}
                  aria-pressed={filter.category === category}
                  onClick={() => setFilter({ ...filter, category })}
                >
                  {CATEGORY_LABELS[category]} <span className="muted">{count}</span>
                </button>
              ))}
            </div>
          </div>
          {list.data && list.data.problems.length > 0 ? (
            <div className="banner banner--warning" role="alert" data-testid="catalog-problems">
              <AlertIcon className="banner__icon" />
              <div>
                <strong>Some catalog definitions could not be loaded</strong>
                <ul>
                  {list.data.problems.map((p) => (
                    <li key={p.message}>{p.message}</li>
                  ))}
                </ul>
              </div>
            </div>
          ) : null}
          {list.isPending ? (
            <CardSkeletons />
          ) : shown.length === 0 ? (
            <EmptyState icon={<CatalogIcon />} title={services.length === 0 ? "The catalog is empty" : "No service matches"}>
              <p>
                {services.length === 0
                  ? "No service definitions were found. Add a catalog folder in Settings."
                  : "Try other words, or show every category."}
              </p>
            </EmptyState>
          ) : (
            <ul className="service-grid" aria-label="Services">
              {shown.map((s) => (
                <ServiceCard key={s.id} service={s} icon={iconOf.get(s.id)} installed={installed.get(s.id) ?? 0} />
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
