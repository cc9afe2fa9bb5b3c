#!/usr/bin/env bash
# Desktop end-to-end suite: builds the real app (debug, UI embedded), then drives it with
# tauri-driver + WebKitWebDriver (WebdriverIO 9, node:test) under Xvfb, inside a D-Bus session
# with a real gnome-keyring (scripts/with-keyring.sh) and inside a fresh network namespace that
# has only loopback, so the app's cluster probes cannot leave the machine (the test's
# `prod.invalid` context fails name resolution locally). BERTH_HOME and KUBECONFIG point at
# temporary files; the reachable context is served by kubesim on loopback. services.test.mjs
# installs an instance with the `berth` CLI first and checks Stop/Start through kubectl;
# instance.test.mjs does the same, then Logs (lines seeded through kubesim's admin endpoint),
# Metrics, Configure with a diff, rollback and uninstall, checked through kubectl; transfer.test.mjs
# moves postgres with its data between two kubesim clusters bound to two real PostgreSQL servers
# (tests/realdb's realdb-server) through the Move wizard, checked on the servers and through kubectl.
# Output (driver and kubesim logs, screenshots per step) goes to target/desktop-e2e/.
# Needs: scripts/system-deps.sh test, scripts/tools.sh (tauri-driver).
# Usage: scripts/desktop-e2e.sh [SUITE.test.mjs...]   (default: every suite, in the order below)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n--> desktop-e2e: %s\n' "$*"; }

if [ "${1:-}" != "--inside" ]; then
  tauri_driver=$root/.tools/bin/tauri-driver
  [ -x "$tauri_driver" ] || { echo "tauri-driver missing: run scripts/tools.sh" >&2; exit 1; }
  [ -x .tools/bin/kubectl ] || { echo "kubectl missing: run scripts/tools.sh" >&2; exit 1; }
  for tool in xvfb-run xwd /usr/bin/WebKitWebDriver dbus-run-session gnome-keyring-daemon unshare ip; do
    command -v "$tool" >/dev/null || { echo "$tool missing: run scripts/system-deps.sh test" >&2; exit 1; }
  done

  step "UI build"
  [ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  (cd ui && npx vite build --logLevel warn)

  step "app build (debug, UI embedded) and kubesim"
  # The whole workspace's binaries with the features the test suite uses. `--tests` makes Cargo
  # unify dependency features as `cargo test` does (dev-dependencies included), so that after
  # `cargo test` this builds nothing again; `--bins` alone would rebuild serde, syn and their dependents.
  cargo build --workspace --bins --tests --locked --features berth-desktop/custom-protocol -j "${CARGO_BUILD_JOBS:-2}"

  step "WebdriverIO packages"
  (cd tests/e2e/desktop && npm ci --no-audit --no-fund --loglevel=error)

  out=$root/target/desktop-e2e
  rm -rf "$out" && mkdir -p "$out"
  export BERTH_DESKTOP_BIN=$root/target/debug/berth-desktop KUBESIM=$root/target/debug/kubesim \
    BERTH_CLI_BIN=$root/target/debug/berth KUBECTL=$root/.tools/bin/kubectl \
    REALDB_SERVER=$root/target/debug/realdb-server \
    TAURI_DRIVER=$tauri_driver E2E_OUT=$out
  step "run (Xvfb, keyring session, loopback-only network)"
  # Root gets a plain network namespace; other users a user namespace mapped to root.
  if [ "$(id -u)" -eq 0 ]; then ns=(unshare --net); else ns=(unshare --net --map-root-user); fi
  status=0
  timeout --kill-after=10 900 "${ns[@]}" -- "$0" --inside "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "desktop-e2e failed ($status); tauri-driver log:" >&2
    tail -n 60 "$out/tauri-driver.log" >&2 || true
  fi
  exit "$status"
fi

# Inside the network namespace: bring loopback up, then Xvfb, then the keyring session.
ip link set lo up
cd tests/e2e/desktop
shift
suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=(contexts.test.mjs services.test.mjs install.test.mjs instance.test.mjs transfer.test.mjs)
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" \
  "$root/scripts/with-keyring.sh" node --test --test-concurrency=1 --test-reporter=spec "${suites[@]}"
