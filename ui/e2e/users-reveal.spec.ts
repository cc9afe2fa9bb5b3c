import { expect, test } from "@playwright/test";

const SHOTS = "test-results/screenshots";

test("configure: an existing user's password is hidden until Reveal, and Copy copies it", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(`/?backend=mock#/instances/kind-berth-dev/default/pg-dev/configure`);
  await expect(page.getByRole("heading", { name: "Configure pg-dev" })).toBeVisible();
  const users = page.getByTestId("users-field");
  await users.scrollIntoViewIfNeeded();
  const secret = users.getByTestId("user-password");
  await expect(secret).toHaveAttribute("data-user", "app_user");
  await expect(secret).toContainText("••••");

  await users.getByRole("button", { name: "Reveal the password of app_user" }).click();
  await expect(secret).toContainText("Gen3rated-app_user-");
  await page.emulateMedia({ colorScheme: "light" });
  await users.screenshot({ path: `${SHOTS}/users-reveal-light.png` });
  await page.emulateMedia({ colorScheme: "dark" });
  await users.screenshot({ path: `${SHOTS}/users-reveal-dark.png` });
  await users.getByRole("button", { name: "Hide the password of app_user" }).click();
  await expect(secret).not.toContainText("Gen3rated");

  await users.getByRole("button", { name: "Copy the password of app_user" }).click();
  await expect(users.getByRole("button", { name: "Copy the password of app_user" })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^Gen3rated-app_user-/);
  await expect(secret).not.toContainText("Gen3rated");

  // a new user's password does not exist yet
  await users.getByRole("button", { name: "Add user" }).click();
  await users.getByRole("textbox", { name: "User name" }).last().fill("reporting");
  await expect(users.getByTestId("password-generated")).toHaveText("Generated when you apply · kept in your keyring");
  // nothing secret reached the page's storage
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain("Gen3rated");
});

test("install: users' passwords are generated at install", async ({ page }) => {
  await page.goto(`/?backend=mock#/catalog/postgres/install`);
  const users = page.getByTestId("users-field");
  await users.getByRole("button", { name: "Add user" }).click();
  await users.getByRole("textbox", { name: "User name" }).fill("app");
  await expect(users.getByTestId("password-generated")).toHaveText("Generated at install · kept in your keyring");
  await expect(users.getByTestId("user-password")).toHaveCount(0);
});
