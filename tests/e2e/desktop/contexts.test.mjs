// The real Berth desktop app, driven through tauri-driver + WebKitWebDriver: the Contexts page
// (one click from the Services home) lists a kubeconfig of three contexts and shows each one's
// location and why it is unreachable; favourite and location edits persist in the app's SQLite store across a reload.
// Started by scripts/desktop-e2e.sh, which provides Xvfb, a D-Bus session with gnome-keyring and
// a network namespace with only loopback. Environment: BERTH_DESKTOP_BIN, TAURI_DRIVER, KUBESIM,
// E2E_OUT.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { remote } from "webdriverio";
import { closedPort, requiredEnv, saveScreenshot, scratchDir, startKubesim, startTauriDriver, writeKubeconfig } from "./fixtures.mjs";

const { BERTH_DESKTOP_BIN: binary, TAURI_DRIVER: tauriDriver, KUBESIM: kubesimBin, out } = requiredEnv(
  "BERTH_DESKTOP_BIN",
  "TAURI_DRIVER",
  "KUBESIM",
);

const DRIVER_PORT = 4444;
const NAMES = ["gke_acme_europe-west1_prod", "kind-berth-e2e", "onprem-lab"];

let browser;
let driver;
let kubesim;

const row = (name) => browser.$(`li[data-context="${name}"]`);

async function rowNames() {
  const rows = await browser.$$("li[data-context]");
  const names = [];
  for (const r of rows) names.push(await r.getAttribute("data-context"));
  return names;
}

/** Waits until all three rows are there and no probe is still running. */
async function waitForSettledRows() {
  await browser.waitUntil(
    async () => (await browser.$$("li[data-context]").length) === 3 && (await browser.$$('[data-state="checking"]').length) === 0,
    { timeout: 30_000, interval: 200, timeoutMsg: "the Contexts page did not show 3 probed contexts" },
  );
}

async function reachability(name) {
  const el = await row(name).$(".reach");
  return { state: await el.getAttribute("data-state"), failure: await el.getAttribute("data-failure"), text: await el.getText() };
}

describe("Berth desktop: Contexts page", () => {
  before(async () => {
    mkdirSync(out, { recursive: true });
    const tmp = scratchDir("berth-desktop-e2e-");
    kubesim = await startKubesim({ binary: kubesimBin, dir: tmp, context: "onprem-lab", logFile: path.join(out, "kubesim.log") });
    const config = path.join(tmp, "kube", "config");
    writeKubeconfig(config, { refusedPort: await closedPort() });
    const kubeconfig = `${config}:${kubesim.kubeconfig}`;
    driver = await startTauriDriver({
      binary: tauriDriver,
      port: DRIVER_PORT,
      nativePort: DRIVER_PORT + 1,
      logFile: path.join(out, "tauri-driver.log"),
      env: { BERTH_HOME: path.join(tmp, "berth-home"), KUBECONFIG: kubeconfig, RUST_LOG: "info" },
    });
    browser = await remote({
      hostname: "127.0.0.1",
      port: DRIVER_PORT,
      logLevel: "warn",
      connectionRetryTimeout: 60_000,
      capabilities: {
        "wdio:enforceWebDriverClassic": true,
        "tauri:options": { application: binary },
      },
    });
  });

  after(async () => {
    // End the session first (closes the app), then stop the driver and the fixtures.
    if (browser) await browser.deleteSession().catch(() => {});
    if (driver) driver.kill("SIGTERM");
    if (kubesim) await kubesim.stop();
  });

  it("reaches the Contexts page and lists the three contexts, favourites first then by name", async () => {
    // the app opens on Services; Contexts is one click away
    const nav = await browser.$("nav a[href='#/contexts']");
    await nav.waitForDisplayed({ timeout: 30_000 });
    await nav.click();
    const heading = await browser.$("h1=Contexts");
    await heading.waitForDisplayed({ timeout: 30_000 });
    await waitForSettledRows();
    assert.deepEqual(await rowNames(), NAMES);
    await saveScreenshot(browser, path.join(out, "contexts.png"));
  });

  it("infers each location and marks the current context", async () => {
    assert.equal(await row("kind-berth-e2e").$('[data-testid="location-badge"]').getText(), "Laptop");
    assert.equal(await row("gke_acme_europe-west1_prod").$('[data-testid="location-badge"]').getText(), "Cloud");
    // Its API server is on loopback, so Berth infers a laptop cluster.
    assert.equal(await row("onprem-lab").$('[data-testid="location-badge"]').getText(), "Laptop");
    assert.equal(await row("kind-berth-e2e").$(".pill--current").getText(), "Current");
    assert.equal(await row("onprem-lab").$(".pill--current").isExisting(), false);
  });

  it("says why the other contexts are unreachable", async () => {
    const kind = await reachability("kind-berth-e2e");
    assert.equal(kind.state, "unreachable");
    assert.equal(kind.failure, "refused");
    assert.match(kind.text, /Connection refused/);

    const gke = await reachability("gke_acme_europe-west1_prod");
    assert.equal(gke.state, "unreachable");
    assert.equal(gke.failure, "dns");
    assert.match(gke.text, /Host not found/);

    const summary = await browser.$('[data-testid="contexts-summary"]').getText();
    assert.equal(summary, "3 contexts · 1 reachable · 2 unreachable");
  });

  it("shows the reachable context's server version and latency", async () => {
    const lab = await reachability("onprem-lab");
    assert.equal(lab.state, "reachable");
    assert.match(lab.text, /Reachable/);
    assert.match(lab.text, /v1\.\d+\.\d+/);
    assert.match(lab.text, /\d+ ms/);
  });

  it("stars a favourite, moves it first, and keeps it after a reload", async () => {
    const star = await row("onprem-lab").$("button.star");
    assert.equal(await star.getAttribute("aria-pressed"), "false");
    await star.click();
    await browser.waitUntil(async () => (await rowNames())[0] === "onprem-lab", {
      timeout: 10_000,
      timeoutMsg: "the starred context did not move first",
    });
    assert.equal(await row("onprem-lab").$("button.star").getAttribute("aria-pressed"), "true");

    await browser.refresh();
    await waitForSettledRows();
    assert.deepEqual(await rowNames(), ["onprem-lab", "gke_acme_europe-west1_prod", "kind-berth-e2e"]);
    assert.equal(await row("onprem-lab").$("button.star").getAttribute("aria-pressed"), "true");
  });

  it("overrides a location, keeps it after a reload, and goes back to automatic", async () => {
    const select = () => row("kind-berth-e2e").$("select");
    await (await select()).selectByAttribute("value", "cloud");
    await browser.waitUntil(
      async () => (await row("kind-berth-e2e").$('[data-testid="location-badge"]').getText()) === "Cloud",
      { timeout: 10_000, timeoutMsg: "the badge did not change to Cloud" },
    );

    await browser.refresh();
    await waitForSettledRows();
    assert.equal(await row("kind-berth-e2e").$('[data-testid="location-badge"]').getText(), "Cloud");
    assert.equal(await (await select()).getValue(), "cloud");

    await (await select()).selectByAttribute("value", "auto");
    await browser.waitUntil(
      async () => (await row("kind-berth-e2e").$('[data-testid="location-badge"]').getText()) === "Laptop",
      { timeout: 10_000, timeoutMsg: "the badge did not go back to the inferred Laptop" },
    );
  });

  it("shows the app's version and data folder in Settings", async () => {
    await browser.$("nav a[href='#/settings']").click();
    const card = await browser.$('section[aria-label="About this installation"]');
    await card.waitForDisplayed({ timeout: 10_000 });
    await browser.waitUntil(async () => (await card.getText()).includes("berth-home"), {
      timeout: 10_000,
      timeoutMsg: "Settings did not show the BERTH_HOME data folder",
    });
    assert.match(await card.getText(), /Berth core/);
  });
});
