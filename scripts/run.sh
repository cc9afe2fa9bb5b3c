#!/usr/bin/env bash
# Builds and launches the Berth desktop app on Debian/Ubuntu, installing whatever is missing:
# system packages (apt, with sudo when not root), the Rust toolchain (rustup) when there is no
# cargo, the UI's npm packages, then a release build of the app and of the `berth` CLI.
# Usage: scripts/run.sh [--no-launch]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { printf '\n==> %s\n' "$*"; }

step "system packages"
scripts/system-deps.sh build

if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] || {
    step "Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  }
  export PATH=$HOME/.cargo/bin:$PATH
fi

step "UI packages and build"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npx vite build --logLevel warn)

step "release build (app and CLI; the first build takes a while)"
cargo build --release --locked -p berth-desktop --features custom-protocol
cargo build --release --locked -p berth-cli

echo
echo "Built: target/release/berth-desktop (the app) and target/release/berth (the CLI)."
[ "${1:-}" = "--no-launch" ] && exit 0
step "launching Berth"
exec target/release/berth-desktop
