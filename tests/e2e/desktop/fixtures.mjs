// Test fixtures for the desktop suite: a kubeconfig of three contexts that only ever point at
// loopback (or at a name that cannot resolve), plus the loopback endpoints behind them.
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";

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

/** A throwaway CA and a server certificate for 127.0.0.1 it signed, made with openssl. */
function loopbackCert(dir) {
  const f = (name) => path.join(dir, name);
  const openssl = (...args) => execFileSync("openssl", args, { stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-days", "1", "-subj", "/CN=berth-e2e-ca", "-keyout", f("ca.key"), "-out", f("ca.crt"));
  openssl("req", ...ec, "-subj", "/CN=127.0.0.1", "-keyout", f("server.key"), "-out", f("server.csr"));
  writeFileSync(f("server.ext"), "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial",
    "-days", "1", "-extfile", f("server.ext"), "-out", f("server.crt"));
  return { key: readFileSync(f("server.key")), cert: readFileSync(f("server.crt")), ca: readFileSync(f("ca.crt")) };
}

/**
 * A loopback HTTPS server that rejects every request with 401, as an API server does for a bad
 * token. Returns its URL, the CA data for the kubeconfig, and a close function.
 */
export async function startUnauthorizedServer(dir) {
  const { key, cert, ca } = loopbackCert(dir);
  let requests = 0;
  const server = https.createServer({ key, cert }, (req, res) => {
    requests++;
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    caData: ca.toString("base64"),
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Writes the three-context kubeconfig; `kind-berth-e2e` is the current context. */
export function writeKubeconfig(file, { refusedPort, onprem }) {
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
- name: onprem-lab
  cluster:
    server: ${onprem.url}
    certificate-authority-data: ${onprem.caData}
users:
- name: kind-berth-e2e
  user:
    token: e2e-token
- name: gke-user
  user:
    token: e2e-token
- name: lab-admin
  user:
    token: not-a-valid-token
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
- name: onprem-lab
  context:
    cluster: onprem-lab
    user: lab-admin
    namespace: lab
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
  const { openSync } = await import("node:fs");
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
