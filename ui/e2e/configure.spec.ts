import { expect, test } from "@playwright/test";

test("configure starts from the live parameters and previews the diff", async ({ page }) => {
  await page.goto(`/?backend=mock#/instances/kind-berth-dev/default/pg-dev/configure`);
  await expect(page.getByRole("heading", { name: "Configure pg-dev" })).toBeVisible();
  const replicas = page.getByRole("spinbutton", { name: "Replicas" });
  await expect(replicas).toHaveValue("1");
  await page.getByRole("tab", { name: /Preview changes/ }).click();
  await expect(page.getByTestId("diff-empty")).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply changes" })).toBeDisabled();

  await page.getByRole("tab", { name: "Configure" }).click();
  await page.getByRole("button", { name: "More replicas" }).click();
  await expect(page.getByRole("tab", { name: "Preview changes (1)" })).toBeVisible();
  await page.getByRole("tab", { name: /Preview changes/ }).click();
  // the parameter first, before → after, then the Kubernetes fields it touches
  const params = page.getByRole("region", { name: "Parameters that change" });
  await expect(params.locator('[data-param="replicas"]')).toHaveText("replicas: 1 → 2");
  const diff = page.getByTestId("diff");
  await expect(diff.locator('[data-object="StatefulSet pg-dev"]')).toContainText("spec.replicas: 1 → 2");
  await expect(page.getByTestId("volume-note")).toHaveText("Each new replica of StatefulSet pg-dev gets a new volume of its own.");
  await page.getByRole("button", { name: "Apply changes" }).click();
  const progress = page.getByTestId("configure-progress");
  await expect(progress.locator(".steps")).toHaveAttribute("data-state", "succeeded", { timeout: 20_000 });
});
