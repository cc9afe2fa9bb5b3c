import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";
const PROD = "gke_acme_europe-west1_prod";

async function openWizard(page: Page, kind: "move" | "copy", query = "") {
  await page.goto(`/?backend=mock&delay=0.3${query}#/instances/kind-berth-dev/default/pg-dev`);
  await page.getByRole("link", { name: kind === "move" ? "Move…" : "Copy…" }).click();
  await expect(page.getByRole("heading", { name: `${kind === "move" ? "Move" : "Copy"} pg-dev`, level: 1 })).toBeVisible();
}

/** The History page's Transfers view, reached in the app (a reload would reset the mock). */
async function openTransfers(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "History" }).click();
  await page.getByRole("navigation", { name: "History views" }).getByRole("link", { name: "Transfers" }).click();
  await expect(page.getByRole("table", { name: "Transfers" })).toBeVisible();
}

async function pickTarget(page: Page, context: string, namespace: string) {
  const select = page.getByLabel("Target context");
  // the option is enabled once the context's probe answered
  await expect(select.locator(`option[value="${context}"]`)).toBeEnabled();
  await select.selectOption(context);
  await page.getByLabel("Target namespace").fill(namespace);
}

test("the instance page offers Move, Copy and Standby", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3#/instances/kind-berth-dev/default/pg-dev");
  const group = page.getByRole("group", { name: "Move or copy" });
  await expect(group.getByRole("link", { name: "Move…" })).toBeVisible();
  await expect(group.getByRole("link", { name: "Copy…" })).toBeVisible();
  await expect(group.getByRole("link", { name: "Standby…" })).toBeVisible();
});

test("targets are grouped by location; unreachable contexts are disabled with the reason", async ({ page }) => {
  await openWizard(page, "move");
  const select = page.getByLabel("Target context");
  await expect(select.locator("optgroup")).toHaveCount(3);
  await expect(select.locator('optgroup[label="Cloud"] option')).toHaveCount(3);
  const minikube = select.locator('option[value="minikube"]');
  await expect(minikube).toBeDisabled();
  await expect(minikube).toContainText("Connection refused");
  await expect(select.locator('option[value="do-ams3-shop"]')).toContainText("Credentials refused");
  await expect(select.locator('option[value="onprem-lab"]')).toBeEnabled();
});

test("a plan with problems cannot be confirmed", async ({ page }) => {
  await openWizard(page, "move");
  await pickTarget(page, PROD, "analytics");
  await page.getByRole("button", { name: "Check the plan" }).click();
  const plan = page.getByRole("region", { name: "Plan" });
  await expect(plan.locator('[data-check="target namespace"]')).toHaveAttribute("data-level", "problem");
  await expect(plan.locator('[data-check="target reachable"]')).toHaveAttribute("data-level", "ok");
  await expect(plan.getByRole("alert")).toContainText("One problem stands in the way");
  await expect(plan.getByRole("button", { name: `Move pg-dev to ${PROD}` })).toBeDisabled();
  // ticking "create the namespace" asks for a new plan, which passes
  await page.getByLabel("Create the namespace if it does not exist").check();
  await expect(plan).toHaveCount(0);
  await page.getByRole("button", { name: "Check the plan" }).click();
  await expect(page.getByRole("region", { name: "Plan" }).getByRole("button", { name: `Move pg-dev to ${PROD}` })).toBeEnabled();
});

test("plan ok → live progress → done, and the move is in the Transfers history", async ({ page }) => {
  await openWizard(page, "move");
  await pickTarget(page, "onprem-lab", "lab");
  await page.getByLabel("Storage class for standard").selectOption("longhorn");
  await page.getByLabel("Overrides").fill("resources.memory=2Gi");
  await page.getByRole("button", { name: "Check the plan" }).click();
  const plan = page.getByRole("region", { name: "Plan" });
  await expect(plan.locator('[data-check="storage classes"]')).toContainText("standard → longhorn");
  await expect(plan.getByTestId("plan-data")).toContainText(/\d (MiB|GiB)/);
  await expect(plan.getByTestId("plan-downtime")).toContainText("about");
  await page.screenshot({ path: `${SHOTS}/transfer-plan.png` });
  await plan.getByRole("button", { name: "Move pg-dev to onprem-lab" }).click();
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByTestId("transfer-bytes")).toContainText("/s");
  await expect(progress.getByTestId("transfer-bytes")).toContainText("left");
  await expect(progress).toHaveAttribute("data-phase", "succeeded", { timeout: 15_000 });
  await expect(progress.locator('[data-step="cutover"]')).toHaveAttribute("data-state", "done");
  await expect(progress.getByRole("status")).toContainText("pg-dev now runs in onprem-lab / lab");
  await progress.getByRole("link", { name: "Open pg-dev" }).click();
  await expect(page).toHaveURL(/#\/instances\/onprem-lab\/lab\/pg-dev$/);
  await openTransfers(page);
  const row = page.locator("tr[data-transfer]").first();
  await expect(row).toHaveAttribute("data-status", "succeeded");
  await expect(row).toContainText("kind-berth-dev/default/pg-dev → onprem-lab/lab/pg-dev");
  await expect(row.locator('[data-step="stream"]')).toContainText("stream: succeeded ·");
});

test("a copy gets a new name and leaves the source serving", async ({ page }) => {
  await openWizard(page, "copy");
  await pickTarget(page, "kind-berth-dev", "default");
  await page.getByLabel("Name of the copy").fill("pg-dev-2");
  // postgres 17 is copied into 18 (its definition's copyUpgradableTo), or kept at 17
  const version = page.getByLabel("Version of the copy");
  await expect(version.locator("option")).toHaveText(["postgres 17 (the same)", "postgres 18 (a newer major version: the data is dumped and restored)"]);
  await page.getByRole("button", { name: "Check the plan" }).click();
  const plan = page.getByRole("region", { name: "Plan" });
  await expect(plan.getByTestId("plan-downtime")).toContainText("none");
  await plan.getByRole("button", { name: "Copy pg-dev to kind-berth-dev" }).click();
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress).toHaveAttribute("data-phase", "succeeded", { timeout: 15_000 });
  await expect(progress.locator('[data-step="fence"]')).toHaveCount(0);
  await expect(progress.getByRole("status")).toContainText("pg-dev-2 runs in kind-berth-dev / default; pg-dev kept serving");
});

test("Cancel says what it undoes, then aborts", async ({ page }) => {
  await openWizard(page, "move", "&delay=2");
  await pickTarget(page, PROD, "shop");
  await page.getByRole("button", { name: "Check the plan" }).click();
  await page.getByRole("region", { name: "Plan" }).getByRole("button", { name: `Move pg-dev to ${PROD}` }).click();
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.locator('[data-step="stream"]')).toHaveAttribute("data-state", "active", { timeout: 15_000 });
  await progress.getByRole("button", { name: "Cancel" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel the move?" });
  await expect(dialog).toContainText("half-made target");
  await expect(dialog).toContainText("fence is lifted");
  await expect(dialog).toContainText("never touched");
  await dialog.getByRole("button", { name: "Cancel and undo the move" }).click();
  await expect(progress).toHaveAttribute("data-phase", "aborted", { timeout: 15_000 });
  await expect(progress.getByRole("status")).toContainText("was aborted: the target was removed and the source's fence lifted");
  await openTransfers(page);
  await expect(page.locator("tr[data-transfer]").first()).toHaveAttribute("data-status", "aborted");
});

test("an interrupted transfer is shown at start-up and resumes", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3&transfers=interrupted#/services");
  const banner = page.getByRole("region", { name: "Interrupted transfers" });
  await expect(banner).toContainText("Move of kind-berth-dev/default/pg-dev to gke_acme_europe-west1_prod/shop/pg-dev");
  await expect(banner).toContainText("stopped at stream");
  await expect(banner).toContainText("The source is fenced");
  await page.screenshot({ path: `${SHOTS}/transfer-interrupted.png` });
  await banner.getByRole("button", { name: "Resume" }).click();
  await expect(banner.getByRole("status")).toContainText("Transfer 7 finished", { timeout: 15_000 });
  await expect(banner.locator('[data-step="cutover"]')).toHaveAttribute("data-state", "done");
  await banner.getByRole("button", { name: "Dismiss" }).click();
  await expect(banner).toHaveCount(0);
});

test("an interrupted transfer can be aborted after confirming", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3&transfers=interrupted#/history/transfers");
  const banner = page.getByRole("region", { name: "Interrupted transfers" });
  await banner.getByRole("button", { name: "Abort" }).click();
  const dialog = page.getByRole("dialog", { name: "Abort transfer 7?" });
  await expect(dialog).toContainText("fence is lifted");
  await dialog.getByRole("button", { name: "Abort the transfer" }).click();
  await expect(banner.getByRole("status")).toContainText("aborted", { timeout: 15_000 });
  await expect(page.locator('tr[data-transfer="7"]')).toHaveAttribute("data-status", "aborted");
});

for (const scheme of ["light", "dark"] as const) {
  test(`transfer wizard screenshot (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await openWizard(page, "move");
    await pickTarget(page, PROD, "shop");
    await page.getByRole("button", { name: "Check the plan" }).click();
    await expect(page.getByRole("region", { name: "Plan" })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/transfer-${scheme}.png`, fullPage: true });
  });
}

test("a running move goes on when its screen is left; the task tray lists it and leads back", async ({ page }) => {
  await openWizard(page, "move", "&delay=1");
  await pickTarget(page, "onprem-lab", "lab");
  await page.getByRole("button", { name: "Check the plan" }).click();
  await page.getByRole("region", { name: "Plan" }).getByRole("button", { name: "Move pg-dev to onprem-lab" }).click();
  await expect(page.getByRole("region", { name: "Progress" })).toHaveAttribute("data-phase", "running");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Services" }).click();
  await expect(page.getByTestId("task-count")).toHaveText("1");
  await page.getByTestId("task-tray").click();
  const task = page.getByRole("list", { name: "Moves, copies and standbys" }).locator('[data-transfer-run="move:kind-berth-dev/default/pg-dev"]');
  await expect(task).toHaveAttribute("data-state", "running");
  await task.getByRole("link", { name: "Move pg-dev to onprem-lab" }).click();
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress).toHaveAttribute("data-phase", "succeeded", { timeout: 20_000 });
  await expect(page.getByTestId("task-count")).toHaveCount(0);
});
