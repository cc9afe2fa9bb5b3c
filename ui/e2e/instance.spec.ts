import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";

async function openInstance(page: Page, path: string, tab = "") {
  await page.goto(`/?backend=mock&delay=0.5#/instances/${path}${tab ? `/${tab}` : ""}`);
}

test("Services links to the instance page, which shows pods, events and volumes", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.5#/services");
  await page.getByRole("link", { name: "events", exact: true }).click();
  await expect(page).toHaveURL(/#\/instances\/gke_acme_europe-west1_prod\/shop\/events$/);
  await expect(page.getByRole("heading", { name: "events", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  const pods = page.getByTestId("pods");
  await expect(pods.locator("tbody tr")).toHaveCount(3);
  await expect(pods.locator('tr[data-pod="events-2"]')).toContainText("CrashLoopBackOff");
  await expect(pods.locator('tr[data-pod="events-2"]')).toContainText("14");
  await expect(page.getByTestId("events")).toContainText("BackOff");
  // events: Warnings first
  await expect(page.getByTestId("events").locator("li").first()).toHaveClass(/events__item--warning/);
  // the configuration in force, with the way to change it
  const configuration = page.getByTestId("configuration");
  await expect(configuration).toContainText("Replicas");
  await page.getByRole("region", { name: "Configuration" }).getByRole("link", { name: "Change…" }).click();
  await expect(page).toHaveURL(/#\/instances\/gke_acme_europe-west1_prod\/shop\/events\/settings$/);
  await page.goBack();
  await expect(page.getByTestId("volumes")).toContainText("data-events-0");
  await expect(page.getByLabel("Status")).toContainText("events.shop.svc:9092");
  await page.screenshot({ path: `${SHOTS}/instance-overview.png` });
});

test("Connect, Logs and Metrics tabs hold their panels' places", async ({ page }) => {
  await openInstance(page, "kind-berth-dev/default/pg-dev");
  for (const tab of ["Connect", "Logs", "Metrics"]) {
    await page.getByRole("navigation", { name: "Instance sections" }).getByRole("link", { name: tab }).click();
    await expect(page.getByRole("region", { name: tab })).toBeVisible();
  }
});

test("History shows the revision timeline with diffs, and rolls back after confirmation", async ({ page }) => {
  await openInstance(page, "kind-berth-dev/default/pg-dev", "history");
  const timeline = page.getByRole("list", { name: "Revisions of pg-dev" });
  await expect(timeline.locator("li[data-revision]")).toHaveCount(2);
  const second = timeline.locator('li[data-revision="2"]');
  await expect(second).toContainText("Current");
  await expect(second.getByRole("list", { name: "Changes in revision 2" })).toContainText('memory: "512Mi" → "1Gi"');
  await timeline.getByRole("button", { name: "Roll back to revision 1" }).click();
  const dialog = page.getByRole("dialog", { name: "Roll back pg-dev to revision 1?" });
  await expect(dialog).toContainText('"1Gi" → "512Mi"');
  await page.screenshot({ path: `${SHOTS}/instance-rollback.png` });
  await dialog.getByRole("button", { name: "Roll back" }).click();
  const progress = page.getByLabel("Rollback progress");
  await expect(progress).toContainText("Roll back pg-dev to revision 1");
  await expect(progress.locator('[data-state="succeeded"]')).toBeVisible({ timeout: 15_000 });
  await expect(timeline.locator("li[data-revision]")).toHaveCount(3);
  await expect(timeline.locator('li[data-revision="3"]')).toContainText("rollback");
  await expect(timeline.locator('li[data-revision="3"]')).toContainText("Current");
});

test("Escape cancels a rollback", async ({ page }) => {
  await openInstance(page, "kind-berth-dev/default/pg-dev", "history");
  await page.getByRole("button", { name: "Roll back to revision 1" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByRole("list", { name: "Revisions of pg-dev" }).locator("li[data-revision]")).toHaveCount(2);
});

test("Settings upgrades through the version picker", async ({ page }) => {
  await openInstance(page, "kind-berth-dev/default/cache", "settings");
  const upgrade = page.getByRole("region", { name: "Upgrade" });
  const picker = upgrade.getByLabel("Version");
  await expect(picker.locator("option")).toHaveText(["Choose a version", "redis 8.0"]);
  await expect(upgrade.getByRole("button", { name: "Upgrade" })).toBeDisabled();
  await picker.selectOption("8.0");
  await upgrade.getByRole("button", { name: "Upgrade" }).click();
  await expect(upgrade.locator('.steps[data-state="succeeded"]')).toBeVisible({ timeout: 15_000 });
  await expect(page.locator(".instance-header__where")).toContainText("redis 8.0");
  // a major Postgres version is offered only as a copy
  await openInstance(page, "gke_acme_europe-west1_prod/shop/orders-db", "settings");
  await expect(page.getByRole("region", { name: "Upgrade" })).toContainText("postgres 17 cannot be reached in place");
  await expect(page.getByRole("link", { name: "Reconfigure…" })).toHaveAttribute(
    "href",
    "#/instances/gke_acme_europe-west1_prod/shop/orders-db/configure",
  );
});

test("uninstall needs the typed name, keeps data by default, and the service leaves the list", async ({ page }) => {
  await openInstance(page, "onprem-lab/lab/inventory", "settings");
  const card = page.getByRole("region", { name: "Uninstall" });
  await expect(card.getByLabel(/Keep the data/)).toBeChecked();
  await card.getByRole("button", { name: "Uninstall inventory…" }).click();
  const dialog = page.getByRole("dialog", { name: "Uninstall inventory?" });
  await expect(dialog).toContainText("volumes and credentials are kept");
  const confirm = dialog.getByRole("button", { name: "Uninstall", exact: true });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type inventory to confirm/).fill("inventor");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type inventory to confirm/).fill("inventory");
  await page.screenshot({ path: `${SHOTS}/instance-uninstall.png` });
  await confirm.click();
  await expect(page.getByRole("heading", { name: "Uninstalled" })).toBeVisible({ timeout: 10_000 });
  await page.getByRole("button", { name: "Back to Services" }).click();
  await expect(page.locator("li[data-instance]")).toHaveCount(7);
  await expect(page.locator('li[data-instance="onprem-lab/lab/inventory"]')).toHaveCount(0);
});

test("an instance that is gone says so", async ({ page }) => {
  await openInstance(page, "kind-berth-dev/default/nope");
  const alert = page.getByRole("alert");
  await expect(alert).toHaveAttribute("data-error-code", "notFound");
  await expect(alert).toContainText("no instance nope");
});
