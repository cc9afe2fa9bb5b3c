#!/usr/bin/env bash
# Builds Berth's Linux packages with Tauri's bundler: a .deb holding the desktop app (desktop
# entry, icons, WebKitGTK and keyring dependencies) and the `berth` CLI with its bash, zsh and fish
# completions and man pages; with --appimage also an AppImage (its tools are downloaded by the
# bundler from GitHub, so it cannot be built on a machine limited to the package registries).
# The catalog is compiled into both binaries: the package holds no other data files.
# Output: target/<profile>/bundle/deb/Berth_<version>_<arch>.deb (the product name)
# Usage: scripts/package.sh [--debug] [--appimage]
#   --debug  package the debug binaries (what the tests build) instead of a release build: CI uses
#            it to check the package installs and runs, without a second whole build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile=release bundles=deb
for arg in "$@"; do
  case $arg in
    --debug) profile=debug ;;
    --appimage) bundles=deb,appimage ;;
    *) echo "usage: scripts/package.sh [--debug] [--appimage]" >&2; exit 2 ;;
  esac
done

[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
(cd ui && npx vite build --logLevel warn)

features=(--features berth-desktop/custom-protocol)
if [ "$profile" = debug ]; then
  # the same command as the desktop end-to-end suite: after `cargo test` it builds nothing again
  cargo build --workspace --bins --tests --locked "${features[@]}"
  bundle_flags=(--debug)
else
  cargo build --release --locked -p berth-cli -p berth-desktop "${features[@]}"
  bundle_flags=()
fi

# What tauri.conf.json's bundle.linux files name: the CLI, its completions and man pages.
staging=target/package/staging
rm -rf "$staging" && mkdir -p "$staging/completions" "$staging/man1"
berth=target/$profile/berth
install -m 0755 "$berth" "$staging/berth"
"$berth" completions bash >"$staging/completions/berth.bash"
"$berth" completions zsh >"$staging/completions/_berth"
"$berth" completions fish >"$staging/completions/berth.fish"
"$berth" manpages "$staging/man1"
gzip -9n "$staging"/man1/*.1

# the Tauri CLI finds src-tauri/tauri.conf.json below the directory it runs in
ui/node_modules/.bin/tauri bundle --ci --bundles "$bundles" "${bundle_flags[@]}" --features custom-protocol
ls -l "target/$profile/bundle/deb/"*.deb
