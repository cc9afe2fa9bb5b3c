import { expect, test } from "@playwright/test";

// One failure, one story: the Contexts probe, the Services list and the instance page tell a
// context's failure with the same sentence and the same hint (the core's), each with the action
// that fits the screen.
const SENTENCE = "nothing answers at https://192.168.49.2:8443 (connection refused)";
const HINT = "Nothing listens at the server's address: is the cluster running?";

test("a refused context reads the same on Contexts, Services and the instance page", async ({ page }) => {
  await page.goto("/?backend=mock#/contexts");
  const probe = page.locator('li[data-context="minikube"] [data-state="unreachable"]');
  await expect(probe).toContainText("Connection refused");
  await expect(probe).toContainText(SENTENCE);
  await expect(probe).toContainText(HINT);

  await page.goto("/?backend=mock#/services");
  const group = page.locator('section[data-context="minikube"]');
  await expect(group).toContainText("Cannot list services: Connection refused.");
  await expect(group).toContainText(`minikube: ${SENTENCE}`);
  await expect(group).toContainText(HINT);
  await expect(group).not.toContainText("did not answer");

  await page.goto("/?backend=mock#/instances/minikube/default/pg-mini");
  const alert = page.getByRole("alert").filter({ hasText: SENTENCE });
  await expect(alert).toHaveAttribute("data-failure", "refused");
  await expect(alert.getByRole("heading")).toHaveText("Connection refused");
  await expect(alert).toContainText(HINT);
  await expect(alert.getByRole("button", { name: "Try again" })).toBeVisible();
  await alert.getByRole("link", { name: "Open Contexts" }).click();
  await expect(page).toHaveURL(/#\/contexts$/);
});

test("refused credentials and a failing credential plugin are told by kind, with the core's hint", async ({ page }) => {
  await page.goto("/?backend=mock#/services");
  const shop = page.locator('section[data-context="do-ams3-shop"]');
  await expect(shop).toContainText("Cannot list services: Credentials refused.");
  await expect(shop).toContainText("refused the credentials (HTTP 401");
  await expect(shop).toContainText("fetch a fresh kubeconfig");
  const eks = page.locator('section[data-context="arn:aws:eks:eu-west-1:123456789012:cluster/staging"]');
  await expect(eks).toContainText("Cannot list services: Credential plugin failed.");
  await expect(eks).toContainText("the credential plugin aws is not installed");
  await expect(eks).toContainText("aws sso login");
});
