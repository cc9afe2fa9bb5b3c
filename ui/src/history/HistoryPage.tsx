import { EmptyState } from "../components/EmptyState";
import { HistoryIcon } from "../components/icons";

/** Every operation Berth ran, newest first. */
export function HistoryPage() {
  return (
    <div className="page">
      <header className="page-header">
        <h1>History</h1>
      </header>
      <EmptyState icon={<HistoryIcon />} title="No operations recorded">
        <p>
          Every install, upgrade, reconfiguration, stop, start and rollback is recorded here, on this machine, with its
          parameters and outcome, so you can see what changed and roll back.
        </p>
        <p>Nothing has been run yet.</p>
      </EmptyState>
    </div>
  );
}
