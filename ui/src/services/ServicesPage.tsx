import { Link } from "wouter";
import { EmptyState } from "../components/EmptyState";
import { ServicesIcon } from "../components/icons";

/** Installed services across all contexts; none can be installed yet, and the page says so plainly. */
export function ServicesPage() {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Services</h1>
      </header>
      <EmptyState
        icon={<ServicesIcon />}
        title="No services installed"
        actions={
          <>
            <Link href="/catalog" className="button button--primary">
              Browse the catalog
            </Link>
            <Link href="/contexts" className="button">
              Check your contexts
            </Link>
          </>
        }
      >
        <p>
          Services you install with Berth (Postgres, Redis, Kafka…) appear here, grouped by the cluster they run on, with
          their health, version and endpoints.
        </p>
        <p>Pick a service in the Catalog, or make sure Berth can reach a cluster on the Contexts page first.</p>
      </EmptyState>
    </div>
  );
}
