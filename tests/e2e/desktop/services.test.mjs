// The real Berth desktop app against kubesim: an instance installed beforehand with the `berth`
// CLI shows up Ready on the Services screen (the app's home); Stop scales it to zero while its
// PVCs stay (checked through the Kubernetes API with kubectl), Start brings the replicas back.
// Both run as background operations, whose progress the task tray lists.
// Started by scripts/desktop-e2e.sh (Xvfb, a keyring session, loopback-only network).
// Environment: BERTH_DESKTOP_BIN, BERTH_CLI_BIN, TAURI_DRIVER, KUBESIM, KUBECTL, E2E_OUT.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { remote } from "webdriverio";
import { captureScreen, requiredEnv, saveScreenshot, scratchDir, startKubesim, startTauriDriver } from "./fixtures.mjs";

const {
  BERTH_DESKTOP_BIN: binary,
  BERTH_CLI_BIN: cli,
  TAURI_DRIVER: tauriDriver,
  KUBESIM: kubesimBin,
  KUBECTL: kubectlBin,
  out,
} = requiredEnv("BERTH_DESKTOP_BIN", "BERTH_CLI_BIN", "TAURI_DRIVER", "KUBESIM", "KUBECTL");

const DRIVER_PORT = 4446;
const CONTEXT = "kubesim-services";
const NAMESPACE = "e2e";
const NAME = "pg";
const ROW = `li[data-instance="${CONTEXT}/${NAMESPACE}/${NAME}"]`;

let browser;
let driver;
let kubesim;
let env;

function kubectl(...args) {
  return execFileSync(kubectlBin, ["--kubeconfig", kubesim.kubeconfig, "--context", CONTEXT, "-n", NAMESPACE, ...args], {
    encoding: "utf8",
  }).trim();
}

async function health() {
  const row = await browser.$(ROW);
  if (!(await row.isExisting())) return null;
  return row.getAttribute("data-health");
}

async function waitForHealth(want, timeout = 90_000) {
  await browser.waitUntil(async () => (await health()) === want, {
    timeout,
    interval: 250,
    timeoutMsg: `${NAME} did not become ${want} on the Services screen (last: ${await health()})`,
  });
}

describe("Berth desktop: Services and one-click lifecycle", () => {
  before(async () => {
    mkdirSync(out, { recursive: true });
    const tmp = scratchDir("berth-desktop-services-");
    kubesim = await startKubesim({ binary: kubesimBin, dir: tmp, context: CONTEXT, logFile: path.join(out, "kubesim-services.log") });
    env = { BERTH_HOME: path.join(tmp, "berth-home"), KUBECONFIG: kubesim.kubeconfig, RUST_LOG: "info" };
    // installed beforehand, as a user of the CLI would have
    execFileSync(cli, ["install", "postgres", "--name", NAME, "--namespace", NAMESPACE, "--create-namespace", "--context", CONTEXT], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 180_000,
    });
    assert.equal(kubectl("get", "statefulset", NAME, "-o", "jsonpath={.spec.replicas}"), "1");
    driver = await startTauriDriver({
      binary: tauriDriver,
      port: DRIVER_PORT,
      nativePort: DRIVER_PORT + 1,
      logFile: path.join(out, "tauri-driver-services.log"),
      env,
    });
    browser = await remote({
      hostname: "127.0.0.1",
      port: DRIVER_PORT,
      logLevel: "warn",
      connectionRetryTimeout: 60_000,
      capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: binary } },
    });
  });

  after(async () => {
    if (browser) await browser.deleteSession().catch(() => {});
    if (driver) driver.kill("SIGTERM");
    if (kubesim) await kubesim.stop();
  });

  it("opens on Services and shows the instance Ready with its version and endpoint", async () => {
    const heading = await browser.$("h1");
    await heading.waitForDisplayed({ timeout: 30_000 });
    assert.equal(await heading.getText(), "Services");
    await waitForHealth("ready");
    const text = await browser.$(ROW).getText();
    assert.match(text, /postgres \d+/);
    assert.match(text, new RegExp(`${NAME}\\.${NAMESPACE}\\.svc:5432`));
    const group = await browser.$(`section[data-context="${CONTEXT}"]`);
    assert.equal(await group.$('[data-testid="location-badge"]').getText(), "Laptop");
    await saveScreenshot(browser, path.join(out, "services.png"));
  });

  // What the user sees is the window on the X server, not WebDriver's snapshot: without a GPU
  // Berth draws without WebKit's compositing (src-tauri/src/rendering.rs), so check that the window
  // is painted and is painted again when the screen changes.
  it("paints its window on the X server and repaints it when the screen changes", async () => {
    const summary = (screen) => {
      const counts = new Map();
      for (let y = 0; y < screen.height; y += 2) {
        for (let x = 0; x < screen.width; x += 2) {
          const c = screen.rgb(x, y);
          counts.set(c, (counts.get(c) ?? 0) + 1);
        }
      }
      return { screen, colours: counts.size, top: Math.max(...counts.values()) / [...counts.values()].reduce((a, b) => a + b) };
    };
    const services = summary(captureScreen());
    // a blank or unpainted window is one or two colours; the Services screen has text, badges, sparklines
    assert.ok(services.colours >= 40, `the window shows only ${services.colours} colours`);
    assert.ok(services.top < 0.9, `one colour covers ${(services.top * 100).toFixed(0)} % of the screen`);

    await browser.$("nav a[href='#/catalog']").click();
    await (await browser.$("h1=Catalog")).waitForDisplayed({ timeout: 30_000 });
    let changed = 0;
    await browser.waitUntil(
      () => {
        const now = captureScreen();
        changed = 0;
        for (let y = 0; y < now.height; y += 2) {
          for (let x = 0; x < now.width; x += 2) if (now.rgb(x, y) !== services.screen.rgb(x, y)) changed += 1;
        }
        return changed / ((now.width * now.height) / 4) > 0.02;
      },
      { timeout: 10_000, interval: 200, timeoutMsg: `the window did not repaint for Catalog (${changed} sampled pixels changed)` },
    );
    await browser.$("nav a[href='#/services']").click();
    await (await browser.$("h1=Services")).waitForDisplayed({ timeout: 30_000 });
  });

  it("stops it in one click: 0 replicas in the cluster, volumes kept", async () => {
    await browser.$(`${ROW} button[data-action="stop"]`).click();
    await waitForHealth("stopped");
    assert.equal(kubectl("get", "statefulset", NAME, "-o", "jsonpath={.spec.replicas}"), "0");
    const pvcs = kubectl("get", "pvc", "-o", "name");
    assert.match(pvcs, new RegExp(`persistentvolumeclaim/.*${NAME}-0`), `PVCs after stop: ${pvcs}`);
    // the tray lists the finished stop
    await browser.$('[data-testid="task-tray"]').click();
    const task = await browser.$("li.task");
    await task.waitForDisplayed({ timeout: 10_000 });
    assert.match(await task.getText(), new RegExp(`Stop ${NAME} in ${CONTEXT}/${NAMESPACE}`));
    assert.equal(await task.getAttribute("data-state"), "succeeded");
    await browser.keys("Escape");
  });

  it("starts it again: replicas back, Ready", async () => {
    await browser.$(`${ROW} button[data-action="start"]`).click();
    await waitForHealth("ready");
    assert.equal(kubectl("get", "statefulset", NAME, "-o", "jsonpath={.spec.replicas}"), "1");
  });

  it("shows the instance page with its pod and its history", async () => {
    await browser.$(`${ROW} a.instance-row__name`).click();
    const pod = await browser.$(`tr[data-pod="${NAME}-0"]`);
    await pod.waitForDisplayed({ timeout: 20_000 });
    assert.match(await pod.getText(), /Running/);
    await browser.$("nav[aria-label='Instance sections'] a[href$='/history']").click();
    const timeline = await browser.$("ol.timeline");
    await timeline.waitForDisplayed({ timeout: 10_000 });
    const ops = await browser.$$("ol.timeline li[data-revision] .timeline__op");
    const names = [];
    for (const op of ops) names.push(await op.getText());
    assert.deepEqual(names.map((n) => n.toLowerCase()), ["start", "stop", "install"]);
  });
});
