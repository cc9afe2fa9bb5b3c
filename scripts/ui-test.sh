#!/usr/bin/env bash
# UI tests: installs ui/'s npm packages (npm ci), type-checks, runs Vitest (logic and components in
# jsdom), builds the production bundle, then runs Playwright in Debian's Chromium against the built
# UI served on loopback with the mock Backend. Screenshots go to ui/test-results/screenshots/.
# Usage: scripts/ui-test.sh [--update-screenshots]   (copies the Contexts, Services, Catalog, install-form, move-wizard and standby-card screenshots to docs/screenshots/)
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

step "bundle size budget (gzip)"
# The startup script (what the first screen needs) and every script the desktop app can load (the
# mock backend's chunk is only loaded in a browser, never in the app). Figures in docs/benchmarks.md.
ENTRY_BUDGET_KIB=${BERTH_UI_ENTRY_BUDGET_KIB:-110}
# 350: the instance panels (uPlot ~25 KiB, the virtual log list ~12 KiB) came after the first
# budget of 300; they load only when an instance's Metrics or Logs tab opens. remark-gfm (~12 KiB,
# Markdown tables in the catalog's READMEs) loads only with a service's page. 440: xterm.js
# (~82 KiB, the in-app terminal) loads only when an instance's Terminal tab opens.
APP_BUDGET_KIB=${BERTH_UI_APP_BUDGET_KIB:-440}
python3 - "$ENTRY_BUDGET_KIB" "$APP_BUDGET_KIB" <<'PY'
import gzip, pathlib, re, sys
entry_budget, app_budget = (float(a) for a in sys.argv[1:3])
dist = pathlib.Path("dist")
entry_name = re.search(r'<script[^>]+src="/?(assets/[^"]+\.js)"', (dist / "index.html").read_text())[1]
gz = lambda p: len(gzip.compress(p.read_bytes(), 9)) / 1024
scripts = [p for p in (dist / "assets").glob("*.js") if not p.name.startswith("mock-")]
entry, app = gz(dist / entry_name), sum(gz(p) for p in scripts)
print(f"entry {entry_name}: {entry:.1f} KiB gzip (budget {entry_budget:.0f}); all app scripts: {app:.1f} KiB gzip (budget {app_budget:.0f})")
if entry > entry_budget or app > app_budget:
    sys.exit("the UI's JavaScript is over its size budget: lazy-load the new code or raise the budget in scripts/ui-test.sh with a reason")
PY

step "playwright (Chromium, mock backend)"
[ -x "${BERTH_CHROMIUM:-/usr/bin/chromium}" ] || { echo "Chromium not found: run scripts/system-deps.sh test" >&2; exit 1; }
timeout 600 npx playwright test

if [ "${1:-}" = "--update-screenshots" ]; then
  mkdir -p "$root/docs/screenshots"
  cp test-results/screenshots/contexts-light.png test-results/screenshots/contexts-dark.png \
    test-results/screenshots/services-light.png test-results/screenshots/services-dark.png "$root/docs/screenshots/"
  cp test-results/screenshots/catalog-light.png test-results/screenshots/catalog-dark.png "$root/docs/screenshots/"
  cp test-results/screenshots/install-light.png test-results/screenshots/install-dark.png "$root/docs/screenshots/"
  cp test-results/screenshots/transfer-light.png test-results/screenshots/transfer-dark.png "$root/docs/screenshots/"
  cp test-results/screenshots/standby-light.png test-results/screenshots/standby-dark.png "$root/docs/screenshots/"
  echo "updated docs/screenshots/{contexts,services,catalog,install,transfer,standby}-{light,dark}.png"
fi
