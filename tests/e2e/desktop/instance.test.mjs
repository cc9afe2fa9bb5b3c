// The real Berth desktop app against kubesim, on the Instance page of a Postgres installed
// beforehand with the `berth` CLI: the Logs tab shows lines the container wrote (seeded through
// kubesim's admin endpoint `POST /kubesim/v1/logs`) and, while following, a line written later
// (the Tauri `Channel` log stream); the Metrics tab plots CPU and memory per pod with uPlot
// (kubesim serves metrics.k8s.io); Configure shows the diff against what is live, then applies
// 2 replicas; History rolls back to revision 1; Settings uninstalls keeping the data (typed
// confirmation). Every change is checked through the Kubernetes API with kubectl, and a
// screenshot per step lands in E2E_OUT.
// Started by scripts/desktop-e2e.sh (Xvfb, a keyring session, loopback-only network).
// Environment: BERTH_DESKTOP_BIN, BERTH_CLI_BIN, TAURI_DRIVER, KUBESIM, KUBECTL, E2E_OUT.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { remote } from "webdriverio";
import { requiredEnv, saveScreenshot, scratchDir, startKubesim, startTauriDriver } from "./fixtures.mjs";

const {
  BERTH_DESKTOP_BIN: binary,
  BERTH_CLI_BIN: cli,
  TAURI_DRIVER: tauriDriver,
  KUBESIM: kubesimBin,
  KUBECTL: kubectlBin,
  out,
} = requiredEnv("BERTH_DESKTOP_BIN", "BERTH_CLI_BIN", "TAURI_DRIVER", "KUBESIM", "KUBECTL");

const DRIVER_PORT = 4458;
const CONTEXT = "kubesim-instance";
const NAMESPACE = "e2e";
const NAME = "pg";
const PAGE = `#/instances/${CONTEXT}/${NAMESPACE}/${NAME}`;

let browser;
let driver;
let kubesim;
let tmp;

function kubectl(...args) {
  return execFileSync(kubectlBin, ["--kubeconfig", kubesim.kubeconfig, "--context", CONTEXT, "-n", NAMESPACE, ...args], {
    encoding: "utf8",
  }).trim();
}

/** Appends lines to the postgres container's log of `pod`, as the container would write them. */
function writeLog(pod, ...lines) {
  const body = path.join(tmp, "log-lines.json");
  writeFileSync(body, JSON.stringify({ namespace: NAMESPACE, pod, container: "postgres", lines }));
  kubectl("create", "--raw", "/kubesim/v1/logs", "-f", body);
}

const go = (hash) => browser.execute((h) => (window.location.hash = h), hash);
const shot = (name) => saveScreenshot(browser, path.join(out, `instance-${name}.png`));

/** The text of the log view's rendered rows (the list is virtualised: only rows on screen). */
async function logText() {
  const view = await browser.$('[data-testid="log-view"]');
  return (await view.isExisting()) ? view.getText() : "";
}

async function statefulSetReplicas() {
  return kubectl("get", "statefulset", NAME, "-o", "jsonpath={.spec.replicas}");
}

/** Waits for the operation panel in `scope` to end, and asserts it succeeded. */
async function waitForOperation(scope, what, timeout = 120_000) {
  const steps = await browser.$(`${scope} .steps[data-operation]`);
  await steps.waitForExist({ timeout: 20_000, timeoutMsg: `${what}: no progress panel` });
  await browser.waitUntil(async () => (await steps.getAttribute("data-state")) !== "running", {
    timeout,
    interval: 250,
    timeoutMsg: `${what} did not finish`,
  });
  const state = await steps.getAttribute("data-state");
  assert.equal(state, "succeeded", `${what} ended ${state}: ${await browser.$(scope).getText()}`);
}

describe("Berth desktop: the Instance page (logs, metrics, configure, roll back, uninstall)", () => {
  before(async () => {
    mkdirSync(out, { recursive: true });
    tmp = scratchDir("berth-desktop-instance-");
    kubesim = await startKubesim({ binary: kubesimBin, dir: tmp, context: CONTEXT, logFile: path.join(out, "kubesim-instance.log") });
    const env = { BERTH_HOME: path.join(tmp, "berth-home"), KUBECONFIG: kubesim.kubeconfig, RUST_LOG: "info" };
    execFileSync(cli, ["install", "postgres", "--name", NAME, "--namespace", NAMESPACE, "--create-namespace", "--context", CONTEXT], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 180_000,
    });
    assert.equal(await statefulSetReplicas(), "1");
    driver = await startTauriDriver({
      binary: tauriDriver,
      port: DRIVER_PORT,
      nativePort: DRIVER_PORT + 1,
      logFile: path.join(out, "tauri-driver-instance.log"),
      env,
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

  it("streams the logs: lines already written, then a line written while following", async () => {
    writeLog(`${NAME}-0`, "LOG seed line one", "ERROR seed line two");
    await go(`${PAGE}/logs`);
    await browser.waitUntil(async () => (await logText()).includes("seed line two"), {
      timeout: 30_000,
      interval: 250,
      timeoutMsg: `the seeded lines did not show; the log view had: ${await logText()}`,
    });
    const text = await logText();
    assert.match(text, /seed line one/);
    // the kubelet's own startup line comes first, with the pod as prefix
    assert.match(text, /started from image/);
    assert.match(text, new RegExp(`${NAME}-0`));
    const status = await browser.$('[data-testid="logs-status"]');
    await browser.waitUntil(async () => (await status.getText()) === "Live", { timeout: 10_000, timeoutMsg: "the stream is not Live" });
    await shot("logs");

    writeLog(`${NAME}-0`, "LOG appended while following");
    await browser.waitUntil(async () => (await logText()).includes("appended while following"), {
      timeout: 20_000,
      interval: 250,
      timeoutMsg: `the line written later did not arrive; the log view had: ${await logText()}`,
    });
    assert.match(await browser.$('[data-testid="logs-count"]').getText(), /^\d+ lines$/);
    assert.equal(await status.getText(), "Live");
    await shot("logs-followed");
  });

  it("plots CPU and memory per pod from metrics.k8s.io", async () => {
    await browser.$("nav[aria-label='Instance sections'] a[href$='/metrics']").click();
    const table = await browser.$('[data-testid="metrics-table"]');
    await table.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no metrics table" });
    const cells = [];
    for (const td of await table.$$("tbody tr td")) cells.push(await td.getText());
    // pod, CPU, its request / limit, memory, its request / limit
    assert.equal(cells.length, 5, `one pod row expected: ${cells}`);
    assert.equal(cells[0], `${NAME}-0`);
    assert.match(cells[1], /^\d+ m$/);
    assert.match(cells[3], /^[\d,]+ MiB$/);
    // the request and limit columns show what the pod spec asks for, read through kubectl
    const spec = JSON.parse(kubectl("get", "pod", `${NAME}-0`, "-o", "jsonpath={.spec.containers[0].resources}"));
    const milli = (q) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const mib = (q) => Number(q.replace(/Mi$/, "").replace(/Gi$/, "")) * (q.endsWith("Gi") ? 1024 : 1);
    const mibText = (n) => `${n.toLocaleString("en-US")} MiB`;
    assert.equal(cells[2], `${milli(spec.requests.cpu)} m / ${milli(spec.limits.cpu)} m`);
    assert.equal(cells[4], `${mibText(mib(spec.requests.memory))} / ${mibText(mib(spec.limits.memory))}`);
    // two uPlot charts (CPU, memory), each a drawn canvas with the pod as series in its legend
    const charts = await browser.$$(".chart");
    assert.equal(charts.length, 2);
    for (const chart of charts) {
      const canvas = await chart.$(".uplot canvas");
      await canvas.waitForExist({ timeout: 10_000 });
      const size = await canvas.getSize();
      assert.ok(size.width >= 300 && size.height > 50, `canvas size ${JSON.stringify(size)}`);
      assert.match(await chart.$(".u-legend").getText(), new RegExp(`${NAME}-0`));
    }
    const captions = [];
    for (const chart of charts) captions.push(await chart.$("figcaption").getText());
    assert.deepEqual(captions, ["CPU (millicores)", "Memory (MiB)"]);
    // the canvas has drawn pixels: not a blank bitmap
    const drawn = await browser.execute(() => {
      const c = document.querySelector(".chart .uplot canvas");
      const ctx = c.getContext("2d");
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) n += 1;
      return n;
    });
    assert.ok(drawn > 100, `only ${drawn} drawn pixels on the CPU chart`);
    await shot("metrics");
  });

  it("reconfigures to 2 replicas after a Preview of the diff against what is live", async () => {
    await browser.$("nav[aria-label='Instance sections'] a[href$='/settings']").click();
    const reconfigure = await browser.$("a=Reconfigure…");
    await reconfigure.waitForDisplayed({ timeout: 20_000 });
    await reconfigure.click();
    const more = await browser.$('button[aria-label="More replicas"]');
    await more.waitForDisplayed({ timeout: 30_000 });
    await more.click();
    assert.equal(await browser.$('input[aria-label="Replicas"]').getValue(), "2");
    await browser.$('//button[@role="tab"][contains(., "Preview changes")]').click();
    const diff = await browser.$('[data-testid="diff"]');
    await diff.waitForDisplayed({ timeout: 30_000, timeoutMsg: "no diff against what is live" });
    const sts = await browser.$(`[data-testid="diff"] li[data-object*="StatefulSet"]`);
    assert.ok(await sts.isExisting(), `the diff does not name the StatefulSet: ${await diff.getText()}`);
    assert.match(await sts.getText(), /replicas/);
    await shot("configure-diff");
    // nothing applied by the preview
    assert.equal(await statefulSetReplicas(), "1");

    await browser.$("button=Apply changes").click();
    await waitForOperation('[data-testid="configure-progress"]', "the reconfigure");
    assert.equal(await statefulSetReplicas(), "2");
    await shot("configure-applied");
  });

  it("rolls back to revision 1: 1 replica again, recorded as a new revision", async () => {
    await go(`${PAGE}/history`);
    const button = await browser.$('button[aria-label="Roll back to revision 1"]');
    await button.waitForDisplayed({ timeout: 20_000 });
    const before = await browser.$$("ol.timeline li[data-revision]").length;
    await button.click();
    const dialog = await browser.$('[role="dialog"]');
    await dialog.waitForDisplayed({ timeout: 10_000 });
    assert.match(await dialog.getText(), /replicas/);
    await shot("rollback-confirm");
    await dialog.$("button=Roll back").click();
    await waitForOperation('[aria-label="Rollback progress"]', "the rollback");
    assert.equal(await statefulSetReplicas(), "1");
    await browser.waitUntil(async () => (await browser.$$("ol.timeline li[data-revision]").length) === before + 1, {
      timeout: 20_000,
      timeoutMsg: "no new revision in the timeline",
    });
    const newest = await browser.$("ol.timeline li[data-revision]");
    assert.equal(await newest.getAttribute("data-revision"), String(before + 1));
    assert.match((await newest.$(".timeline__op").getText()).toLowerCase(), /rollback/);
    assert.equal(
      kubectl("get", "configmap", `berth-${NAME}`, "-o", "jsonpath={.metadata.annotations.berth\\.dev/revision}"),
      String(before + 1),
    );
    await shot("rollback-done");
  });

  it("uninstalls keeping the data after typing the name: workloads gone, PVCs kept", async () => {
    await browser.$("nav[aria-label='Instance sections'] a[href$='/settings']").click();
    const uninstall = await browser.$(`button*=Uninstall ${NAME}`);
    await uninstall.waitForDisplayed({ timeout: 20_000 });
    await uninstall.click();
    const dialog = await browser.$('[role="dialog"]');
    await dialog.waitForDisplayed({ timeout: 10_000 });
    const confirm = await dialog.$("button=Uninstall");
    assert.equal(await confirm.isEnabled(), false, "Uninstall is enabled before the name is typed");
    await dialog.$("input").setValue(NAME);
    await browser.waitUntil(() => confirm.isEnabled(), { timeout: 5_000, timeoutMsg: "typing the name did not enable Uninstall" });
    await shot("uninstall-confirm");
    await confirm.click();
    const done = await browser.$("h2=Uninstalled");
    await done.waitForDisplayed({ timeout: 120_000, timeoutMsg: "the uninstall did not finish" });
    await shot("uninstall-done");

    assert.equal(kubectl("get", "statefulset,service,configmap", "-l", `app.kubernetes.io/instance=${NAME}`, "-o", "name"), "");
    const pvcs = kubectl("get", "pvc", "-o", "name");
    assert.match(pvcs, new RegExp(`persistentvolumeclaim/.*${NAME}-0`), `PVCs after uninstall: ${pvcs}`);

    await browser.$("button=Back to Services").click();
    const heading = await browser.$("h1=Services");
    await heading.waitForDisplayed({ timeout: 20_000 });
    await browser.waitUntil(async () => !(await browser.$(`li[data-instance="${CONTEXT}/${NAMESPACE}/${NAME}"]`).isExisting()), {
      timeout: 30_000,
      timeoutMsg: `${NAME} is still listed on Services`,
    });
    await shot("uninstall-services");
  });
});
