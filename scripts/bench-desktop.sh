#!/usr/bin/env bash
# Desktop benchmark (run by hand, not by CI): builds the release app with the UI embedded, then
# measures the binary's size, the UI bundle's size and the cold start to first paint, and writes
# them into the "Desktop" section of docs/benchmarks.md (other sections are kept).
# Cold start = launching a new process until the Services screen (the home screen) is interactive:
# the contexts are listed and either one context's instances are painted or every context has
# answered or failed (each context is asked on its own; see ui/src/services/ServicesPage.tsx). The
# UI reports it through the `report_first_paint` command, and with BERTH_BENCH_STARTUP=1 the app
# prints `BERTH_FIRST_PAINT process_ms=... webview_ms=... setup_ms=... navigation_ms=... api_ms=...`
# (ms since main() of the first paint, of Tauri's set-up hook, of the webview's navigation start and
# of the API being open in the background; webview_ms counts from navigation) and exits. Median of RUNS (default 7)
# runs under Xvfb, each with a fresh BERTH_HOME, with two kubeconfigs: a kubesim holding INSTANCES (default 5)
# memcached instances plus two contexts that refuse connections, and three contexts that all refuse.
# Idle memory = the PSS (/proc/PID/smaps_rollup) summed over the whole process tree (the app and its
# WebKit web and network processes) IDLE_S seconds (default 5) after the first paint, against the same
# measure of an empty Tauri window (the `empty_window` example: same tauri, a one-paragraph page), median of
# MEM_RUNS (default 3). The UI's JavaScript is also reported as gzip sizes (its budget is checked
# by scripts/ui-test.sh).
# Usage: scripts/bench-desktop.sh [--no-build]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-7}

if [ "${1:-}" != "--inside" ]; then
  if [ "${1:-}" != "--no-build" ]; then
    [ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
    (cd ui && npx vite build --logLevel warn)
    cargo build -p berth-desktop --release --locked --features custom-protocol -j "${CARGO_BUILD_JOBS:-2}" --bin berth-desktop --example empty_window
    cargo build -p berth-cli -p kubesim --release --locked -j "${CARGO_BUILD_JOBS:-2}"
  fi
  exec xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24" scripts/with-keyring.sh "$0" --inside
fi

RUNS=$runs python3 - "$root" <<'PY'
import atexit, gzip, os, pathlib, re, statistics, subprocess, sys, tempfile, time, platform

root = pathlib.Path(sys.argv[1])
binary = root / "target/release/berth-desktop"
runs = int(os.environ["RUNS"])

tmp = pathlib.Path(tempfile.mkdtemp(prefix="berth-bench-"))
# Two kubeconfigs. "dead": three contexts whose API servers refuse connections (loopback ports
# nothing listens on). "live": a kubesim with INSTANCES memcached instances as the current context
# (`kind-a`), plus the two refusing ones: what a user with a laptop cluster up and two clusters
# out of reach sees.
dead = tmp / "dead.kubeconfig"
dead.write_text("""apiVersion: v1
kind: Config
current-context: kind-a
clusters:
- {name: kind-a, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}
- {name: lab, cluster: {server: "https://127.0.0.1:2", insecure-skip-tls-verify: true}}
- {name: gke_x_y_z, cluster: {server: "https://127.0.0.1:3", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: kind-a, context: {cluster: kind-a, user: u}}
- {name: lab, context: {cluster: lab, user: u}}
- {name: gke_x_y_z, context: {cluster: gke_x_y_z, user: u}}
""")
two_dead = tmp / "two-dead.kubeconfig"
two_dead.write_text("""apiVersion: v1
kind: Config
clusters:
- {name: lab, cluster: {server: "https://127.0.0.1:2", insecure-skip-tls-verify: true}}
- {name: gke_x_y_z, cluster: {server: "https://127.0.0.1:3", insecure-skip-tls-verify: true}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: lab, context: {cluster: lab, user: u}}
- {name: gke_x_y_z, context: {cluster: gke_x_y_z, user: u}}
""")
sim_kc = tmp / "kind-a.kubeconfig"
sim = subprocess.Popen([str(root / "target/release/kubesim"), "--kubeconfig", str(sim_kc), "--context", "kind-a"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
atexit.register(sim.terminate)
for _ in range(200):
    if sim_kc.exists() and sim_kc.stat().st_size > 0:
        break
    time.sleep(0.05)
else:
    sys.exit("kubesim did not start")
live = f"{sim_kc}{os.pathsep}{two_dead}"
n_instances = int(os.environ.get("INSTANCES", "5"))
for i in range(n_instances):
    r = subprocess.run([str(root / "target/release/berth"), "install", "memcached", "--name", f"cache-{i}", "--no-wait",
                        "--context", "kind-a", "--namespace", "default"],
                       env=dict(os.environ, BERTH_HOME=str(tmp / "populate"), KUBECONFIG=str(sim_kc), RUST_LOG="warn"),
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"populating kubesim failed: {r.stderr.strip()[:500]}")

load = os.getloadavg()[0]

marks = {}  # startup mark name -> ms since navigation, live runs (see ui/src/app/startup-marks.ts)

def cold_start(kubeconfig, label):
    wall, process, webview, setup, navigation, api = [], [], [], [], [], []
    for i in range(runs + 1):  # the first run warms the page cache and is not counted
        env = dict(os.environ, BERTH_BENCH_STARTUP="1", BERTH_HOME=str(tmp / f"home-{label}{i}"),
                   KUBECONFIG=str(kubeconfig), RUST_LOG="warn")
        start = time.perf_counter()
        proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = ""
        for line in proc.stdout:
            if line.startswith("BERTH_FIRST_PAINT"):
                break
        elapsed = (time.perf_counter() - start) * 1000
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        m = re.search(r"process_ms=([\d.]+) webview_ms=([\d.]+) setup_ms=([-\d.]+) navigation_ms=([-\d.]+) api_ms=([-\d.]+)", line)
        if not m:
            sys.exit(f"{label} run {i}: the app never reported its first paint (exit {proc.returncode})")
        if i == 0:
            continue
        if label == "live":
            for name, ms in re.findall(r"(\w+):(-?[\d.]+)", line.split("marks=", 1)[1] if "marks=" in line else ""):
                marks.setdefault(name, []).append(float(ms))
        wall.append(elapsed); process.append(float(m[1])); webview.append(float(m[2]))
        setup.append(float(m[3])); navigation.append(float(m[4])); api.append(float(m[5]))
        print(f"{label} run {i}: launch to first paint {elapsed:.0f} ms (main to paint {m[1]} ms, webview navigation to paint {m[2]} ms; "
              f"main to set-up {m[3]} ms, to navigation {m[4]} ms, API open {m[5]} ms)")
    return wall, process, webview, setup, navigation, api

wall, process, webview, setup, navigation, api = cold_start(live, "live")
dead_wall, *_ = cold_start(dead, "dead")
kubeconfig = live

def tree(pid):
    """pid and every descendant, from /proc/*/stat parent links."""
    children = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out

def pss_kib(pids):
    total, names = 0, []
    for p in pids:
        try:
            text = pathlib.Path(f"/proc/{p}/smaps_rollup").read_text()
            names.append(pathlib.Path(f"/proc/{p}/comm").read_text().strip())
        except OSError:
            continue
        total += int(re.search(r"^Pss:\s+(\d+) kB", text, re.M)[1])
    return total, names

idle_s = float(os.environ.get("IDLE_S", "5"))
mem_runs = int(os.environ.get("MEM_RUNS", "3"))

def idle_memory(cmd, env, ready):
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready(proc)
        time.sleep(idle_s)
        return pss_kib(tree(proc.pid))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

def until_first_paint(proc):
    for line in proc.stdout:
        if line.startswith("BERTH_FIRST_PAINT"):
            return
    sys.exit("the app never reported its first paint")

def until_web_process(proc):
    deadline = time.time() + 30
    while time.time() < deadline:
        if any("WebKitWebProces" in n for n in pss_kib(tree(proc.pid))[1]):
            time.sleep(1)  # let the blank page load
            return
        time.sleep(0.2)
    sys.exit("the empty window never started a WebKit web process")

empty = root / "target/release/examples/empty_window"
# Without a GPU render node Berth draws without WebKit's compositing (src-tauri/src/rendering.rs);
# the empty window is then also measured drawing that way, for a like-for-like ratio.
no_gpu = not any(n.startswith("renderD") for n in (os.listdir("/dev/dri") if os.path.isdir("/dev/dri") else []))
berth_mem, empty_mem, empty_soft_mem, berth_procs = [], [], [], []
for i in range(mem_runs):
    env = dict(os.environ, BERTH_BENCH_STARTUP="idle", BERTH_HOME=str(tmp / f"mem{i}"), KUBECONFIG=str(kubeconfig), RUST_LOG="warn")
    kib_total, names = idle_memory([str(binary)], env, until_first_paint)
    berth_mem.append(kib_total); berth_procs = names
    kib_total, _ = idle_memory([str(empty)], dict(os.environ, RUST_LOG="warn"), until_web_process)
    empty_mem.append(kib_total)
    if no_gpu:
        kib_total, _ = idle_memory([str(empty)], dict(os.environ, RUST_LOG="warn", WEBKIT_DISABLE_COMPOSITING_MODE="1"),
                                   until_web_process)
        empty_soft_mem.append(kib_total)
    print(f"memory run {i + 1}: berth {berth_mem[-1] / 1024:.1f} MiB, empty window {empty_mem[-1] / 1024:.1f} MiB PSS"
          + (f", without compositing {empty_soft_mem[-1] / 1024:.1f} MiB" if no_gpu else ""))
berth_pss, empty_pss = statistics.median(berth_mem), statistics.median(empty_mem)
empty_soft_pss = statistics.median(empty_soft_mem) if no_gpu else None
soft_rows = (f"| empty Tauri window drawing without compositing, as Berth does here | {empty_soft_pss / 1024:.1f} MiB |\n"
             f"| Berth / that window (like for like) | {berth_pss / empty_soft_pss:.2f}× |\n") if no_gpu else ""

size = binary.stat().st_size
assets = sorted((root / "ui/dist/assets").glob("*"))
js = [a for a in assets if a.suffix == ".js"]
entry = [a for a in js if a.name.startswith("index-")]
def gz(p): return len(gzip.compress(p.read_bytes(), 9))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mib = lambda b: f"{b / 1024 / 1024:.1f} MiB"
kib = lambda b: f"{b / 1024:.1f} KiB"
med = lambda xs: f"{statistics.median(xs):.0f} ms"
MARK_NAMES = {"htmlLoaded": "page loaded", "entryScriptLoaded": "entry script loaded", "script": "script runs",
              "backend": "backend chosen", "domInteractive": "DOM interactive", "servicesRender": "Services renders",
              "contexts": "contexts listed", "firstListing": "first context listed", "ready": "screen ready",
              "frame": "frame drawn"}
mark_line = "; ".join(f"{MARK_NAMES.get(name, name)} {statistics.median(v):.0f}"
                      for name, v in sorted(marks.items(), key=lambda kv: statistics.median(kv[1]))) or "not reported"
section = f"""## Desktop

Measured by `scripts/bench-desktop.sh` on {time.strftime('%Y-%m-%d')} ({cpu}, {os.cpu_count()} cores, Xvfb, WebKitGTK).
Release build (`--features custom-protocol`, UI embedded, symbols stripped). Cold start = a new
process until the Services screen is interactive: the contexts are listed and either one context's
instances are painted and clickable or every context has answered or failed (with its reason), and a
frame with that was drawn; the UI then calls `report_first_paint`. Each context is listed on its own,
so contexts still waited for (a skeleton row each) do not hold the first paint back. Median of
{runs} runs after one warm-up, each with a fresh `BERTH_HOME`, with a kubeconfig of three contexts: the
current one a kubesim holding {n_instances} memcached instances (installed beforehand with the release
`berth`), the other two API servers that refuse connections (loopback ports nothing listens on) —
a laptop cluster up and two clusters out of reach. The same with all three contexts refusing
connections (the first paint then waits for the three failures, each retried for
`LIST_RETRY_BUDGET`, 300 ms) is the row "all contexts refusing". Load average
when it started: {load:.1f} (other work on the machine slows the figures; 2 cores).

| what | value |
|---|---|
| release binary `berth-desktop` | {mib(size)} ({size} bytes) |
| UI entry script (`index-*.js`) | {kib(sum(a.stat().st_size for a in entry))}, {kib(sum(gz(a) for a in entry))} gzip |
| all UI scripts / styles | {kib(sum(a.stat().st_size for a in js))} / {kib(sum(a.stat().st_size for a in assets if a.suffix == '.css'))} |
| launch → first paint (wall clock) | {med(wall)} (min {min(wall):.0f}, max {max(wall):.0f}) |
| `main()` → first paint | {med(process)} |
| `main()` → Tauri set-up hook (event loop up, window next) | {med(setup)} |
| `main()` → webview navigation starts | {med(navigation)} |
| `main()` → API open (store + migrations, in the background) | {med(api)} |
| webview navigation → first paint | {med(webview)} |
| after navigation, each step (median ms since navigation) | {mark_line} |
| idle memory, whole process tree (PSS) | {berth_pss / 1024:.1f} MiB ({len(berth_procs)} processes: {", ".join(sorted(set(berth_procs)))}) |
| empty Tauri window, same measure | {empty_pss / 1024:.1f} MiB |
| Berth / empty window | {berth_pss / empty_pss:.2f}× (target ≤ 1.3×: {"met" if berth_pss / empty_pss <= 1.3 else "missed"}) |
{soft_rows}| launch → first paint, all contexts refusing | {med(dead_wall)} (min {min(dead_wall):.0f}, max {max(dead_wall):.0f}) |
| cold start goal: interactive Services in < 1 s (wall clock, median) | {"met" if statistics.median(wall) < 1000 else "missed"} ({med(wall)}) |
| UI scripts the app loads (gzip; mock excluded) | entry {kib(sum(gz(a) for a in entry))}, all {kib(sum(gz(a) for a in js if not a.name.startswith("mock-")))} (budget in `scripts/ui-test.sh`: 110 / 340 KiB) |

Idle memory: PSS from `/proc/PID/smaps_rollup` summed over the app's process tree {idle_s:.0f} s after the
first paint (median of {mem_runs}); the floor is the `empty_window` example of `src-tauri` (same tauri
version and features, a one-paragraph page from a custom URI scheme) measured the same way once its WebKit web process is up.
{"This machine has no GPU render node (no `/dev/dri/renderD*`), so Berth's webview draws without WebKit's compositing (`src-tauri/src/rendering.rs`: otherwise WebKit composites through Mesa's llvmpipe software OpenGL, with LLVM loaded into the web process and GL buffers per layer); a default Tauri window, like the empty one, composites that way. The row *like for like* compares Berth with the empty window drawing without compositing too (`WEBKIT_DISABLE_COMPOSITING_MODE=1`): that is the cost of Berth's own UI and data; the row above is what a user of this machine saves against a default Tauri app." if no_gpu else "This machine has a GPU render node: Berth's webview composites as WebKit does by default."}

What the startup path does: before the window only the tracing set-up and Tauri's
builder run. The API (SQLite open and migrations, the keyring handle) opens on a blocking thread
while GTK and WebKit start (row "API open"); as soon as it is open the shell lists the contexts
and asks every one for its instances in the background (`src-tauri/src/startup_listing.rs`), so
the cluster round trips, and a dead cluster's retries, run while the webview starts, not after.
The UI's first `list_context_instances` per context takes that answer. The UI starts on
`#/services` (no redirect frame), asks for the context list and every context's listing before
React renders, and waits for them at most 150 ms, so the first frame is usually the finished
screen rather than skeletons. The entry chunk holds only the Services screen: Catalog, Contexts,
History, Instance and Settings load on first use, as uPlot, the virtual log list, @rjsf, the YAML
highlighter and Markdown already did. Row "after navigation, each step" comes from the UI's
startup marks (`ui/src/app/startup-marks.ts`, sent with the first-paint report). What is left
before navigation is Tauri, GTK and WebKit starting (the empty window pays it too).

What the release binary links: the actions over kube's typed APIs, the catalog's JSON Schema
validator (`jsonschema` with `referencing`, `fancy-regex` and its embedded meta-schemas),
minijinja, the strict Kubernetes schemas, kube's WebSocket support for exec and port-forward, and
the observe, operations and usage code (`cargo tree -e normal -p berth-desktop`: 404 crates). The
profile: `lto = "thin"`, `codegen-units = 4`, `strip = "symbols"`. Biggest release rlibs as a rough
proxy (LTO bitcode, not final code): jsonschema 20.9 MB, tauri 10.5, kube-client 10.1,
berth-actions 9.2, berth-api 8.5, minijinja 7.4, berth-catalog 7.2. `lto = "fat"` with
`codegen-units = 1` (about 10 % smaller in similar apps) would slow every release build and is not
used.

Reproduce: `scripts/bench-desktop.sh` (release build with `--features custom-protocol`, Xvfb; it
rewrites this section).
"""
doc = root / "docs/benchmarks.md"
text = doc.read_text() if doc.exists() else "# Benchmarks\n"
pattern = re.compile(r"^## Desktop\n.*?(?=^## |\Z)", re.S | re.M)
text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
doc.write_text(text)
print(section)
PY
