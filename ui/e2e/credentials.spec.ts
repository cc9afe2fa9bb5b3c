import { expect, test } from "@playwright/test";

const SHOTS = "test-results/screenshots";

test("credentials are masked, revealed and copied on request, and rotated after a confirmation", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/?backend=mock#/instances/kind-berth-dev/default/pg-dev/settings");
  const card = page.getByRole("region", { name: "Credentials" });
  const admin = card.locator('tr[data-key="admin-password"]');
  await expect(admin.getByTestId("credential-value")).toHaveText("••••••••");
  await expect(card.locator('tr[data-key="user-password-app_user"]')).toContainText("app_user");

  await admin.getByRole("button", { name: "Reveal" }).click();
  await expect(admin.getByTestId("credential-value")).toHaveText("Gen3rated-admin-password-pg-dev");
  await page.emulateMedia({ colorScheme: "light" });
  await card.screenshot({ path: `${SHOTS}/credentials-light.png` });
  await page.emulateMedia({ colorScheme: "dark" });
  await card.screenshot({ path: `${SHOTS}/credentials-dark.png` });
  await admin.getByRole("button", { name: "Hide" }).click();
  await expect(admin.getByTestId("credential-value")).toHaveText("••••••••");
  await admin.getByRole("button", { name: "Copy" }).click();
  await expect(admin.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("Gen3rated-admin-password-pg-dev");

  // rotation: the dialog says the pods restart; the steps, then the outcome; the new value on Reveal
  await admin.getByRole("button", { name: "Rotate admin-password" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("The pods restart");
  await dialog.getByRole("button", { name: "Rotate" }).click();
  const rotation = card.getByTestId("rotation");
  await expect(rotation).toContainText("set the new admin-password in the engine");
  await expect(rotation).toContainText("A new admin-password is set in the engine, your keyring and the Secret", { timeout: 10_000 });
  await admin.getByRole("button", { name: "Reveal" }).click();
  await expect(admin.getByTestId("credential-value")).toHaveText("R0tated1-admin-password");
  // nothing secret reached the page's storage
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain("Gen3rated");
  expect(stored).not.toContain("R0tated");
});

test("a service whose definition cannot rotate offers no Rotate", async ({ page }) => {
  await page.goto("/?backend=mock#/instances/gke_acme_europe-west1_prod/shop/events/settings");
  const card = page.getByRole("region", { name: "Credentials" });
  await expect(card).toContainText("cannot change its credentials in place");
  await expect(card.getByRole("button", { name: /^Rotate/ })).toHaveCount(0);
});

test("a credential the engine cannot change in place says why and offers no Rotate", async ({ page }) => {
  await page.goto("/?backend=mock#/instances/onprem-lab/lab/inventory/settings");
  const card = page.getByRole("region", { name: "Credentials" });
  const replication = card.locator('tr[data-key="replication-password"]');
  await expect(replication.getByTestId("credential-fixed")).toHaveText(
    "Cannot be rotated in place: each replica keeps it in its replication settings.",
  );
  await expect(replication.getByRole("button", { name: /^Rotate/ })).toHaveCount(0);
  await expect(card.locator('tr[data-key="root-password"]').getByRole("button", { name: "Rotate root-password" })).toBeVisible();
});
