// The real Berth desktop app moves a database with its data between two clusters: two kubesim
// processes (two contexts merged through KUBECONFIG) whose postgres pods are bound to two real
// PostgreSQL servers (realdb-server, from tests/realdb), the first seeded; postgres installed
// beforehand on the first cluster with the `berth` CLI. The wizard plans the move against both
// API servers (the plan says how much data it copies), runs it with live steps; the target
// server then holds exactly the seeded data (content digests), the target's StatefulSet and
// record are checked through kubectl on the second cluster and the source's StatefulSet is
// scaled to zero on the first; the Transfers view lists the move as succeeded.
// Started by scripts/desktop-e2e.sh. Environment: BERTH_DESKTOP_BIN, BERTH_CLI_BIN, TAURI_DRIVER,
// KUBESIM, KUBECTL, REALDB_SERVER, E2E_OUT.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { remote } from "webdriverio";
import { requiredEnv, saveScreenshot, scratchDir, startKubesim, startPostgres, startTauriDriver } from "./fixtures.mjs";

const {
  BERTH_DESKTOP_BIN: binary,
  BERTH_CLI_BIN: cli,
  TAURI_DRIVER: tauriDriver,
  KUBESIM: kubesimBin,
  KUBECTL: kubectlBin,
  REALDB_SERVER: realdbServer,
  out,
} = requiredEnv("BERTH_DESKTOP_BIN", "BERTH_CLI_BIN", "TAURI_DRIVER", "KUBESIM", "KUBECTL", "REALDB_SERVER");

const DRIVER_PORT = 4456;
const SOURCE = "kubesim-source";
const TARGET = "kubesim-target";
const NAMESPACE = "e2e";
const NAME = "pg";
/** Rows seeded into the source server: a few MiB of dump, a stream of a second or two. */
const SEED_ROWS = 20_000;

let browser;
let driver;
let source;
let target;
let sourceDb;
let targetDb;
let env;

function kubectl(cluster, context, ...args) {
  return execFileSync(kubectlBin, ["--kubeconfig", cluster.kubeconfig, "--context", context, "-n", NAMESPACE, ...args], {
    encoding: "utf8",
  }).trim();
}

const go = (hash) => browser.execute((h) => (window.location.hash = h), hash);
const shot = (name) => saveScreenshot(browser, path.join(out, `transfer-${name}.png`));

describe("Berth desktop: move an instance to another cluster", () => {
  before(async () => {
    mkdirSync(out, { recursive: true });
    const tmp = scratchDir("berth-desktop-transfer-");
    mkdirSync(path.join(tmp, "a"));
    mkdirSync(path.join(tmp, "b"));
    const selector = `app.kubernetes.io/instance=${NAME}`;
    const database = (seed, side) =>
      startPostgres({ binary: realdbServer, namespace: NAMESPACE, selector, seed, logFile: path.join(out, `realdb-transfer-${side}.log`) });
    sourceDb = await database(SEED_ROWS, "source");
    targetDb = await database(0, "target");
    assert.notEqual(await targetDb.digest(), sourceDb.seeded, "the target starts without the data");
    source = await startKubesim({
      binary: kubesimBin,
      dir: path.join(tmp, "a"),
      context: SOURCE,
      logFile: path.join(out, "kubesim-transfer-source.log"),
      config: { backends: [sourceDb.backend] },
    });
    target = await startKubesim({
      binary: kubesimBin,
      dir: path.join(tmp, "b"),
      context: TARGET,
      logFile: path.join(out, "kubesim-transfer-target.log"),
      config: { backends: [targetDb.backend] },
    });
    env = { BERTH_HOME: path.join(tmp, "berth-home"), KUBECONFIG: `${source.kubeconfig}:${target.kubeconfig}`, RUST_LOG: "info" };
    execFileSync(cli, ["install", "postgres", "--name", NAME, "--namespace", NAMESPACE, "--create-namespace", "--context", SOURCE], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 180_000,
    });
    assert.equal(kubectl(source, SOURCE, "get", "statefulset", NAME, "-o", "jsonpath={.spec.replicas}"), "1");
    driver = await startTauriDriver({
      binary: tauriDriver,
      port: DRIVER_PORT,
      nativePort: DRIVER_PORT + 1,
      logFile: path.join(out, "tauri-driver-transfer.log"),
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
    if (source) await source.stop();
    if (target) await target.stop();
    if (sourceDb) await sourceDb.stop();
    if (targetDb) await targetDb.stop();
  });

  it("plans the move against both clusters", async () => {
    await (await browser.$("h1")).waitForDisplayed({ timeout: 30_000 });
    await go(`/instances/${SOURCE}/${NAMESPACE}/${NAME}`);
    const move = await browser.$("a=Move…");
    await move.waitForDisplayed({ timeout: 30_000 });
    await move.click();
    await (await browser.$(`h1=Move ${NAME}`)).waitForDisplayed({ timeout: 30_000 });
    const option = await browser.$(`option[value="${TARGET}"]`);
    await browser.waitUntil(() => option.isEnabled(), { timeout: 30_000, timeoutMsg: `${TARGET} was not offered as a reachable target` });
    await (await browser.$('select[aria-label="Target context"]')).selectByAttribute("value", TARGET);
    assert.equal(await (await browser.$('input[aria-label="Target namespace"]')).getValue(), NAMESPACE);
    await (await browser.$(".transfer-form input[type=checkbox]")).click();
    await (await browser.$("button=Check the plan")).click();
    const plan = await browser.$('section[aria-label="Plan"]');
    await plan.waitForDisplayed({ timeout: 60_000 });
    const levels = await browser.execute(() =>
      [...document.querySelectorAll("[data-check]")].map((c) => `${c.getAttribute("data-check")}: ${c.getAttribute("data-level")}`),
    );
    assert.ok(levels.length >= 3, `the plan has ${levels.length} checks`);
    assert.ok(!levels.some((l) => /problem|badInput/.test(l)), `the plan has problems: ${levels.join("; ")}`);
    assert.equal(await plan.getAttribute("data-can-confirm"), "true");
    assert.match(await (await browser.$('[data-testid="plan-data"]')).getText(), /\d+(\.\d+)? [KMG]i?B/);
    await shot("plan");
  });

  it("moves it with live steps, and the target runs it while the source is stopped", async () => {
    await (await browser.$('section[aria-label="Plan"] button.button--primary')).click();
    const progress = await browser.$('section[aria-label="Progress"]');
    await progress.waitForDisplayed({ timeout: 30_000 });
    await browser.waitUntil(async () => ["succeeded", "failed", "aborted"].includes(await progress.getAttribute("data-phase")), {
      timeout: 240_000,
      interval: 500,
      timeoutMsg: "the move did not finish",
    });
    await shot("done");
    assert.equal(await progress.getAttribute("data-phase"), "succeeded", await progress.getText());
    assert.match(await progress.getText(), new RegExp(`${NAME} now runs in ${TARGET} / ${NAMESPACE}`));
    assert.equal(await targetDb.digest(), sourceDb.seeded, "every row on the target's real server");
    assert.equal(await sourceDb.digest(), sourceDb.seeded, "the source keeps its data");
    assert.equal(kubectl(target, TARGET, "get", "statefulset", NAME, "-o", "jsonpath={.spec.replicas}"), "1");
    assert.equal(kubectl(target, TARGET, "get", "configmap", `berth-${NAME}`, "-o", "name"), `configmap/berth-${NAME}`);
    assert.equal(kubectl(source, SOURCE, "get", "statefulset", NAME, "-o", "jsonpath={.spec.replicas}"), "0");
  });

  it("lists the move in History's Transfers view", async () => {
    await go("/history/transfers");
    const row = await browser.$("tr[data-transfer]");
    await row.waitForDisplayed({ timeout: 30_000 });
    assert.equal(await row.getAttribute("data-status"), "succeeded");
    assert.match(await row.getText(), new RegExp(`${SOURCE}/${NAMESPACE}/${NAME} → ${TARGET}/${NAMESPACE}/${NAME}`));
  });
});
