#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Berth needs. Usage: scripts/system-deps.sh [build|test]
#   build: what building and running the desktop app needs (WebKitGTK, GTK, OpenSSL headers...)
#   test:  build + what the test suite needs (Xvfb, WebKitWebDriver, gnome-keyring, Chromium,
#          the real database servers tests/realdb starts, the compressors a stream uses, the
#          busybox a shell-less image gets its tools from...)
# Packages already present are skipped; uses sudo when not root.
set -euo pipefail
mode=${1:-build}
build_pkgs=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libgtk-3-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev libsoup-3.0-dev libdbus-1-dev nodejs npm unzip)
test_pkgs=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools chromium
  fonts-dejavu-core python3-pip python3-venv iproute2 x11-apps
  postgresql mariadb-server redis-server etcd-server etcd-client memcached nats-server rabbitmq-server
  prometheus zstd gzip busybox)
pkgs=("${build_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  # node/npm may come from elsewhere (nvm, nodesource): a working binary is enough.
  case $p in nodejs) command -v node >/dev/null && continue;; npm) command -v npm >/dev/null && continue;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# python3-venv is only needed where python3 is Debian's own (pyenv and others bring venv along).
if printf '%s\n' "${missing[@]}" | grep -qx python3-venv && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
else
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "system packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The UI toolchain (Vite 7, Vitest 4) needs Node.js 20.19 or newer; Debian 12 and Ubuntu 24.04
# ship 18. Say so plainly instead of failing later inside npm.
node_version=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "error: Node.js $node_version is too old: Berth's UI needs Node.js 20.19 or newer." >&2
  echo "       Install a current Node.js (for example from https://github.com/nodesource/distributions or with nvm), then run this again." >&2
  exit 1
fi
