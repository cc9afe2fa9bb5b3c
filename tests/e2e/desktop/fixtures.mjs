// Test fixtures for the desktop suite: three kubeconfig contexts that only ever point at loopback
// (or at a name that cannot resolve), kubesim behind the reachable one, and tauri-driver.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** A fresh directory under the system's temp folder, removed when this test process exits. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The environment variables a suite needs (scripts/desktop-e2e.sh sets them), by name; fails the
 * suite at once, naming every missing one. `out` is where screenshots and logs go (`E2E_OUT`, else
 * `./output`).
 */
export function requiredEnv(...names) {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length) {
    throw new Error(`${missing.join(", ")} must be set (scripts/desktop-e2e.sh sets ${missing.length === 1 ? "it" : "them"})`);
  }
  const values = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  return { ...values, out: process.env.E2E_OUT ?? path.resolve("output") };
}

/** A loopback TCP port that nothing listens on (bound, then released). */
export async function closedPort() {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/**
 * Starts the `kubesim` binary (a Kubernetes API simulator, HTTPS on loopback), which writes its
 * own kubeconfig with one context named `context` once it serves. `config` (optional) is its
 * configuration (docs/kubesim.md), e.g. `{ backends: [...] }` binding pods to real servers.
 * Returns that file and a stop function.
 */
export async function startKubesim({ binary, dir, context, logFile, config }) {
  const kubeconfig = path.join(dir, "kubesim.yaml");
  const log = openSync(logFile, "a");
  const args = ["--listen", "127.0.0.1:0", "--kubeconfig", kubeconfig, "--context", context];
  if (config) {
    // JSON is YAML: kubesim reads it as its config file
    const file = path.join(dir, "kubesim-config.yaml");
    writeFileSync(file, JSON.stringify(config));
    args.push("--config", file);
  }
  const child = spawn(binary, args, { stdio: ["ignore", log, log] });
  const deadline = Date.now() + 20_000;
  while (!existsSync(kubeconfig)) {
    if (child.exitCode !== null) throw new Error(`kubesim exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`kubesim wrote no kubeconfig within 20 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    kubeconfig,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/**
 * Writes the kubeconfig with `kind-berth-e2e` (current) and `gke_acme_europe-west1_prod`; the
 * third context, `onprem-lab`, is in kubesim's own file, merged through KUBECONFIG as kubectl does.
 */
export function writeKubeconfig(file, { refusedPort }) {
  const yaml = `apiVersion: v1
kind: Config
current-context: kind-berth-e2e
clusters:
- name: kind-berth-e2e
  cluster:
    server: https://127.0.0.1:${refusedPort}
    insecure-skip-tls-verify: true
- name: gke_acme_europe-west1_prod
  cluster:
    server: https://prod.invalid
    insecure-skip-tls-verify: true
users:
- name: kind-berth-e2e
  user:
    token: e2e-token
- name: gke-user
  user:
    token: e2e-token
contexts:
- name: kind-berth-e2e
  context:
    cluster: kind-berth-e2e
    user: kind-berth-e2e
- name: gke_acme_europe-west1_prod
  context:
    cluster: gke_acme_europe-west1_prod
    user: gke-user
    namespace: shop
`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, yaml);
}

/** Waits until something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts tauri-driver (output to `logFile`) with the given extra environment for the app. */
export async function startTauriDriver({ binary, port, nativePort, logFile, env }) {
  const log = openSync(logFile, "a");
  const driver = spawn(binary, ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
  });
  await Promise.race([
    waitForPort(port, 20_000),
    once(driver, "exit").then(([code]) => {
      throw new Error(`tauri-driver exited early with code ${code}; see ${logFile}`);
    }),
  ]);
  return driver;
}

/**
 * Saves a WebDriver screenshot of the app's page to `file`.
 *
 * WebKitGTK takes it after the page's next presentation update. On a machine without a GPU render
 * node Berth draws without WebKit's compositing (src-tauri/src/rendering.rs), and there a page at
 * rest has no next update: the command would wait until the driver gives up. So a 1 px element,
 * invisible to the eye (alpha 1/255), changes colour a few times while the screenshot is asked
 * for, and is removed afterwards.
 */
export async function saveScreenshot(browser, file) {
  await browser.execute(() => {
    const dot = document.createElement("div");
    dot.id = "e2e-repaint";
    dot.style.cssText = "position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none";
    document.body.append(dot);
    let on = false;
    const flip = () => {
      on = !on;
      dot.style.background = on ? "rgba(0,0,0,0.004)" : "transparent";
    };
    window.__e2eRepaint = setInterval(flip, 50);
  });
  try {
    await browser.saveScreenshot(file);
  } finally {
    await browser.execute(() => {
      clearInterval(window.__e2eRepaint);
      document.getElementById("e2e-repaint")?.remove();
    });
  }
}

/**
 * What the X server shows: the root window captured with `xwd` (x11-apps), as
 * `{ width, height, rgb(x, y) }`. Unlike a WebDriver screenshot (WebKit paints the page for it),
 * this is what reached the app's window, i.e. what a user sees.
 */
export function captureScreen() {
  const data = execFileSync("xwd", ["-root", "-silent"], { maxBuffer: 64 * 1024 * 1024 });
  const field = (i) => data.readUInt32BE(i * 4);
  const [headerSize, format, width, height, byteOrder, bitsPerPixel, bytesPerLine, colours] = [
    field(0), field(2), field(4), field(5), field(7), field(11), field(12), field(19),
  ];
  const bytes = bitsPerPixel / 8;
  if (format !== 2 || (bytes !== 3 && bytes !== 4)) {
    throw new Error(`xwd gave format ${format} at ${bitsPerPixel} bits per pixel; expected a ZPixmap (2) at 24 or 32`);
  }
  const start = headerSize + colours * 12;
  const pixel = byteOrder === 0 ? (i) => data.readUIntLE(i, 3) : (i) => data.readUIntBE(i + bytes - 3, 3);
  return {
    width,
    height,
    rgb: (x, y) => pixel(start + y * bytesPerLine + x * bytes),
  };
}

/**
 * Starts a real PostgreSQL server through `realdb-server` (tests/realdb), seeded with about
 * `seed` rows. Returns the kubesim config backend that binds the pods `selector` selects in
 * `namespace` to it, the seeded content digest, `digest()` for the current one, and `stop()`.
 */
export async function startPostgres({ binary, namespace, selector, seed, logFile }) {
  const log = openSync(logFile, "a");
  const child = spawn(binary, ["postgres", "--namespace", namespace, "--selector", selector, "--seed", String(seed)], {
    stdio: ["pipe", "pipe", log],
  });
  const lines = [];
  const waiting = [];
  let buffered = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const nextLine = () =>
    new Promise((resolve, reject) => {
      if (lines.length) return resolve(lines.shift());
      const timer = setTimeout(() => reject(new Error(`realdb-server said nothing within 120 s; see ${logFile}`)), 120_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const first = await nextLine();
  return {
    backend: first.backend,
    seeded: first.digest,
    digest: async () => {
      child.stdin.write("digest\n");
      return (await nextLine()).digest;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.stdin.end();
      await once(child, "exit");
    },
  };
}
