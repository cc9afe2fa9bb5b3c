#!/usr/bin/env bash
# UI tests: installs ui/'s npm packages (npm ci), type-checks, runs Vitest (logic and components in
# jsdom), builds the production bundle, then runs Playwright in Debian's Chromium against the built
# UI served on loopback with the mock Backend. Screenshots go to ui/test-results/screenshots/.
# Usage: scripts/ui-test.sh [--update-screenshots]   (copies the Contexts and Services screenshots to docs/screenshots/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/ui"
step() { printf '\n--> ui: %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "typecheck"
npx tsc --noEmit -p .

step "vitest"
npx vitest run

step "build"
npx vite build

step "playwright (Chromium, mock backend)"
[ -x "${BERTH_CHROMIUM:-/usr/bin/chromium}" ] || { echo "Chromium not found: run scripts/system-deps.sh test" >&2; exit 1; }
timeout 600 npx playwright test

if [ "${1:-}" = "--update-screenshots" ]; then
  mkdir -p "$root/docs/screenshots"
  cp test-results/screenshots/contexts-light.png test-results/screenshots/contexts-dark.png \
    test-results/screenshots/services-light.png test-results/screenshots/services-dark.png "$root/docs/screenshots/"
  echo "updated docs/screenshots/{contexts,services}-{light,dark}.png"
fi
