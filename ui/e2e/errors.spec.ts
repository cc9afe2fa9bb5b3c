import { expect, test, type Locator, type Page } from "@playwright/test";
import hints from "../src/ipc/failure-hints.json" with { type: "json" };

// One failure, one story: the Contexts probe, the Services list, the instance page and the task
// tray tell a context's failure with the same title, the same sentence and the same hint (the
// core's), each with the action that fits the screen. `?fail=context:kind` makes a mock context
// fail that way.
const LAB = "onprem-lab";
const SERVER = "https://k8s.lab.internal:6443";

const KINDS = [
  { kind: "dns", title: "Host not found", sentence: "the host name k8s.lab.internal does not resolve" },
  { kind: "refused", title: "Connection refused", sentence: `nothing answers at ${SERVER} (connection refused)` },
  {
    kind: "tls",
    title: "Certificate not trusted",
    sentence: `the TLS handshake with ${SERVER} failed: invalid peer certificate: UnknownIssuer`,
  },
  {
    kind: "unauthorized",
    title: "Credentials refused",
    sentence: "the API server refused the credentials (HTTP 401: Unauthorized)",
  },
  {
    kind: "forbidden",
    title: "Access denied",
    sentence:
      'the API server denied access (HTTP 403: forbidden: User "dev" cannot list resource "namespaces" in API group "" at the cluster scope)',
  },
  { kind: "timeout", title: "No answer in time", sentence: `${SERVER} did not answer in time` },
  {
    kind: "execPlugin",
    title: "Credential plugin failed",
    sentence: "the credential plugin `aws` is not installed (not found on PATH)",
  },
] as const;

/** The text on screen: `backticked` names are shown as code, without their backticks. */
const shown = (text: string) => text.replaceAll("`", "");

/** Shows `text` exactly once inside `where`. */
async function once(where: Locator | Page, text: string) {
  await expect(where.getByText(text, { exact: false })).toHaveCount(1);
}

for (const { kind, title, sentence } of KINDS) {
  test(`${kind}: Contexts, Services, the instance page and the task tray tell it the same way`, async ({ page }) => {
    const url = (hash: string) => `/?backend=mock&delay=0.3&fail=${LAB}:${kind}#/${hash}`;
    const hint = shown(hints[kind]);
    const message = shown(`${LAB}: ${sentence}`);

    await page.goto(url("contexts"));
    const probe = page.locator(`li[data-context="${LAB}"] [data-state="unreachable"]`);
    await expect(probe).toHaveAttribute("data-failure", kind);
    await expect(probe.locator(".reach__title")).toHaveText(title);
    await expect(probe.locator(".reach__detail")).toHaveText(shown(sentence));
    await expect(probe.locator(".reach__hint")).toHaveText(hint);

    await page.goto(url("services"));
    const group = page.locator(`section[data-context="${LAB}"]`);
    await expect(group.locator("strong")).toHaveText(`Cannot list services: ${title}.`);
    await expect(group.locator("p")).toHaveText([message, hint]);
    await once(group, shown(sentence));

    await page.goto(url(`instances/${LAB}/lab/inventory`));
    const alert = page.getByRole("alert");
    await expect(alert).toHaveAttribute("data-failure", kind);
    await expect(alert.getByRole("heading")).toHaveText(title);
    await expect(alert.locator("p")).toHaveText([message, hint]);
    await expect(alert.getByRole("button", { name: "Try again" })).toBeVisible();
    await expect(alert.getByRole("link", { name: "Open Contexts" })).toBeVisible();

    // an install into the context fails with the same story, on its page and in the tray
    await page.goto(url("catalog/redis/install"));
    await page.getByRole("combobox", { name: "Context" }).selectOption(LAB);
    await expect(page.locator(".storage-class [role=status]")).toHaveText(`Could not list the cluster’s storage classes: ${title}.`);
    await page.getByRole("button", { name: "Install Redis" }).click();
    const progress = page.getByTestId("install-progress");
    await expect(progress.locator(".steps")).toHaveAttribute("data-state", "failed", { timeout: 10_000 });
    await expectOperationError(progress.getByRole("alert"), kind, title, message, hint);
    await once(page, message);

    await page.getByTestId("task-tray").click();
    const task = page.getByRole("region", { name: "Running and recent operations" }).locator("li.task", { hasText: `Install redis` });
    await expect(task).toHaveAttribute("data-state", "failed");
    await expectOperationError(task.getByRole("alert"), kind, title, message, hint);
    await once(task, message);
  });
}

async function expectOperationError(alert: Locator, kind: string, title: string, message: string, hint: string) {
  await expect(alert).toHaveAttribute("data-failure", kind);
  await expect(alert.locator("p")).toHaveText([title, message, hint]);
}

test("a refused context reads the same on Contexts, Services and the instance page", async ({ page }) => {
  const SENTENCE = "nothing answers at https://192.168.49.2:8443 (connection refused)";
  const HINT = "Nothing listens at the server's address: is the cluster running?";
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

test("a full quota: the API server's refusal and what to do, once, on the install and in the tray", async ({ page }) => {
  const PROD = "gke_acme_europe-west1_prod";
  const refusal = `${PROD}: cannot apply StatefulSet payments/pg-pay: statefulsets.apps "pg-pay" is forbidden: exceeded quota: compute, requested: requests.memory=2Gi, used: requests.memory=3Gi, limited: requests.memory=4Gi (403 Forbidden)`;
  const hint = `A ResourceQuota in namespace "payments" is full: ask the cluster's administrator for a larger quota, or give the service less CPU, memory or storage.`;
  await page.goto("/?backend=mock&delay=0.3#/catalog/postgres/install");
  await page.getByRole("combobox", { name: "Context" }).selectOption(PROD);
  await page.getByRole("combobox", { name: "Namespace" }).fill("payments");
  await page.getByRole("textbox", { name: "Instance name" }).fill("pg-pay");
  const memory = page.getByRole("textbox", { name: "Memory", exact: true });
  await memory.fill("2");
  await page.getByRole("button", { name: "Install PostgreSQL" }).click();
  const progress = page.getByTestId("install-progress");
  await expect(progress.locator(".steps")).toHaveAttribute("data-state", "failed", { timeout: 10_000 });
  const alert = progress.getByRole("alert");
  await expect(alert).toHaveAttribute("data-error-code", "cluster");
  await expect(alert).not.toHaveAttribute("data-failure");
  await expect(alert.locator("p")).toHaveText([refusal, hint]);
  await once(page, "exceeded quota");
  await once(page, hint);

  await page.getByTestId("task-tray").click();
  const task = page.locator("li.task", { hasText: "Install postgres 17" });
  await expect(task.getByRole("alert").locator("p")).toHaveText([refusal, hint]);
  await page.keyboard.press("Escape");

  // with less memory it fits
  await memory.fill("1");
  await page.getByRole("button", { name: "Install PostgreSQL" }).click();
  await expect(progress.locator(".steps")).toHaveAttribute("data-state", "succeeded", { timeout: 20_000 });
});

test("a change another process is making: a conflict, told once on the instance page and in the tray", async ({ page }) => {
  // sessions has an install still pending (run from the CLI): it holds the instance's lock
  const conflict = shown(
    "another Berth process (the app or a CLI) is changing sessions in gke_acme_europe-west1_prod/shop right now; try again when it has finished (`berth history sessions` shows it)",
  );
  const fix = "It conflicts with what is there now: refresh to see the current state, then try again.";
  await page.goto("/?backend=mock&delay=0.3#/instances/gke_acme_europe-west1_prod/shop/sessions");
  await page.getByRole("button", { name: "Restart sessions" }).click();
  const alert = page.locator(".instance-header__progress").getByRole("alert");
  await expect(alert).toHaveAttribute("data-error-code", "conflict", { timeout: 10_000 });
  await expect(alert.locator("p")).toHaveText([conflict, fix]);
  await once(page, conflict);
  await once(page, fix);

  await page.getByTestId("task-tray").click();
  const task = page.locator("li.task", { hasText: "Restart sessions" });
  await expect(task).toHaveAttribute("data-state", "failed");
  await expect(task.getByRole("alert").locator("p")).toHaveText([conflict, fix]);
});

test("an instance that is not there: not found, told once, with no way to Contexts", async ({ page }) => {
  const message = "no instance gone in kind-berth-dev/default";
  for (const path of ["gone", "gone/configure"]) {
    await page.goto(`/?backend=mock&delay=0.3#/instances/kind-berth-dev/default/${path}`);
    const alert = page.getByRole("alert");
    await expect(alert).toHaveAttribute("data-error-code", "notFound");
    await expect(alert.getByRole("heading")).toHaveText("Not found");
    await expect(alert.locator("p").first()).toHaveText(message);
    await once(page, message);
    await expect(alert.getByRole("link", { name: "Open Contexts" })).toHaveCount(0);
  }
});
