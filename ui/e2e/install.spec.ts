import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";

async function openInstall(page: Page, service = "postgres") {
  await page.goto(`/?backend=mock#/catalog/${service}/install`);
  await expect(page.locator('[data-section="Redundancy"]')).toBeVisible();
}

test("the form is in sections with quantity, replica and storage-class widgets", async ({ page }) => {
  await openInstall(page);
  for (const section of ["Redundancy", "Capacity", "Access", "Exposure", "Advanced"]) {
    await expect(page.locator(`[data-section="${section}"]`)).toBeVisible();
  }
  // the replica stepper stays within the schema's bounds (1..5)
  const replicas = page.getByRole("spinbutton", { name: "Replicas" });
  await expect(replicas).toHaveValue("1");
  await expect(page.getByRole("button", { name: "Fewer replicas" })).toBeDisabled();
  await page.getByRole("button", { name: "More replicas" }).click();
  await expect(replicas).toHaveValue("2");
  // the storage classes come from the target cluster
  const storageClass = page.getByRole("combobox", { name: "Storage class" });
  await expect(storageClass.locator("option")).toHaveText(["Cluster default (standard)", "standard — rancher.io/local-path"]);
  await page.getByRole("combobox", { name: "Context" }).selectOption("gke_acme_europe-west1_prod");
  await expect(storageClass.locator("option")).toHaveCount(4);
  // the slider and the text move together
  const memory = page.getByRole("textbox", { name: "Memory", exact: true });
  await expect(memory).toHaveValue("1");
  await page.getByRole("slider", { name: "Memory slider" }).fill("5");
  await expect(memory).toHaveValue("4");
  await expect(page.getByRole("combobox", { name: "Memory unit" })).toHaveValue("Gi");
});

test("invalid values show the schema's words and block the install", async ({ page }) => {
  await openInstall(page);
  const memory = page.getByRole("textbox", { name: "Memory", exact: true });
  await memory.fill("lots");
  await expect(page.locator('[data-section="Capacity"]')).toContainText("Memory per pod (Mi or Gi)");
  await expect(page.getByRole("button", { name: "Install PostgreSQL" })).toBeDisabled();
  await expect(page.getByRole("status").filter({ hasText: "Some fields need attention." })).toBeVisible();
  await memory.fill("2");
  await expect(page.getByRole("button", { name: "Install PostgreSQL" })).toBeEnabled();
  // users: a bad name is flagged inline
  await page.getByRole("button", { name: "Add user" }).click();
  const user = page.getByTestId("users-field").locator("li").first();
  await user.getByRole("textbox").first().fill("Bad Name");
  await expect(user).toContainText("Not valid here");
  await expect(user).toContainText("Generated at install");
  await user.getByRole("textbox").first().fill("reporting");
  await expect(page.getByRole("button", { name: "Install PostgreSQL" })).toBeEnabled();
});

test("the preview shows the rendered objects as YAML with the form's values", async ({ page }) => {
  await openInstall(page);
  await page.getByRole("textbox", { name: "Instance name" }).fill("orders");
  await page.getByRole("button", { name: "More replicas" }).click();
  await page.getByRole("tab", { name: "Preview" }).click();
  const preview = page.getByTestId("manifest-preview");
  const sts = preview.locator('[data-object="StatefulSet orders"]');
  await expect(sts).toBeVisible();
  await expect(sts).toContainText("replicas: 2");
  await expect(sts.locator(".tok-key").first()).toBeVisible();
});

test("install runs with step-by-step progress that survives navigating away", async ({ page }) => {
  await openInstall(page);
  await page.getByRole("textbox", { name: "Instance name" }).fill("pg-two");
  await page.getByRole("button", { name: "More replicas" }).click();
  await page.getByRole("button", { name: "Install PostgreSQL" }).click();
  const progress = page.getByTestId("install-progress");
  await expect(progress).toBeVisible();
  await expect(progress.locator("[data-state]").first()).toHaveAttribute("data-state", /running|succeeded/);
  // leave, come back in the app: the same operation is still shown, and it finishes
  await page.locator("nav.sidebar").getByRole("link", { name: "Catalog" }).click();
  await expect(page.getByRole("heading", { name: "Catalog", level: 1 })).toBeVisible();
  await page.locator('li[data-service="postgres"] a').click();
  await page.getByRole("link", { name: "Install…" }).click();
  await expect(progress).toBeVisible();
  await expect(progress.locator(".steps")).toHaveAttribute("data-state", "succeeded", { timeout: 20_000 });
  await expect(progress.getByRole("link", { name: "Open pg-two" })).toBeVisible();
  // the done screen says where clients reach it and leads to Connect
  await expect(progress.getByTestId("installed")).toContainText("pg-two is installed in kind-berth-dev / default");
  await expect(progress.getByTestId("installed-endpoint")).toHaveText("pg-two.default.svc:5432");
  await progress.getByRole("link", { name: "Connect…" }).click();
  await expect(page).toHaveURL(/pg-two\/connect$/);
});

for (const scheme of ["light", "dark"] as const) {
  test(`install form screenshot (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await openInstall(page);
    await page.screenshot({ path: `${SHOTS}/install-${scheme}.png` });
  });
}

test("a name already taken and a namespace that does not exist are caught while typing", async ({ page }) => {
  await openInstall(page);
  const install = page.getByRole("button", { name: "Install PostgreSQL" });
  await page.getByRole("textbox", { name: "Instance name" }).fill("pg-dev");
  await expect(page.getByTestId("name-taken")).toHaveText("pg-dev already exists in kind-berth-dev/default: choose another name.");
  await expect(install).toBeDisabled();
  await page.getByRole("textbox", { name: "Instance name" }).fill("pg-new");
  await expect(page.getByTestId("name-taken")).toHaveCount(0);
  await expect(install).toBeEnabled();

  // a typo in the namespace does not silently create one
  await page.getByRole("combobox", { name: "Namespace" }).fill("defualt");
  await expect(page.getByTestId("namespace-missing")).toContainText("defualt does not exist in kind-berth-dev: create it");
  await expect(install).toBeDisabled();
  await page.getByRole("checkbox", { name: "Create namespace defualt" }).check();
  await expect(install).toBeEnabled();
  await page.getByRole("combobox", { name: "Namespace" }).fill("dev");
  await expect(page.getByTestId("namespace-missing")).toHaveCount(0);
});

test("a failed install says why and keeps the filled form", async ({ page }) => {
  await openInstall(page);
  await page.getByRole("combobox", { name: "Context" }).selectOption("minikube");
  await page.getByRole("textbox", { name: "Instance name" }).fill("pg-kept");
  await page.getByRole("button", { name: "More replicas" }).click();
  await page.getByRole("button", { name: "Install PostgreSQL" }).click();
  const progress = page.getByTestId("install-progress");
  await expect(progress.locator(".steps")).toHaveAttribute("data-state", "failed", { timeout: 20_000 });
  // the core's sentence and its hint, once
  await expect(progress.getByRole("alert")).toContainText("minikube: nothing answers at https://192.168.49.2:8443 (connection refused)");
  await expect(progress.getByRole("alert")).toContainText("is the cluster running?");
  await expect(page.getByText("minikube: nothing answers", { exact: false })).toHaveCount(1);
  // what was filled in is still there, ready for another try
  await expect(page.getByRole("textbox", { name: "Instance name" })).toHaveValue("pg-kept");
  await expect(page.getByRole("spinbutton", { name: "Replicas" })).toHaveValue("2");
  await page.getByRole("combobox", { name: "Context" }).selectOption("kind-berth-dev");
  await page.getByRole("button", { name: "Install PostgreSQL" }).click();
  await expect(progress.locator(".steps")).toHaveAttribute("data-state", "succeeded", { timeout: 20_000 });
});
