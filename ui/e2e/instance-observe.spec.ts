import { expect, test, type Page } from "@playwright/test";

const SHOTS = "test-results/screenshots";

/** Opens one of the Instance page's observe tabs (the mock serves logs and metrics for any name). */
async function openTab(page: Page, tab: "connect" | "logs" | "metrics", name = "pg") {
  await page.goto(`/?backend=mock#/instances/kind-berth-dev/db/${name}/${tab}`);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Instance sections" }).locator('[aria-current="page"]')).toHaveText(
    tab[0]!.toUpperCase() + tab.slice(1),
  );
}

test("logs stream live, filter by pod, highlight a search, pause and follow", async ({ page }) => {
  await openTab(page, "logs");
  const logs = page.getByRole("region", { name: "Logs" });
  await expect(logs.getByTestId("logs-status")).toHaveText("Live");
  await expect(logs.getByTestId("log-line").first()).toBeVisible();
  // new lines keep arriving
  const count = async () => Number((await logs.getByTestId("logs-count").textContent())!.replace(/[^\d].*$/, ""));
  const before = await count();
  await expect.poll(count, { timeout: 5000 }).toBeGreaterThan(before);

  await logs.getByRole("combobox", { name: "Pod" }).selectOption("pg-1");
  await expect(logs.getByTestId("log-line").first().locator(".log-line__prefix")).toHaveText("pg-1");
  await logs.getByRole("combobox", { name: "Pod" }).selectOption("");

  await logs.getByRole("searchbox", { name: "Search the logs" }).fill("checkpoint");
  await expect(logs.locator("mark").first()).toHaveText(/checkpoint/i);
  await expect(logs.getByTestId("logs-count")).toHaveText(/ of /);
  await logs.screenshot({ path: `${SHOTS}/instance-logs-search.png` });
  await logs.getByRole("searchbox", { name: "Search the logs" }).fill("");

  await logs.getByRole("button", { name: "Pause" }).click();
  await expect(logs.getByTestId("logs-status")).toHaveText("Paused");
  await expect(logs.getByRole("button", { name: /Resume \(\d+ new\)/ })).toBeVisible({ timeout: 5000 });
  await logs.getByRole("button", { name: /Resume/ }).click();
  await expect(logs.getByTestId("logs-status")).toHaveText("Live");
});

test("100,000 log lines stay virtualised and scroll", async ({ page }) => {
  await openTab(page, "logs", "bulk");
  const logs = page.getByRole("region", { name: "Logs" });
  await expect(logs.getByTestId("logs-count")).toHaveText(/^1\d\d,\d{3} lines$/, { timeout: 15_000 });
  // only the visible rows (plus overscan) are in the DOM
  const rendered = await logs.getByTestId("log-line").count();
  expect(rendered).toBeLessThan(150);
  const view = logs.getByTestId("log-view");
  const started = Date.now();
  await view.evaluate((el) => (el.scrollTop = 0));
  await expect(logs.getByTestId("log-line").first()).toContainText("#0");
  await view.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await expect(logs.getByTestId("log-line").first()).toBeVisible();
  expect(Date.now() - started).toBeLessThan(3000);
  expect(await logs.getByTestId("log-line").count()).toBeLessThan(150);
});

test("connect: one-click port-forward, URI with copy buttons, password hidden until Reveal", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openTab(page, "connect");
  const connect = page.getByRole("region", { name: "Connect" });
  await connect.getByRole("button", { name: "Start port-forward" }).click();
  const uri = connect.getByTestId("connect-uri");
  await expect(uri).toHaveText(/^postgresql:\/\/app:\*\*\*\*@127\.0\.0\.1:\d+\/app$/);
  await expect(connect.getByRole("button", { name: "Copy URI" })).toBeVisible();
  await expect(connect.getByRole("button", { name: "Copy address" })).toBeVisible();
  await connect.screenshot({ path: `${SHOTS}/instance-connect.png` });
  await connect.getByRole("button", { name: "Reveal" }).click();
  await expect(uri).toHaveText(/^postgresql:\/\/app:s3cr3t-Pa55word@127\.0\.0\.1:\d+\/app$/);
  await connect.getByRole("button", { name: "Copy URI" }).click();
  await expect(connect.getByRole("button", { name: "Copy URI" })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("s3cr3t-Pa55word");
  await connect.getByRole("button", { name: "Hide" }).click();
  await expect(uri).toContainText("****");
  await connect.getByRole("button", { name: "Stop forwarding" }).click();
  await expect(connect.getByRole("button", { name: "Start port-forward" })).toBeVisible();
});

test("metrics: CPU and memory per pod plotted over time", async ({ page }) => {
  await openTab(page, "metrics");
  const metrics = page.getByRole("region", { name: "Metrics" });
  await expect(metrics.getByTestId("metrics-table")).toContainText("pg-2");
  await expect(metrics.locator(".chart canvas")).toHaveCount(2);
  await expect(metrics.locator(".u-legend").first()).toContainText("pg-0");
  // with one sample so far, the time axis spans 5 minutes (uPlot alone would span years)
  const range = (await metrics.locator(".chart__plot").first().getAttribute("data-x-range"))!.split(",").map(Number);
  expect(range[1]! - range[0]!).toBe(300);
  // a second sample arrives after the interval (5 s) and extends the lines
  await expect(metrics.getByTestId("metrics-table")).not.toContainText((await metrics.getByTestId("metrics-table").textContent())!, { timeout: 9000 });
  await page.screenshot({ path: `${SHOTS}/instance-metrics-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(metrics.locator(".chart canvas")).toHaveCount(2);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/instance-metrics-dark.png`, fullPage: true });
});

test("metrics: a chosen range shows the kept samples with request and limit lines", async ({ page }) => {
  await openTab(page, "metrics");
  const metrics = page.getByRole("region", { name: "Metrics" });
  // requests and limits per pod, memory in MiB
  await expect(metrics.getByTestId("metrics-table")).toContainText("250 m / 500 m");
  await expect(metrics.getByTestId("metrics-table")).toContainText("256 MiB / 512 MiB");
  const ranges = metrics.getByRole("radiogroup", { name: "Range" });
  await expect(ranges.getByRole("radio", { name: "Live" })).toHaveAttribute("aria-checked", "true");
  await ranges.getByRole("radio", { name: "1 h" }).click();
  await expect(ranges.getByRole("radio", { name: "1 h" })).toHaveAttribute("aria-checked", "true");
  // the mock kept a sample a minute per pod: an hour of them, plus the live ones
  const note = metrics.getByTestId("metrics-history-note");
  await expect(note).toHaveText(/^\d+ samples over the last 1 h$/);
  expect(Number((await note.textContent())!.split(" ")[0])).toBeGreaterThanOrEqual(180);
  // the time axis spans the hour, whatever the samples span
  const plot = metrics.locator(".chart__plot").first();
  await expect
    .poll(async () => {
      const [from, to] = (await plot.getAttribute("data-x-range"))!.split(",").map(Number);
      return Math.round(to! - from!);
    })
    .toBe(3600);
  // request and limit as lines of both charts, named in the legend
  for (const chart of await metrics.locator(".chart__plot").all()) {
    await expect(chart).toHaveAttribute("data-lines", "request,limit");
    await expect(chart.locator(".u-legend")).toContainText("request");
    await expect(chart.locator(".u-legend")).toContainText("limit");
  }
  await expect(plot).toHaveAttribute("aria-label", /request 250 m, limit 500 m/);
  await expect(metrics.locator(".chart__plot").nth(1)).toHaveAttribute("aria-label", /request 256 MiB, limit 512 MiB/);
  // the legend's time under the cursor: 24-hour form
  const box = (await plot.locator(".u-over").boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  const time = plot.locator(".u-legend .u-series").first().locator(".u-value");
  await expect(time).toHaveText(/\d{2}:\d{2}:\d{2}/);
  await expect(time).not.toHaveText(/AM|PM/i);
  await page.screenshot({ path: `${SHOTS}/instance-metrics-history.png`, fullPage: true });
  // a day: three kept hours at most, the axis spans 24 h
  await ranges.getByRole("radio", { name: "24 h" }).click();
  await expect(note).toHaveText(/^\d+ samples over the last 24 h$/);
  expect(Number((await note.textContent())!.split(" ")[0])).toBeGreaterThanOrEqual(540);
  await expect
    .poll(async () => {
      const [from, to] = (await plot.getAttribute("data-x-range"))!.split(",").map(Number);
      return Math.round(to! - from!);
    })
    .toBe(86_400);
  // back to live: only what was sampled while the panel was open
  await ranges.getByRole("radio", { name: "Live" }).click();
  await expect(note).toHaveCount(0);
});

test("metrics: a cluster without the metrics API says so", async ({ page }) => {
  await openTab(page, "metrics", "nometrics");
  const metrics = page.getByRole("region", { name: "Metrics" });
  await expect(metrics.getByRole("heading", { name: "This cluster has no metrics API" })).toBeVisible();
  await expect(metrics.getByTestId("no-metrics")).toContainText("install metrics-server");
  await page.screenshot({ path: `${SHOTS}/instance-metrics-none.png`, fullPage: true });
});

test("a stopped service's Logs, Metrics and Connect say so and offer Start", async ({ page }) => {
  for (const tab of ["logs", "metrics", "connect"] as const) {
    await page.goto(`/?backend=mock#/instances/kind-berth-dev/default/cache/${tab}`);
    const notice = page.locator('[data-stopped="true"]');
    await expect(notice).toContainText("cache is stopped");
    await expect(page.getByText("Connecting…")).toHaveCount(0);
  }
  await page.locator('[data-stopped="true"]').getByRole("button", { name: "Start cache" }).click();
  // started: the tab shows its panel again
  await expect(page.locator('[data-stopped="true"]')).toHaveCount(0, { timeout: 15_000 });
});

test("metrics: ranges longer than a day come from the cluster's Prometheus, or say why not", async ({ page }) => {
  // the dev cluster has no Prometheus: a week is refused with the reason
  await openTab(page, "metrics");
  const metrics = page.getByRole("region", { name: "Metrics" });
  await expect(metrics.getByTestId("metrics-table")).toBeVisible();
  await metrics.getByRole("radiogroup", { name: "Range" }).getByRole("radio", { name: "7 d" }).click();
  await expect(metrics).toContainText("ranges longer than 24 h come from the cluster's Prometheus");
  await expect(metrics.locator(".chart__plot")).toHaveCount(0);

  // the lab cluster has one: a week and a month are plotted from it, the axis spanning the range
  await page.goto("/?backend=mock#/instances/onprem-lab/lab/inventory/metrics");
  await expect(metrics.getByTestId("metrics-table")).toBeVisible();
  const note = metrics.getByTestId("metrics-history-note");
  const plot = metrics.locator(".chart__plot").first();
  for (const [label, seconds] of [["7 d", 604_800], ["30 d", 2_592_000]] as const) {
    await metrics.getByRole("radiogroup", { name: "Range" }).getByRole("radio", { name: label }).click();
    await expect(note).toHaveText(new RegExp(`^\\d+ samples from Prometheus \\(monitoring/prometheus-server\\) over the last ${label}$`));
    expect(Number((await note.textContent())!.split(" ")[0])).toBeGreaterThanOrEqual(500);
    await expect
      .poll(async () => {
        const [from, to] = (await plot.getAttribute("data-x-range"))!.split(",").map(Number);
        return Math.round(to! - from!);
      })
      .toBe(seconds);
  }
  await page.screenshot({ path: `${SHOTS}/instance-metrics-prometheus.png`, fullPage: true });
});
