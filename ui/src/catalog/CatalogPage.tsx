import { EmptyState } from "../components/EmptyState";
import { CatalogIcon } from "../components/icons";

/** Service definitions Berth can install. */
export function CatalogPage() {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Catalog</h1>
      </header>
      <EmptyState icon={<CatalogIcon />} title="No service definitions loaded">
        <p>
          The catalog lists the open-source services Berth can install, each with its versions and settings. Definitions
          live in the <code>catalog/</code> folder of Berth (one folder per service: <code>service.yaml</code>, a
          parameter schema and templates).
        </p>
        <p>This build of Berth ships none yet, so there is nothing to install.</p>
      </EmptyState>
    </div>
  );
}
