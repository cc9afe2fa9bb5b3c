import type { ServiceCategory, ServiceSummary } from "../ipc";

export const CATEGORY_LABELS: Record<ServiceCategory, string> = {
  database: "Database",
  cache: "Cache",
  messaging: "Messaging",
  objectStorage: "Object storage",
  search: "Search",
  coordination: "Coordination",
};

export interface CatalogFilter {
  text: string;
  category: ServiceCategory | "all";
}

/** The services matching the search text (id, title, summary) and category, by title. */
export function visibleServices(services: readonly ServiceSummary[], filter: CatalogFilter): ServiceSummary[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return services
    .filter((s) => filter.category === "all" || s.category === filter.category)
    .filter((s) => {
      const hay = `${s.id} ${s.title} ${s.summary} ${CATEGORY_LABELS[s.category]}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    })
    .sort((a, b) => a.title.localeCompare(b.title));
}

/** The categories present, in a fixed order, with how many services each has. */
export function categoryCounts(services: readonly ServiceSummary[]): { category: ServiceCategory; count: number }[] {
  return (Object.keys(CATEGORY_LABELS) as ServiceCategory[])
    .map((category) => ({ category, count: services.filter((s) => s.category === category).length }))
    .filter((c) => c.count > 0);
}

/** The default version first, then the others newest first. */
export function versionLabels(service: ServiceSummary): string[] {
  const def = service.versions.find((v) => v.default);
  const rest = service.versions.filter((v) => !v.default).map((v) => v.id).reverse();
  return def ? [def.id, ...rest] : rest;
}

/** How many instances of each service are installed, by service id. */
export function installedCounts(instances: readonly { service: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of instances) counts.set(i.service, (counts.get(i.service) ?? 0) + 1);
  return counts;
}
