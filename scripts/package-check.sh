#!/usr/bin/env bash
# Installs a freshly built .deb (scripts/package.sh) into this machine, checks that what it
# installed works on its own, then removes it: `berth version` and `berth catalog list` run from
# outside the checkout with a fresh home (the catalog comes from inside the binary), the
# completions and man page are where the shells and man look, and the installed desktop app starts
# under Xvfb to its first paint (BERTH_BENCH_STARTUP=1 makes it print BERTH_FIRST_PAINT and exit).
# Needs root or sudo, and scripts/system-deps.sh test (xvfb-run, gnome-keyring).
# Usage: scripts/package-check.sh target/debug/bundle/deb/Berth_*.deb
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deb=$(realpath "$1")
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
work=$(mktemp -d)
cleanup() { $SUDO apt-get remove -y -qq berth >/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# the bundler declares WebKitGTK and GTK itself; each dependency is listed once
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3; do
  n=$(printf '%s\n' "$depends" | tr ',' '\n' | grep -c "^ *$lib\b" || true)
  [ "$n" -eq 1 ] || { echo "Depends lists $lib $n times: $depends" >&2; exit 1; }
done
$SUDO apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
cd "$work"
export HOME=$work/home BERTH_HOME=$work/berth-home KUBECONFIG=$work/none
mkdir -p "$HOME"
[ "$(command -v berth)" = /usr/bin/berth ] || { echo "berth is not on PATH from the package" >&2; exit 1; }
berth version
[ ! -e "$BERTH_HOME" ] || { echo "berth version created $BERTH_HOME" >&2; exit 1; }
berth catalog list | grep -q postgres
for f in /usr/share/bash-completion/completions/berth /usr/share/zsh/vendor-completions/_berth \
  /usr/share/fish/vendor_completions.d/berth.fish /usr/share/man/man1/berth.1.gz \
  /usr/share/applications/Berth.desktop /usr/share/icons/hicolor/32x32/apps/berth-desktop.png; do
  [ -s "$f" ] || { echo "the package lacks $f" >&2; exit 1; }
done
if ldd /usr/bin/berth /usr/bin/berth-desktop | grep -q "$root"; then
  echo "an installed binary links against the build tree" >&2; exit 1
fi

# the installed app, to its first paint
BERTH_BENCH_STARTUP=1 timeout 120 xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" \
  "$root/scripts/with-keyring.sh" /usr/bin/berth-desktop >"$work/app.log" 2>&1 || true
grep -m1 BERTH_FIRST_PAINT "$work/app.log" || { echo "the installed app never painted:" >&2; tail -n 30 "$work/app.log" >&2; exit 1; }
echo "package check passed: $(basename "$deb")"
