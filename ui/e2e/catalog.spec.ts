import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";

async function openCatalog(page: Page) {
  await page.goto(`/?backend=mock#/catalog`);
  await expect(page.getByRole("heading", { name: "Catalog", level: 1 })).toBeVisible();
  await expect(page.locator("li[data-service]").first()).toBeVisible();
}

test("the catalog lists every service with category and versions; search and category filter", async ({ page }) => {
  await openCatalog(page);
  await expect(page.locator("li[data-service]")).toHaveCount(14);
  const pg = page.locator('li[data-service="postgres"]');
  await expect(pg).toContainText("PostgreSQL");
  await expect(pg).toContainText("Database");
  await expect(pg.locator(".version--default")).toHaveText("17");
  await expect(pg.locator("img.service-icon")).toBeVisible();
  // what is already installed somewhere is marked (the mock runs postgres in several contexts)
  await expect(pg.getByTestId("installed-count")).toHaveText(/^\d+ installed$/);
  await expect(page.locator('li[data-service="cassandra"]').getByTestId("installed-count")).toHaveCount(0);

  await page.getByRole("searchbox", { name: "Search services" }).fill("kafka");
  await expect(page.locator("li[data-service]")).toHaveCount(1);
  await page.getByRole("searchbox", { name: "Search services" }).fill("");
  await page.getByRole("group", { name: "Category" }).getByRole("button", { name: /^Cache/ }).click();
  const ids = await page.locator("li[data-service]").evaluateAll((els) => els.map((e) => e.getAttribute("data-service")));
  expect(ids.sort()).toEqual(["memcached", "redis", "valkey"]);
  await page.getByRole("searchbox", { name: "Search services" }).fill("no such thing");
  await expect(page.getByText("No service matches")).toBeVisible();
});

test("a service's page renders its README and offers the install", async ({ page }) => {
  await openCatalog(page);
  await page.locator('li[data-service="postgres"] a').click();
  await expect(page).toHaveURL(/#\/catalog\/postgres$/);
  await expect(page.getByRole("heading", { name: "PostgreSQL", level: 1 })).toBeVisible();
  const readme = page.getByRole("article", { name: "README" });
  await expect(readme.locator("h1, h2").first()).toBeVisible();
  await expect(readme.locator("code").first()).toBeVisible();
  // GitHub-flavoured tables render as tables, not as pipes in a paragraph
  await expect(readme.locator("table th").first()).toHaveText("parameter");
  await expect(readme.getByText("|---|")).toHaveCount(0);
  await expect(page.getByRole("complementary", { name: "Facts" })).toContainText("PostgreSQL");
  // the homepage is a link the shell opens in the default browser; the page stays
  const homepage = page.getByRole("complementary", { name: "Facts" }).getByRole("link", { name: /postgresql\.org/ });
  await expect(homepage).toHaveAttribute("href", /^https:\/\//);
  await homepage.click();
  await expect.poll(() => page.evaluate(() => sessionStorage.getItem("berth-mock-opened"))).toContain("postgresql.org");
  await expect(page).toHaveURL(/#\/catalog\/postgres$/);
  await page.getByRole("link", { name: "Install…" }).click();
  await expect(page.getByRole("heading", { name: "Install PostgreSQL" })).toBeVisible();
});

for (const scheme of ["light", "dark"] as const) {
  test(`catalog screenshot (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await openCatalog(page);
    await expect(page.locator("img.service-icon")).toHaveCount(14);
    await page.screenshot({ path: `${SHOTS}/catalog-${scheme}.png` });
  });
}
