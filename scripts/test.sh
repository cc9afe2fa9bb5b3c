#!/usr/bin/env bash
# Berth's whole test suite, as CI runs it (.ci/run calls this): installs what the tests need
# (Debian packages, reference clients, npm packages), then format and lint checks, the Rust tests
# (inside a private D-Bus session with a real gnome-keyring), the UI tests and the desktop
# end-to-end suite. Usage: scripts/test.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n==> %s  (%ds)\n' "$*" "$SECONDS"; }
trap 'printf "\n==> test.sh finished in %ds\n" "$SECONDS"' EXIT

step "dependencies"
scripts/system-deps.sh test
scripts/tools.sh
export PATH=$root/.tools/bin:$PATH

step "format"
cargo fmt --all --check

# The UI first: its build (ui/dist) is embedded by the desktop app's custom-protocol feature,
# which lint, tests and the end-to-end suite all build with, so the app compiles once.
step "ui tests"
scripts/ui-test.sh

features=(--features berth-desktop/custom-protocol)

step "lint"
cargo clippy --workspace --all-targets --locked "${features[@]}" -- -D warnings

step "catalog: embedded Kubernetes schemas match kubernetes-validate"
.tools/venv/bin/python scripts/k8s-schemas.py --check
# cross-check: the reference Python validator accepts every golden render (strict, oldest and newest)
for v in 1.33.0 1.37.0; do
  .tools/venv/bin/kubernetes-validate --strict --quiet -k "$v" catalog/*/testdata/*.expected.yaml
done

step "rust tests"
scripts/with-keyring.sh cargo test --workspace --locked "${features[@]}"

step "desktop end-to-end"
scripts/desktop-e2e.sh

step "package: build the .deb from the test build, install it, run it, remove it"
scripts/package.sh --debug
scripts/package-check.sh target/debug/bundle/deb/Berth_*.deb
