import { expect, test } from "@playwright/test";

const SHOTS = "test-results/screenshots";

test("lists every operation, highlights interrupted ones, and filters", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.5#/history");
  await expect(page.getByRole("heading", { name: "History", level: 1 })).toBeVisible();
  const rows = page.locator("tr[data-history]");
  await expect(rows).toHaveCount(13);
  await expect(page.getByTestId("history-summary")).toHaveText("13 operations · 1 interrupted");
  const interrupted = page.locator('tr[data-status="interrupted"]');
  await expect(interrupted).toHaveCount(1);
  await expect(interrupted).toContainText("events");
  await expect(interrupted).toHaveClass(/history-row--interrupted/);
  // what a revision changed, in its own column, with every change on hover
  const changes = page.locator('tr[data-history="kind-berth-dev/default/pg-dev#2"] [data-testid="history-changes"]');
  await expect(changes).toHaveText("memory: 512Mi → 1Gi");
  await expect(changes.locator("[title]")).toHaveAttribute("title", "memory: 512Mi → 1Gi");
  await page.screenshot({ path: `${SHOTS}/history.png` });

  await page.getByLabel("Filter by outcome").selectOption("failed");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("Insufficient memory");
  await page.getByLabel("Filter by outcome").selectOption("all");
  await page.getByLabel("Filter by instance").selectOption("gke_acme_europe-west1_prod/shop/orders-db");
  await expect(rows).toHaveCount(4);
  await page.getByLabel("Filter by operation").selectOption("upgrade");
  await expect(rows).toHaveCount(1);
  await page.getByLabel("Filter by instance").selectOption("all");
  await page.getByLabel("Filter by operation").selectOption("all");
  await page.getByLabel("Filter by context").selectOption("kind-berth-dev");
  await expect(rows).toHaveCount(4);
  await page.getByLabel("Search history").fill("zzz");
  await expect(page.getByText("No operation matches this filter.")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows).toHaveCount(13);
});

test("a new operation appears in the history when it finishes", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3#/services");
  await page.getByRole("button", { name: "Stop inventory" }).click();
  await expect(page.locator('li[data-instance="onprem-lab/lab/inventory"] [data-health="stopped"]')).toBeVisible({ timeout: 10_000 });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History" }).click();
  await expect(page.locator("tr[data-history]")).toHaveCount(14);
  await expect(page.locator("tr[data-history]").first()).toContainText("inventory");
  await expect(page.locator("tr[data-history]").first()).toContainText("stop");
});

test("no history yet explains what will appear", async ({ page }) => {
  await page.goto("/?backend=mock&fixture=empty#/history");
  await expect(page.getByRole("heading", { name: "No operations recorded" })).toBeVisible();
});
