#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a real, unlocked gnome-keyring Secret Service,
# with HOME and XDG_RUNTIME_DIR in a temporary folder, so tests use the real OS keyring without
# touching the user's own. Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ -z "${BERTH_IN_KEYRING_SESSION:-}" ]; then
  tmp=$(mktemp -d -t berth-keyring.XXXXXX)
  mkdir -p "$tmp/home" "$tmp/run" && chmod 700 "$tmp/run"
  trap 'rm -rf "$tmp"' EXIT
  # Cargo and rustup live under the real HOME: keep them reachable when HOME moves.
  export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
  export REAL_HOME=$HOME
  BERTH_IN_KEYRING_SESSION=1 HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run \
    dbus-run-session -- "$0" "$@"
  exit $?
fi
# Inside the session: start the daemon with a throwaway password, which creates and unlocks the
# default "login" collection, and export the variables it prints.
eval "$(printf 'berth-test' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
