#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Berth needs. Usage: scripts/system-deps.sh [build|test]
#   build: what building and running the desktop app needs (WebKitGTK, GTK, OpenSSL headers...)
#   test:  build + what the test suite needs (Xvfb, WebKitWebDriver, gnome-keyring, Chromium...)
# Packages already present are skipped; uses sudo when not root.
set -euo pipefail
mode=${1:-build}
build_pkgs=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libgtk-3-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev libxdo-dev libsoup-3.0-dev libdbus-1-dev nodejs npm unzip)
test_pkgs=(xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools chromium
  fonts-dejavu-core python3-pip iproute2)
pkgs=("${build_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  # node/npm may come from elsewhere (nvm, nodesource): a working binary is enough.
  case $p in nodejs) command -v node >/dev/null && continue;; npm) command -v npm >/dev/null && continue;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
