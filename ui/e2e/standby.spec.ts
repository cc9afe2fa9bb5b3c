import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";
const PROD = "gke_acme_europe-west1_prod";

function instanceUrl(id: string, query = "") {
  return `/?backend=mock&delay=0.3${query}#/instances/${id}`;
}

function row(page: Page, id: string) {
  return page.locator(`li[data-instance="${id}"]`);
}

test("a standby is created through the wizard, with live progress and its outcome", async ({ page }) => {
  await page.goto(instanceUrl("kind-berth-dev/default/pg-dev"));
  await page.getByRole("group", { name: "Move or copy" }).getByRole("link", { name: "Standby…" }).click();
  await expect(page.getByRole("heading", { name: "Standby of pg-dev", level: 1 })).toBeVisible();
  const select = page.getByLabel("Target context");
  await expect(select.locator('option[value="onprem-lab"]')).toBeEnabled();
  await select.selectOption("onprem-lab");
  await page.getByLabel("Target namespace").fill("lab");
  await page.getByRole("button", { name: "Check the plan" }).click();
  const plan = page.getByRole("region", { name: "Plan" });
  await expect(plan.getByTestId("plan-downtime")).toHaveText("none (the source keeps serving)");
  await expect(plan).toContainText("provision → stream → verify → cutover → standby");
  await page.screenshot({ path: `${SHOTS}/standby-plan.png`, fullPage: true });
  await plan.getByRole("button", { name: "Create the standby on onprem-lab" }).click();

  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByTestId("transfer-bytes")).toContainText("/s");
  await expect(progress.getByTestId("transfer-bytes")).toContainText("left");
  await expect(progress).toHaveAttribute("data-phase", "succeeded", { timeout: 15_000 });
  await expect(progress.locator('[data-step="standby"]')).toHaveAttribute("data-state", "done");
  await expect(progress.getByRole("status")).toContainText("The standby of pg-dev is ready in onprem-lab / lab: stopped and fenced");

  // back on the instance: the Standby card instead of the Standby button
  await progress.getByRole("link", { name: "Back to pg-dev" }).click();
  const card = page.getByRole("region", { name: "Standby" });
  await expect(card.getByTestId("standby-age")).toContainText("synced just now");
  await expect(card.getByTestId("standby-state")).toHaveText("Ready");
  await expect(page.getByRole("group", { name: "Move or copy" }).getByRole("link", { name: "Standby…" })).toHaveCount(0);
});

test("the Services list shows a standby right under its active, and a fence to lift", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3#/services");
  await expect(row(page, `${PROD}/shop/orders-db`)).toBeVisible();
  // the standby in onprem-lab sits right under its active in the prod group
  const next = page.locator(`li[data-instance="${PROD}/shop/orders-db"] + li`);
  await expect(next).toHaveAttribute("data-instance", "onprem-lab/lab/orders-db");
  await expect(next).toHaveAttribute("data-standby-of", `${PROD}/shop/orders-db`);
  await expect(next.getByTestId("standby-line")).toContainText("in onprem-lab / lab");
  await expect(next.getByTestId("standby-age")).toHaveText("synced 12 min ago");
  // a standby is started by a promote, never by Start
  await expect(next.getByRole("button", { name: "Start orders-db" })).toHaveCount(0);
  // one whose active's cluster does not answer stays in its own group
  const billing = page.locator('section[data-context="onprem-lab"] li[data-instance="onprem-lab/lab/billing-db"]');
  await expect(billing.getByTestId("standby-line")).toContainText("of billing-db in minikube / default");
  await expect(billing.getByTestId("standby-age")).toHaveText("synced 3 h 20 min ago");

  const inventory = row(page, "onprem-lab/lab/inventory");
  const fence = inventory.getByRole("note");
  await expect(fence).toContainText("Fenced — clients can't reach it");
  await fence.getByRole("button", { name: "Lift fence of inventory" }).click();
  await expect(inventory.getByRole("note")).toHaveCount(0, { timeout: 10_000 });
  await expect(inventory).not.toHaveAttribute("data-fenced", "true");
});

test("Sync now refreshes the standby with progress on the card and in the task tray", async ({ page }) => {
  await page.goto(instanceUrl(`${PROD}/shop/orders-db`, "&delay=1"));
  const card = page.getByRole("region", { name: "Standby" });
  await card.getByRole("group", { name: "Standby actions" }).getByRole("button", { name: "Sync now" }).click();
  const run = card.getByLabel("Sync progress");
  await expect(run).toHaveAttribute("data-phase", "running");
  await expect(card.getByRole("button", { name: "Promote…" })).toBeDisabled();
  await page.getByTestId("task-tray").click();
  const task = page.getByRole("list", { name: "Moves, copies and standbys" }).locator(`[data-transfer-run="standby-pair:${PROD}/shop/orders-db"]`);
  await expect(task.getByRole("link", { name: "Sync orders-db (standby in onprem-lab)" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(run.getByTestId("transfer-bytes")).toContainText("/s", { timeout: 10_000 });
  await expect(run).toHaveAttribute("data-phase", "succeeded", { timeout: 20_000 });
  await expect(run.getByRole("status")).toContainText("orders-db in onprem-lab now holds the data as of this sync");
  await expect(card.getByTestId("standby-age")).toContainText("synced just now");
});

test("a sync cut during its stream leaves the standby incomplete until a sync succeeds", async ({ page }) => {
  await page.goto(instanceUrl(`${PROD}/shop/orders-db`, "&delay=1"));
  const card = page.getByRole("region", { name: "Standby" });
  await card.getByRole("button", { name: "Sync now" }).click();
  const run = card.getByLabel("Sync progress");
  await expect(run.getByTestId("transfer-bytes")).toBeVisible({ timeout: 10_000 });
  await run.getByRole("button", { name: "Cancel the sync" }).click();
  await expect(run).toHaveAttribute("data-phase", "aborted", { timeout: 10_000 });
  await expect(card.getByTestId("standby-state")).toHaveText("Data incomplete");
  await expect(card.getByTestId("standby-age")).toContainText("data incomplete: sync again");
  await run.getByRole("button", { name: "Dismiss" }).click();
  await card.getByRole("button", { name: "Sync now" }).click();
  await expect(card.getByLabel("Sync progress")).toHaveAttribute("data-phase", "succeeded", { timeout: 20_000 });
  await expect(card.getByTestId("standby-state")).toHaveText("Ready");
});

test("a planned promote says what will happen, then swaps the roles", async ({ page }) => {
  await page.goto(instanceUrl(`${PROD}/shop/orders-db`));
  const card = page.getByRole("region", { name: "Standby" });
  await expect(card.getByTestId("standby-age")).toContainText("synced 12 min ago");
  const actions = card.getByRole("group", { name: "Standby actions" });
  await expect(actions.getByRole("button", { name: "Sync now" })).toBeEnabled();
  await expect(actions.getByRole("button", { name: "Promote…" })).toBeEnabled();
  // the active answers: no forced promote
  await expect(actions.getByRole("button", { name: "Promote anyway…" })).toHaveCount(0);

  await actions.getByRole("button", { name: "Promote…" }).click();
  const dialog = page.getByRole("dialog", { name: "Promote orders-db in onprem-lab?" });
  await expect(dialog).toContainText(`orders-db in ${PROD} is fenced: its clients can't reach it`);
  await expect(dialog).toContainText("A last sync copies its data");
  await expect(dialog).toContainText("Promote again to switch back.");
  await dialog.getByRole("button", { name: "Promote orders-db" }).click();
  await expect(dialog).toHaveCount(0);

  const run = card.getByLabel("Promote progress");
  await expect(run.locator('[data-step="switch"]')).toBeVisible();
  await expect(page.getByTestId("task-count")).toHaveText("1");
  await expect(run).toHaveAttribute("data-phase", "succeeded", { timeout: 15_000 });
  await expect(run.getByRole("status")).toContainText(`orders-db in onprem-lab is now the active. orders-db in ${PROD} is stopped and fenced as its standby.`);
  await expect(card).toHaveAttribute("data-role", "standby");
});

test("Promote anyway is offered only with an unreachable active, and states the data age first", async ({ page }) => {
  await page.goto(instanceUrl("onprem-lab/lab/billing-db"));
  const card = page.getByRole("region", { name: "Standby" });
  await expect(card.getByTestId("standby-state")).toHaveText("Last sync failed");
  await expect(card.getByRole("note")).toContainText("Connection refused");
  const actions = card.getByRole("group", { name: "Standby actions" });
  const force = actions.getByRole("button", { name: "Promote anyway…" });
  await expect(force).toBeEnabled();
  await expect(actions.getByRole("button", { name: "Promote…" })).toHaveCount(0);
  await expect(actions.getByRole("button", { name: "Sync now" })).toBeDisabled();

  await force.click();
  const dialog = page.getByRole("dialog", { name: "Promote billing-db without its active?" });
  await expect(dialog.getByTestId("force-data-age")).toContainText("Its data is 3 h 20 min old");
  await expect(dialog).toContainText("Everything written to the active since then is lost.");
  const confirm = dialog.getByRole("button", { name: "Promote anyway" });
  await expect(confirm).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/standby-force.png` });
  await dialog.getByLabel("I understand that the writes of the last 3 h 20 min are lost").check();
  await confirm.click();
  const run = card.getByLabel("Promote anyway progress");
  await expect(run).toHaveAttribute("data-phase", "succeeded", { timeout: 15_000 });
  await expect(run.getByRole("status")).toContainText("billing-db in onprem-lab is now the active.");
  await expect(card.getByTestId("standby-state")).toHaveText("Old active not fenced");
});

test("dropping a pairing keeps the standby's data unless asked", async ({ page }) => {
  await page.goto(instanceUrl(`${PROD}/shop/orders-db`));
  const card = page.getByRole("region", { name: "Standby" });
  await card.getByRole("button", { name: "Drop pairing…" }).click();
  const dialog = page.getByRole("dialog", { name: "Drop the pairing?" });
  const remove = dialog.getByLabel(/Also delete the standby's data/);
  await expect(remove).not.toBeChecked();
  await expect(dialog).toContainText("The active is never touched.");
  await dialog.getByRole("button", { name: "Drop pairing" }).click();
  await expect(card).toHaveCount(0);
  await expect(page.getByRole("group", { name: "Move or copy" }).getByRole("link", { name: "Standby…" })).toBeVisible();
});

for (const scheme of ["light", "dark"] as const) {
  test(`standby card screenshot (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await page.goto(instanceUrl(`${PROD}/shop/orders-db`));
    const card = page.getByRole("region", { name: "Standby" });
    await expect(card.getByRole("button", { name: "Promote…" })).toBeEnabled();
    await page.screenshot({ path: `${SHOTS}/standby-${scheme}.png` });
  });
}
