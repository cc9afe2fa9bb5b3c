import { expect, test } from "@playwright/test";

test("the theme applies at once and is kept; a bad namespace is refused with the reason", async ({ page }) => {
  await page.goto(`/?backend=mock#/settings`);
  const prefs = page.getByRole("region", { name: "Preferences" });
  await expect(prefs).toBeVisible();
  await prefs.getByRole("radio", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(prefs.getByRole("radio", { name: "Dark" })).toHaveAttribute("aria-checked", "true");
  // kept across a reload (the mock keeps settings in localStorage, the app in SQLite)
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await prefs.getByRole("radio", { name: "System" }).click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /.+/);

  await prefs.getByLabel("Default namespace").fill("Not_Valid");
  await prefs.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("settings-error")).toContainText("is not a valid namespace name");
  await prefs.getByLabel("Default namespace").fill("shop");
  await prefs.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("settings-status")).toHaveText("Saved");

  await prefs.getByRole("textbox", { name: "Catalog folder to add" }).fill("/home/ada/catalog");
  await prefs.getByRole("button", { name: "Add folder" }).click();
  await expect(prefs.getByRole("list", { name: "Extra catalog folders" })).toContainText("/home/ada/catalog");
  await expect(page.getByRole("region", { name: "About this installation" })).toContainText("0.1.0-mock");

  // the install form proposes the default namespace
  await page.goto(`/?backend=mock#/catalog/redis/install`);
  await expect(page.getByLabel("Namespace")).toHaveValue("shop");
});

test("a local cluster is created with the tool on PATH, its output streamed, and its context appears", async ({ page }) => {
  await page.goto(`/?backend=mock#/contexts`);
  const panel = page.getByTestId("create-cluster");
  await expect(page.locator('li[data-context="kind-berth-dev"]')).toBeVisible();
  await expect(async () => {
    const open = page.getByRole("button", { name: "Create local cluster" });
    if (await open.isVisible()) await open.click();
    await expect(panel).toBeVisible({ timeout: 1_000 });
  }).toPass();
  await panel.getByLabel("Cluster name").fill("demo");
  await panel.getByRole("button", { name: "Create" }).click();
  await expect(panel.getByTestId("cluster-output")).toContainText('Creating cluster "demo"');
  await expect(panel.getByTestId("cluster-created")).toContainText("kind-demo", { timeout: 10_000 });
  await expect(panel.getByTestId("cluster-output")).toContainText("Installing StorageClass");
  await expect(page.locator('li[data-context="kind-demo"]')).toBeVisible();
  // the same name again is refused
  await panel.getByRole("button", { name: "Create" }).click();
  await expect(panel.getByRole("alert")).toContainText("already exists");
});
