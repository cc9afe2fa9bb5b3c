import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";

const row = (page: Page, id: string) => page.locator(`li[data-instance="${id}"]`);

async function openServices(page: Page, fixture = "default", delay = "0.5") {
  await page.goto(`/?backend=mock&fixture=${fixture}&delay=${delay}#/services`);
  await expect(page.getByRole("heading", { name: "Services", level: 1 })).toBeVisible();
}

test("the app opens on Services", async ({ page }) => {
  await page.goto("/?backend=mock");
  await expect(page.getByRole("heading", { name: "Services", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/#\/services$/);
});

test("lists every instance grouped by context with location, health, version and endpoint", async ({ page }) => {
  await openServices(page);
  await expect(page.locator("li[data-instance]")).toHaveCount(8);
  await expect(page.getByTestId("services-summary")).toHaveText(
    "8 services · 3 ready · 1 starting · 1 degraded · 3 stopped · 3 contexts unreachable",
  );
  const groups = await page.locator("section.service-group[data-context]").evaluateAll((els) =>
    els.map((e) => e.getAttribute("data-context")),
  );
  // kubeconfig order for those with services, then the unreachable ones
  expect(groups.slice(0, 3)).toEqual(["kind-berth-dev", "gke_acme_europe-west1_prod", "onprem-lab"]);
  const prod = page.locator('section[data-context="gke_acme_europe-west1_prod"]');
  await expect(prod.getByTestId("location-badge")).toHaveText("Cloud");

  const pg = row(page, "kind-berth-dev/default/pg-dev");
  await expect(pg.locator("[data-health]").first()).toHaveAttribute("data-health", "ready");
  await expect(pg).toContainText("postgres 17");
  await expect(pg).toContainText("pg-dev.default.svc:5432");
  const events = row(page, "gke_acme_europe-west1_prod/shop/events");
  await expect(events).toContainText("Degraded");
  await expect(events).toContainText("CrashLoopBackOff");
  await expect(row(page, "kind-berth-dev/default/cache").getByRole("button", { name: "Start cache" })).toBeVisible();
});

test("CPU and memory sparklines: one request per context, a quiet dash without a metrics API", async ({ page }) => {
  await openServices(page);
  const slots = page.locator('[data-slot="metrics"]');
  await expect(slots).toHaveCount(8);
  await expect(page.locator('[data-slot="metrics"][data-state="ok"]')).toHaveCount(4);
  const pg = row(page, "kind-berth-dev/default/pg-dev").locator('[data-slot="metrics"]');
  await expect(pg.getByRole("img", { name: /^CPU \d+m, over the last 7 min$/ })).toBeVisible();
  await expect(pg.getByRole("img", { name: /^Memory \d+( MiB|\.\d GiB), over the last 7 min$/ })).toBeVisible();
  await expect(pg.locator("polyline")).toHaveCount(2);
  await expect(pg.getByTestId("cpu-now")).toHaveText(/^\d+m$/);
  // the stopped instance has nothing to measure; the lab cluster has no metrics API
  await expect(row(page, "kind-berth-dev/default/cache").locator('[data-slot="metrics"]')).toHaveAttribute("data-state", "stopped");
  const lab = row(page, "onprem-lab/lab/inventory").locator('[data-slot="metrics"]');
  await expect(lab).toHaveAttribute("data-state", "unavailable");
  await expect(lab).toHaveText("—");
  await expect(lab).toHaveAttribute("title", /install metrics-server/);
  await expect(row(page, "onprem-lab/lab/inventory").getByRole("alert")).toHaveCount(0);
  // one request per context with instances (three), not one per row
  expect(await page.evaluate(() => (window as unknown as { __berthUsageCalls?: number }).__berthUsageCalls)).toBe(3);
});

test("an unreachable context says why and where to look", async ({ page }) => {
  await openServices(page);
  const minikube = page.locator('section[data-context="minikube"]');
  await expect(minikube).toHaveAttribute("data-unreachable", "true");
  await expect(minikube).toContainText("Connection refused");
  await expect(minikube).toContainText("is the cluster running?");
  await expect(minikube.getByRole("link", { name: "Check it on the Contexts page" })).toBeVisible();
});

test("stop and start in one click, with progress on the button and in the tray", async ({ page }) => {
  await openServices(page, "default", "2");
  const pg = row(page, "kind-berth-dev/default/pg-dev");
  await pg.getByRole("button", { name: "Stop pg-dev" }).click();
  await expect(pg.getByRole("button", { name: "Stop pg-dev" })).toHaveText("Stopping…");
  await expect(page.getByTestId("task-count")).toHaveText("1");
  await expect(pg.locator(".steps")).toBeVisible();
  await expect(pg.locator('[data-health="stopped"]')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("task-count")).toHaveCount(0);
  await pg.getByRole("button", { name: "Start pg-dev" }).click();
  await expect(pg.getByRole("button", { name: "Start pg-dev" })).toHaveText("Starting…");
  await expect(pg.locator('[data-health="ready"]')).toBeVisible({ timeout: 20_000 });
  await expect(pg.getByRole("button", { name: "Stop pg-dev" })).toBeEnabled();
});

test("a failed restart shows the error and a suggested fix in the row", async ({ page }) => {
  await openServices(page);
  const events = row(page, "gke_acme_europe-west1_prod/shop/events");
  await events.getByRole("button", { name: "Restart events" }).click();
  const alert = events.getByRole("alert");
  await expect(alert).toHaveAttribute("data-error-code", "cluster", { timeout: 10_000 });
  await expect(alert).toContainText("was not ready after 300 s");
  await expect(alert).toContainText("Check that the cluster is running");
  await events.getByRole("button", { name: "Dismiss" }).click();
  await expect(events.getByRole("alert")).toHaveCount(0);
});

test("search, health and context filters narrow the list", async ({ page }) => {
  await openServices(page);
  await page.getByLabel("Search services").fill("postgres");
  // pg-dev, orders-db and the two standbys
  await expect(page.locator("li[data-instance]")).toHaveCount(4);
  await page.getByLabel("Search services").fill("");
  await page.getByLabel("Filter by health").selectOption("stopped");
  // cache and the two standbys
  await expect(page.locator("li[data-instance]")).toHaveCount(3);
  await page.getByLabel("Filter by health").selectOption("all");
  await page.getByLabel("Filter by context").selectOption("gke_acme_europe-west1_prod");
  await expect(page.locator("li[data-instance]")).toHaveCount(3);
  await page.getByLabel("Search services").fill("nothing-like-this");
  await expect(page.getByText("No service matches this search.")).toBeVisible();
  await page.getByRole("button", { name: "Clear search" }).click();
  await expect(page.locator("li[data-instance]")).toHaveCount(8);
});

test("with nothing installed, the empty state points to the Catalog", async ({ page }) => {
  await openServices(page, "empty");
  const empty = page.getByRole("region", { name: "No services installed" });
  await expect(empty).toBeVisible();
  await empty.getByRole("link", { name: "Browse the catalog" }).click();
  await expect(page).toHaveURL(/#\/catalog$/);
});

test("a failing core shows the error by its code", async ({ page }) => {
  await openServices(page, "error");
  const panel = page.getByRole("alert");
  await expect(panel).toHaveAttribute("data-error-code", "store");
  await expect(panel).toContainText("database is locked");
});

test("loading shows skeletons in place of the rows", async ({ page }) => {
  await page.goto("/?backend=mock&delay=6#/services");
  // first the whole list is a skeleton (the contexts are not known yet), then each context still
  // being asked keeps a skeleton row of its own: either is the loading state (a loaded machine
  // may pass the first before the page is looked at)
  await expect(page.locator('[aria-busy="true"][aria-label^="Loading services"]').first()).toBeVisible();
  await expect(page.locator(".instance-row--skeleton").first()).toBeVisible();
});

test("each context is painted as it answers; the first paint does not wait for the slowest", async ({ page }) => {
  // delay 4: kind-berth-dev answers after 0.7 s, onprem-lab after 3.2 s, minikube fails after 1 s
  await page.goto("/?backend=mock&delay=4#/services");
  const kind = page.locator('section[data-context="kind-berth-dev"]');
  await expect(kind.locator("li[data-instance]")).toHaveCount(2);
  // slower contexts hold their place with a header and a skeleton row
  const lab = page.locator('section[data-context="onprem-lab"]');
  await expect(lab).toHaveAttribute("data-pending", "true");
  await expect(lab.locator(".instance-row--skeleton")).toHaveCount(1);
  await expect(page.getByTestId("services-summary")).toContainText(/asking \d more contexts?…/);
  // the rows already there are usable while the others load
  await kind.getByRole("link", { name: "pg-dev" }).click();
  await expect(page).toHaveURL(/#\/instances\/kind-berth-dev\/default\/pg-dev/);
  const first = await page.evaluate(() => (window as unknown as { __berthFirstPaint?: { rows: number; pending: string[] } }).__berthFirstPaint);
  expect(first?.rows).toBeGreaterThan(0);
  expect(first?.pending).toContain("onprem-lab");
  await page.goBack();
  await expect(page.locator("li[data-instance]")).toHaveCount(8, { timeout: 10_000 });
  await expect(page.locator('[data-pending="true"]')).toHaveCount(0);
  await expect(page.locator('section[data-unreachable="true"]')).toHaveCount(3);
});

for (const scheme of ["light", "dark"] as const) {
  test(`Services in the ${scheme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await openServices(page);
    await expect(page.locator("li[data-instance]")).toHaveCount(8);
    await expect(page.locator('[data-slot="metrics"][data-state="ok"]')).toHaveCount(4);
    await page.screenshot({ path: `${SHOTS}/services-${scheme}.png` });
  });
}

test("keyboard only: reach a row's Stop button and press it", async ({ page }) => {
  await openServices(page, "default", "1");
  await expect(page.locator("li[data-instance]")).toHaveCount(8);
  const stop = page.getByRole("button", { name: "Stop pg-dev" });
  // Tab from the search field through the filters to the first row's link, then its buttons
  await page.getByLabel("Search services").focus();
  for (let i = 0; i < 10 && !(await stop.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(stop).toBeFocused();
  const outline = await stop.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe("solid");
  await page.keyboard.press("Enter");
  await expect(page.locator('li[data-instance="kind-berth-dev/default/pg-dev"] [data-health="stopped"]')).toBeVisible({
    timeout: 10_000,
  });
});

test("select several services and stop them together; sort by health", async ({ page }) => {
  await openServices(page, "default", "0.5");
  const pg = row(page, "kind-berth-dev/default/pg-dev");
  const cache = row(page, "kind-berth-dev/default/cache");
  await pg.getByRole("checkbox", { name: "Select pg-dev in kind-berth-dev" }).check();
  await cache.getByRole("checkbox", { name: "Select cache in kind-berth-dev" }).check();
  const bar = page.getByRole("toolbar", { name: "Selected services" });
  await expect(bar).toContainText("2 selected");
  // cache is stopped: only pg-dev can stop, only cache can start
  await expect(bar.getByRole("button", { name: "Stop (1)", exact: true })).toBeEnabled();
  await expect(bar.getByRole("button", { name: "Start (1)", exact: true })).toBeEnabled();
  await bar.getByRole("button", { name: "Stop (1)", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Stop started for 1 of 1 service" })).toBeVisible();
  await expect(bar).toHaveCount(0);
  await expect(pg.locator('[data-health="stopped"]')).toBeVisible({ timeout: 15_000 });

  // by name, then problems first within each context
  const prod = page.locator('section[data-context="gke_acme_europe-west1_prod"] li[data-instance]:not(.instance-row--nested)');
  await expect(prod.first()).toHaveAttribute("data-instance", "gke_acme_europe-west1_prod/shop/events");
  await page.getByRole("combobox", { name: "Sort services" }).selectOption("newest");
  await page.getByRole("combobox", { name: "Sort services" }).selectOption("health");
  await expect(prod.first()).toHaveAttribute("data-health", "degraded");
  await expect(prod.nth(1)).toHaveAttribute("data-health", "progressing");
});
