import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { lazy, Suspense, type ComponentType, type SVGProps } from "react";
import { Link, Redirect, Route, Router, Switch } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";
import {
  BerthMark,
  CatalogIcon,
  ContextsIcon,
  HistoryIcon,
  ServicesIcon,
  SettingsIcon,
} from "../components/icons";
import { TaskTray } from "../operations";
import { CommandPalette, PaletteButton } from "../palette/CommandPalette";
import type { Backend } from "../ipc";
import { ServicesPage } from "../services/ServicesPage";
import { ThemeFromSettings } from "../settings/theme";
import { BackendProvider } from "./backend-context";

// Only Services (the home screen) is in the entry chunk: every other screen loads on first use, so
// the script the webview parses before the first paint stays small. The service detail (Markdown)
// and the forms (@rjsf, the highlighter) are the largest.
const CatalogPage = lazy(() => import("../catalog/CatalogPage").then((m) => ({ default: m.CatalogPage })));
const ContextsPage = lazy(() => import("../contexts/ContextsPage").then((m) => ({ default: m.ContextsPage })));
const HistoryPage = lazy(() => import("../history/HistoryPage").then((m) => ({ default: m.HistoryPage })));
const InstancePage = lazy(() => import("../instance/InstancePage").then((m) => ({ default: m.InstancePage })));
const SettingsPage = lazy(() => import("../settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));
const ServicePage = lazy(() => import("../catalog/ServicePage").then((m) => ({ default: m.ServicePage })));
const InstallPage = lazy(() => import("../install/InstallPage").then((m) => ({ default: m.InstallPage })));
const TransferPage = lazy(() => import("../transfers/TransferPage").then((m) => ({ default: m.TransferPage })));
const TransfersPage = lazy(() => import("../transfers/TransfersPage").then((m) => ({ default: m.TransfersPage })));
// the start-up notice of interrupted moves and copies: loaded after the first paint
const InterruptedTransfers = lazy(() =>
  import("../transfers/InterruptedTransfers").then((m) => ({ default: m.InterruptedTransfers })),
);
const ConfigurePage = lazy(() => import("../install/ConfigurePage").then((m) => ({ default: m.ConfigurePage })));

const NAV: { href: string; label: string; icon: ComponentType<SVGProps<SVGSVGElement>> }[] = [
  { href: "/services", label: "Services", icon: ServicesIcon },
  { href: "/catalog", label: "Catalog", icon: CatalogIcon },
  { href: "/contexts", label: "Contexts", icon: ContextsIcon },
  { href: "/history", label: "History", icon: HistoryIcon },
  { href: "/settings", label: "Settings", icon: SettingsIcon },
];

function Sidebar({ backend }: { backend: Backend }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="sidebar__brand">
        <BerthMark className="sidebar__logo" />
        <span>Berth</span>
      </div>
      <ul>
        {NAV.map(({ href, label, icon: Icon }) => (
          <li key={href}>
            <Link href={href} className={(active: boolean) => `nav-link${active ? " nav-link--active" : ""}`}>
              <Icon />
              {label}
            </Link>
          </li>
        ))}
      </ul>
      <div className="sidebar__footer">
        <PaletteButton />
        <TaskTray />
        {backend.kind === "mock" ? (
          <p className="sidebar__note" title="Running outside the desktop app: the data is a built-in example">
            Demo data
          </p>
        ) : null}
      </div>
    </nav>
  );
}

/** The app frame: sidebar navigation and the current screen. Opens on Services. */
export function App({ backend, queryClient }: { backend: Backend; queryClient: QueryClient }) {
  return (
    <BackendProvider backend={backend}>
      <QueryClientProvider client={queryClient}>
        <Router hook={useHashLocation}>
          <ThemeFromSettings />
          <div className="app">
            <Sidebar backend={backend} />
            <main className="content">
              <Suspense fallback={null}>
                <InterruptedTransfers />
              </Suspense>
              <Suspense fallback={<p className="page muted" aria-busy="true">Loading…</p>}>
              <Switch>
                <Route path="/services" component={ServicesPage} />
                <Route path="/instances/:context/:namespace/:name/configure" component={ConfigurePage} />
                <Route path="/instances/:context/:namespace/:name/transfer/:kind" component={TransferPage} />
                <Route path="/instances/:context/:namespace/:name/:tab?" component={InstancePage} />
                <Route path="/catalog" component={CatalogPage} />
                <Route path="/catalog/:id/install" component={InstallPage} />
                <Route path="/catalog/:id" component={ServicePage} />
                <Route path="/contexts" component={ContextsPage} />
                <Route path="/history" component={HistoryPage} />
                <Route path="/history/transfers" component={TransfersPage} />
                <Route path="/settings" component={SettingsPage} />
                <Route>
                  <Redirect to="/services" replace />
                </Route>
              </Switch>
              </Suspense>
            </main>
          </div>
          <CommandPalette />
        </Router>
      </QueryClientProvider>
    </BackendProvider>
  );
}
