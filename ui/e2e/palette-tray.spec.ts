import { expect, test } from "@playwright/test";

const SHOTS = "test-results/screenshots";

test("Ctrl-K opens the palette; the keyboard alone navigates to an instance", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3#/contexts");
  await expect(page.getByRole("heading", { name: "Contexts", level: 1 })).toBeVisible();
  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await expect(palette).toBeVisible();
  const input = palette.getByRole("combobox");
  await expect(input).toBeFocused();
  await input.fill("orders");
  await expect(palette.getByRole("option").first()).toHaveText(/orders-db/);
  await page.screenshot({ path: `${SHOTS}/palette.png` });
  await page.keyboard.press("Enter");
  await expect(palette).toHaveCount(0);
  await expect(page).toHaveURL(/#\/instances\/gke_acme_europe-west1_prod\/shop\/orders-db$/);
  await expect(page.getByRole("heading", { name: "orders-db", level: 1 })).toBeVisible();
});

test("the palette moves with arrows, goes to screens and closes with Escape", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3#/services");
  await expect(page.getByRole("heading", { name: "Services", level: 1 })).toBeVisible();
  await page.keyboard.press("Control+k");
  const input = page.getByRole("dialog", { name: "Command palette" }).getByRole("combobox");
  await input.fill("hist");
  const options = page.getByRole("listbox", { name: "Commands" }).getByRole("option");
  await expect(options.first()).toHaveText("History");
  await expect(options.first()).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "History", level: 1 })).toBeVisible();
  await page.keyboard.press("Control+k");
  await page.getByRole("dialog", { name: "Command palette" }).getByRole("combobox").fill("s");
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("listbox", { name: "Commands" }).getByRole("option").nth(1)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Command palette" })).toHaveCount(0);
});

test("stop from the palette; the tray shows it running, then done", async ({ page }) => {
  await page.goto("/?backend=mock&delay=2#/contexts");
  await expect(page.getByRole("heading", { name: "Contexts", level: 1 })).toBeVisible();
  await page.keyboard.press("Control+k");
  await page.getByRole("dialog", { name: "Command palette" }).getByRole("combobox").fill("stop pg-dev");
  await expect(page.getByRole("listbox", { name: "Commands" }).getByRole("option").first()).toHaveText(/Stop pg-dev/);
  await page.keyboard.press("Enter");
  const tray = page.getByTestId("task-tray");
  await expect(page.getByTestId("task-count")).toHaveText("1");
  await expect(tray).toHaveAttribute("aria-label", "Tasks: 1 running");
  await tray.click();
  const panel = page.getByRole("region", { name: "Running and recent operations" });
  const task = panel.locator("li.task").first();
  await expect(task).toContainText("Stop pg-dev in kind-berth-dev/default");
  await expect(task).toHaveAttribute("data-state", "running");
  await expect(task).toContainText("running for");
  await page.screenshot({ path: `${SHOTS}/tray.png` });
  await expect(task).toHaveAttribute("data-state", "succeeded", { timeout: 15_000 });
  await expect(task).toContainText("Done");
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);
  await expect(tray).toBeFocused();
});

test("the tray lists a failure with the error and what to do", async ({ page }) => {
  await page.goto("/?backend=mock&delay=0.3#/services");
  await page.getByRole("button", { name: "Restart events" }).click();
  await expect(page.locator(".tray__dot")).toBeVisible({ timeout: 10_000 });
  await page.getByTestId("task-tray").click();
  const task = page.locator("li.task").first();
  await expect(task).toHaveAttribute("data-state", "failed");
  await expect(task.getByRole("alert")).toContainText("was not ready after 300 s");
  await expect(task.getByRole("alert")).toContainText("Contexts page");
  await expect(task.getByRole("alert")).not.toContainText(/\bat \S+:\d+:\d+/);
  // a task links to its instance
  await task.getByRole("link").click();
  await expect(page.getByRole("heading", { name: "events", level: 1 })).toBeVisible();
});

test("with nothing run yet the tray explains itself", async ({ page }) => {
  await page.goto("/?backend=mock#/services");
  await page.getByTestId("task-tray").click();
  await expect(page.getByRole("region", { name: "Running and recent operations" })).toContainText("No operations yet");
});

test("the sidebar button opens the palette too", async ({ page }) => {
  await page.goto("/?backend=mock#/services");
  await page.getByRole("button", { name: /Go to…/ }).click();
  await expect(page.getByRole("dialog", { name: "Command palette" }).getByRole("combobox")).toBeFocused();
});
