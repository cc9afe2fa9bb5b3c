import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";
const URL = "/?backend=mock#/instances/kind-berth-dev/default/pg-dev/terminal";

async function typeLine(page: Page, text: string) {
  await page.locator(".xterm-helper-textarea").focus();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

const screen = (page: Page) => page.getByTestId("terminal-screen").locator(".xterm-rows");

test("a shell in a pod: typed commands run, the size follows, exit says its code, Reconnect opens again", async ({ page }) => {
  await page.goto(URL);
  const state = page.getByTestId("terminal-state");
  await expect(state).toHaveText(/^Connected to pg-dev-0 · sh$/);
  await typeLine(page, "echo hello from berth");
  await expect(screen(page)).toContainText("hello from berth");
  // the remote terminal knows the size xterm fitted to the panel
  await typeLine(page, "stty size");
  await expect(screen(page)).toContainText(/\d+ \d+/);
  await page.emulateMedia({ colorScheme: "light" });
  await page.getByRole("region", { name: "Terminal" }).screenshot({ path: `${SHOTS}/terminal-light.png` });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByRole("region", { name: "Terminal" }).screenshot({ path: `${SHOTS}/terminal-dark.png` });
  await typeLine(page, "exit 3");
  await expect(state).toHaveText("Exited with code 3");
  await expect(state).toHaveAttribute("data-phase", "exited");
  await page.getByRole("button", { name: "Reconnect" }).click();
  await expect(state).toHaveText(/^Connected to pg-dev-0/);
});

test("Open client starts the engine's client; services without one offer only the shell", async ({ page }) => {
  await page.goto(URL);
  await page.getByRole("group", { name: "Open" }).getByRole("button", { name: "Open client" }).click();
  await expect(page.getByTestId("terminal-state")).toHaveText(/· psql$/);
  await expect(screen(page)).toContainText("app=#");
  await page.goto("/?backend=mock#/instances/gke_acme_europe-west1_prod/shop/events/terminal");
  await expect(page.getByTestId("terminal-state")).toHaveText(/^Connected to events-0 · sh$/);
  await expect(page.getByRole("group", { name: "Open" }).getByRole("button")).toHaveText(["Shell"]);
});

test("a stopped service has no pod to open a terminal in", async ({ page }) => {
  await page.goto("/?backend=mock#/instances/kind-berth-dev/default/cache/terminal");
  await expect(page.getByText("is no pod to open a terminal in")).toBeVisible();
  await expect(page.getByTestId("terminal-state")).toHaveCount(0);
});
