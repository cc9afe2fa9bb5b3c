#!/usr/bin/env bash
# Move benchmark (run by hand, not by CI): `berth move` of a PostgreSQL data set (BENCH_GIB GiB,
# default 1) between two kubesim clusters bound to two real PostgreSQL servers, against a plain
# pipe of the same export and import commands in the same run; medians of RUNS runs (default 3)
# of throughput and its ratio to the pipe, the berth process's peak RSS and the downtime.
# Prints a Markdown table for the "Move" section of docs/benchmarks.md.
# Needs `scripts/system-deps.sh test` (postgresql) and a keyring (it runs under
# scripts/with-keyring.sh). Usage: scripts/bench-transfer.sh [--no-build]
# PROFILE=debug uses target/debug binaries (a smoke run of the script; not comparable figures).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile=${PROFILE:-release}
if [ "${1:-}" != "--no-build" ]; then
  if [ "$profile" = release ]; then
    cargo build --release --locked -p berth-cli -p kubesim
  else
    cargo build --locked -p berth-cli -p kubesim --bins
  fi
fi
bench_profile=()
[ "$profile" = debug ] && bench_profile=(--profile dev)
PROFILE=$profile exec scripts/with-keyring.sh cargo bench --locked -p berth-cli --bench transfer "${bench_profile[@]}"
