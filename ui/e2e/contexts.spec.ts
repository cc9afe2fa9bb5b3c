import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";

function row(page: Page, name: string) {
  return page.locator(`li[data-context="${name}"]`);
}

async function openContexts(page: Page, fixture = "default") {
  await page.goto(`/?backend=mock&fixture=${fixture}#/contexts`);
  await expect(page.getByRole("heading", { name: "Contexts", level: 1 })).toBeVisible();
}

async function waitForProbes(page: Page) {
  await expect(page.locator("li[data-context]").first()).toBeVisible();
  await expect(page.locator('[data-state="checking"]')).toHaveCount(0, { timeout: 10_000 });
}

test("lists every context with location, reachability and server version", async ({ page }) => {
  await openContexts(page);
  await expect(page.locator("li[data-context]")).toHaveCount(6);
  // Probes run concurrently: at first rows are checking, then each settles.
  await waitForProbes(page);
  await expect(page.getByTestId("contexts-summary")).toHaveText("6 contexts · 3 reachable · 3 unreachable");

  const kind = row(page, "kind-berth-dev");
  await expect(kind.getByTestId("location-badge")).toHaveText("Laptop");
  await expect(kind.getByText("Current", { exact: true })).toBeVisible();
  await expect(kind.locator('[data-state="reachable"]')).toContainText("v1.33.1");
  await expect(kind.locator('[data-state="reachable"]')).toContainText("9 ms");
  await expect(row(page, "onprem-lab").getByTestId("location-badge")).toHaveText("Private");
  await expect(row(page, "gke_acme_europe-west1_prod").getByTestId("location-badge")).toHaveText("Cloud");

  // Favourites first: the only favourite leads the list.
  await expect(page.locator("li[data-context]").first()).toHaveAttribute("data-context", "gke_acme_europe-west1_prod");
});

test("an unreachable context says why and what to do", async ({ page }) => {
  await openContexts(page);
  const minikube = row(page, "minikube").locator('[data-state="unreachable"]');
  await expect(minikube).toHaveAttribute("data-failure", "refused");
  await expect(minikube).toContainText("Connection refused");
  await expect(minikube).toContainText("is the cluster running?");
  await expect(minikube).toContainText("Last seen");
  const eks = row(page, "arn:aws:eks:eu-west-1:123456789012:cluster/staging").locator('[data-state="unreachable"]');
  await expect(eks).toContainText("Credential plugin failed");
  await expect(row(page, "do-ams3-shop")).toContainText("Credentials refused");
});

test("the favourite star toggles and reorders the list", async ({ page }) => {
  await openContexts(page);
  const star = row(page, "onprem-lab").getByRole("button", { name: "Favourite onprem-lab" });
  await expect(star).toHaveAttribute("aria-pressed", "false");
  await star.click();
  await expect(star).toHaveAttribute("aria-pressed", "true");
  const names = await page.locator("li[data-context]").evaluateAll((els) => els.map((e) => e.getAttribute("data-context")));
  expect(names.slice(0, 2)).toEqual(["gke_acme_europe-west1_prod", "onprem-lab"]);
  await star.click();
  await expect(star).toHaveAttribute("aria-pressed", "false");
});

test("the location can be overridden and set back to automatic", async ({ page }) => {
  await openContexts(page);
  const lab = row(page, "onprem-lab");
  const select = lab.getByLabel("Location of onprem-lab");
  await expect(select).toHaveValue("auto");
  await select.selectOption("laptop");
  await expect(lab.getByTestId("location-badge")).toHaveText("Laptop");
  await expect(select).toHaveValue("laptop");
  await select.selectOption("auto");
  await expect(lab.getByTestId("location-badge")).toHaveText("Private");
  await expect(select).toHaveValue("auto");
});

test("search and the location filter narrow the list", async ({ page }) => {
  await openContexts(page);
  await page.getByLabel("Search contexts").fill("ondigitalocean");
  await expect(page.locator("li[data-context]")).toHaveCount(1);
  await expect(page.locator("li[data-context]")).toHaveAttribute("data-context", "do-ams3-shop");
  await page.getByLabel("Search contexts").fill("");
  await page.getByLabel("Filter by location").selectOption("laptop");
  await expect(page.locator("li[data-context]")).toHaveCount(2);
  await page.getByLabel("Search contexts").fill("nothing-like-this");
  await expect(page.getByText("No context matches this search.")).toBeVisible();
  await page.getByRole("button", { name: "Clear search" }).click();
  await expect(page.locator("li[data-context]")).toHaveCount(6);
});

test("refresh probes every context again", async ({ page }) => {
  await openContexts(page);
  await waitForProbes(page);
  await page.getByRole("button", { name: "Refresh contexts" }).click();
  await expect(page.locator('[data-state="checking"]').first()).toBeVisible();
  await waitForProbes(page);
  await expect(page.locator('[data-state="reachable"]')).toHaveCount(3);
});

test("an empty kubeconfig explains how to add a cluster", async ({ page }) => {
  await openContexts(page, "empty");
  const empty = page.getByRole("region", { name: "No Kubernetes contexts yet" });
  await expect(empty).toBeVisible();
  await expect(empty).toContainText("~/.kube/config");
  await expect(empty).toContainText("KUBECONFIG");
  await expect(empty).toContainText("kind create cluster");
  await expect(empty).toContainText("minikube start");
  await expect(empty).toContainText("/home/ada/.kube/config");
});

test("a malformed kubeconfig is named in a banner while valid contexts still show", async ({ page }) => {
  await openContexts(page, "broken");
  const banner = page.getByTestId("kubeconfig-problems");
  await expect(banner).toContainText("/home/ada/.kube/legacy.yaml");
  await expect(banner).toContainText("line 12, column 3");
  await expect(page.locator("li[data-context]")).toHaveCount(6);
});

test("a failing core shows the error by its code", async ({ page }) => {
  await openContexts(page, "error");
  const panel = page.getByRole("alert");
  await expect(panel).toHaveAttribute("data-error-code", "store");
  await expect(panel).toContainText("Berth's local database is unavailable");
  await expect(panel).toContainText("database is locked");
});

test("navigation reaches every screen with a useful empty state", async ({ page }) => {
  await openContexts(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Services" }).click();
  await expect(page.getByRole("heading", { name: "Services", level: 1 })).toBeVisible();
  await nav.getByRole("link", { name: "Catalog" }).click();
  await expect(page.locator('li[data-service="postgres"]')).toBeVisible();
  await nav.getByRole("link", { name: "History" }).click();
  await expect(page.getByRole("heading", { name: "History", level: 1 })).toBeVisible();
  await nav.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByText("0.1.0-mock")).toBeVisible();
  await expect(nav.getByRole("link", { name: "Settings" })).toHaveClass(/nav-link--active/);
});

test("keyboard users see a focus ring", async ({ page }) => {
  await openContexts(page);
  await page.keyboard.press("Tab");
  const focused = page.locator(":focus");
  await expect(focused).toHaveText("Services");
  const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).toBe("solid");
});

for (const scheme of ["light", "dark"] as const) {
  test(`follows the OS ${scheme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await openContexts(page);
    await waitForProbes(page);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g)!.map(Number) as [number, number, number];
    const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    if (scheme === "dark") expect(luminance).toBeLessThan(0.2);
    else expect(luminance).toBeGreaterThan(0.9);
    await page.screenshot({ path: `${SHOTS}/contexts-${scheme}.png` });
  });
}
