// The real Berth desktop app, driven through tauri-driver + WebKitWebDriver, against kubesim:
// install PostgreSQL from the Catalog with 2 replicas and 2 Gi of storage, watch the operation
// succeed, and check through the Kubernetes API (kubectl) that the StatefulSet has 2 replicas and
// a 2Gi claim template. Then create a local cluster with a stand-in `kind` on the app's PATH and
// see its context appear. Started by scripts/desktop-e2e.sh (Xvfb, keyring session, loopback-only
// network). Environment: BERTH_DESKTOP_BIN, TAURI_DRIVER, KUBESIM, KUBECTL, E2E_OUT.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { remote } from "webdriverio";
import { closedPort, requiredEnv, saveScreenshot, scratchDir, startKubesim, startTauriDriver, writeKubeconfig } from "./fixtures.mjs";

const {
  BERTH_DESKTOP_BIN: binary,
  TAURI_DRIVER: tauriDriver,
  KUBESIM: kubesimBin,
  KUBECTL: kubectl,
  out,
} = requiredEnv("BERTH_DESKTOP_BIN", "TAURI_DRIVER", "KUBESIM", "KUBECTL");

const DRIVER_PORT = 4454;
let browser;
let driver;
let kubesim;
let config;

/** A stand-in `kind`: prints like kind and adds a context to the first kubeconfig file that
 * points at kubesim (its cluster and user entries, named onprem-lab, come from kubesim's file). */
const KIND = `#!/bin/sh
set -e
[ "$1 $2 $3" = "create cluster --name" ] || { echo "unexpected: $*" >&2; exit 2; }
echo "Creating cluster \\"$4\\" ..."
echo " ✓ Preparing nodes" >&2
"${kubectl}" config --kubeconfig "\${KUBECONFIG%%:*}" set-context "kind-$4" --cluster=onprem-lab --user=onprem-lab --namespace=default >/dev/null
echo "Set kubectl context to \\"kind-$4\\""
`;

const go = (hash) => browser.execute((h) => (window.location.hash = h), hash);

function kube(...args) {
  return JSON.parse(execFileSync(kubectl, ["--kubeconfig", kubesim.kubeconfig, ...args, "-o", "json"], { encoding: "utf8" }));
}

describe("Berth desktop: install from the Catalog, create a local cluster", () => {
  before(async () => {
    mkdirSync(out, { recursive: true });
    const tmp = scratchDir("berth-desktop-install-");
    kubesim = await startKubesim({ binary: kubesimBin, dir: tmp, context: "onprem-lab", logFile: path.join(out, "kubesim-install.log") });
    config = path.join(tmp, "kube", "config");
    writeKubeconfig(config, { refusedPort: await closedPort() });
    const bin = path.join(tmp, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "kind"), KIND);
    chmodSync(path.join(bin, "kind"), 0o755);
    driver = await startTauriDriver({
      binary: tauriDriver,
      port: DRIVER_PORT,
      nativePort: DRIVER_PORT + 1,
      logFile: path.join(out, "tauri-driver-install.log"),
      env: {
        BERTH_HOME: path.join(tmp, "berth-home"),
        KUBECONFIG: `${config}:${kubesim.kubeconfig}`,
        PATH: `${bin}:${process.env.PATH}`,
        RUST_LOG: "info",
      },
    });
    browser = await remote({
      hostname: "127.0.0.1",
      port: DRIVER_PORT,
      logLevel: "warn",
      connectionRetryTimeout: 60_000,
      capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: binary } },
    });
    await (await browser.$("h1")).waitForDisplayed({ timeout: 30_000 });
  });

  after(async () => {
    if (browser) await browser.deleteSession().catch(() => {});
    if (driver) driver.kill("SIGTERM");
    if (kubesim) await kubesim.stop();
  });

  it("lists PostgreSQL in the Catalog and renders its README", async () => {
    await go("#/catalog");
    const card = await browser.$('li[data-service="postgres"] a');
    await card.waitForDisplayed({ timeout: 20_000 });
    await card.click();
    const readme = await browser.$('article[aria-label="README"] h2');
    await readme.waitForDisplayed({ timeout: 20_000 });
  });

  it("installs PostgreSQL with 2 replicas and 2 Gi of storage", async () => {
    await go("#/catalog/postgres/install");
    const section = await browser.$('[data-section="Redundancy"]');
    await section.waitForDisplayed({ timeout: 30_000 });
    await (await browser.$('select[aria-label="Context"]')).selectByAttribute("value", "onprem-lab");
    const name = await browser.$('input[aria-label="Instance name"]');
    await name.setValue("pg-e2e");
    await (await browser.$('button[aria-label="More replicas"]')).click();
    assert.equal(await (await browser.$('input[aria-label="Replicas"]')).getValue(), "2");
    const size = await browser.$('input[aria-label="Size"]');
    await size.setValue("2");
    assert.equal(await (await browser.$('select[aria-label="Size unit"]')).getValue(), "Gi");
    // the storage classes come from kubesim
    await browser.waitUntil(async () => (await browser.$$('select[aria-label="Storage class"] option').length) >= 2, {
      timeout: 20_000,
      timeoutMsg: "no storage classes from the cluster",
    });
    const install = await browser.$(".form-actions .button--primary");
    await browser.waitUntil(() => install.isEnabled(), { timeout: 10_000, timeoutMsg: "the form stayed invalid" });
    await install.click();
    const done = await browser.$('[data-testid="install-progress"] .steps[data-state="succeeded"]');
    await done.waitForExist({ timeout: 180_000, timeoutMsg: "the install did not succeed" });
    await saveScreenshot(browser, path.join(out, "install-succeeded.png"));

    const sts = kube("get", "statefulset", "pg-e2e", "-n", "default");
    assert.equal(sts.spec.replicas, 2);
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "2Gi");
  });

  it("creates a local cluster with kind from PATH, streaming its output", async () => {
    await go("#/contexts");
    const open = await browser.$("button=Create local cluster");
    await open.waitForDisplayed({ timeout: 20_000 });
    await open.click();
    const panel = await browser.$('[data-testid="create-cluster"]');
    await (await panel.$("input.input")).setValue("demo");
    await (await panel.$("button[type=submit]")).click();
    await (await browser.$('[data-testid="cluster-created"]')).waitForDisplayed({ timeout: 30_000 });
    const output = await (await browser.$('[data-testid="cluster-output"]')).getText();
    assert.match(output, /Creating cluster "demo"/);
    assert.match(output, /Preparing nodes/);
    await (await browser.$('li[data-context="kind-demo"]')).waitForDisplayed({ timeout: 20_000 });
  });
});
