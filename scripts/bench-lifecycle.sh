#!/usr/bin/env bash
# Lifecycle benchmark (run by hand, not by CI): the apply path of `berth install --no-wait` of
# postgres against `kubectl apply --server-side` of the same rendered objects (`berth catalog
# render`) and `helm install` of a chart made of the same objects, on one kubesim, RUNS runs each
# (default 15; a fresh namespace per run, created beforehand and not timed), medians and ratios;
# then `berth ls --all-contexts` across 10 kubesim contexts x 50 instances (median of RUNS).
# Writes the figures into the "Lifecycle" section of docs/benchmarks.md (other sections kept, and
# in this one whatever follows the "hand-written notes below" marker line).
# Needs scripts/tools.sh (kubectl, helm in .tools/bin) and a keyring (it runs itself under
# scripts/with-keyring.sh). Usage: scripts/bench-lifecycle.sh [--no-build]
# PROFILE=debug uses target/debug binaries (a smoke run of the script; not comparable figures).
# ONLY=apply measures the apply path only and keeps the listing paragraph already in the file.
# SETTLE=0 times each command without first waiting for kubesim to be at rest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "${1:-}" != "--inside" ]; then
  if [ "${1:-}" != "--no-build" ]; then
    if [ "${PROFILE:-release}" = release ]; then
      cargo build --release --locked -p berth-cli -p kubesim -j "${CARGO_BUILD_JOBS:-2}"
    else
      cargo build --locked -p berth-cli -p kubesim --bins -j "${CARGO_BUILD_JOBS:-2}"
    fi
  fi
  exec scripts/with-keyring.sh "$0" --inside
fi

export PATH=$root/.tools/bin:$PATH
ONLY=${ONLY:-} PROFILE=${PROFILE:-release} RUNS=${RUNS:-15} CONTEXTS=${CONTEXTS:-10} INSTANCES=${INSTANCES:-50} python3 - "$root" <<'PY'
import json, os, pathlib, platform, re, shutil, statistics, subprocess, sys, tempfile, time
from concurrent.futures import ThreadPoolExecutor

root = pathlib.Path(sys.argv[1])
profile = os.environ["PROFILE"]
berth = root / f"target/{profile}/berth"
kubesim = root / f"target/{profile}/kubesim"
runs = int(os.environ["RUNS"])
n_contexts = int(os.environ["CONTEXTS"])
n_instances = int(os.environ["INSTANCES"])
tmp = pathlib.Path(tempfile.mkdtemp(prefix="berth-bench-lc-"))
procs = []
only_apply = os.environ["ONLY"] == "apply"


class ApplyOnly(Exception):
    """Ends the measuring after the apply path (ONLY=apply)."""


load_start = os.getloadavg()[0]


def start_sim(name):
    kc = tmp / f"{name}.kubeconfig"
    p = subprocess.Popen([str(kubesim), "--kubeconfig", str(kc), "--context", name],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    for _ in range(200):
        if kc.exists() and kc.stat().st_size > 0:
            return kc
        time.sleep(0.05)
    sys.exit(f"kubesim {name} did not start")


def run(args, env, **kw):
    r = subprocess.run(args, env=env, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{args[:4]} failed: {r.stderr.strip()[:2000]}")
    return r


def timed(args, env):
    t = time.perf_counter()
    run(args, env)
    return (time.perf_counter() - t) * 1000


def sim_cpu():
    """CPU seconds all simulators used so far."""
    total = 0
    for p in procs:
        try:
            f = pathlib.Path(f"/proc/{p.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def settle(window=0.2, limit=15):
    """Waits (at most `limit` s) until the simulators are at rest: under 5 % of a core in a
    `window` (at most one clock tick in the default 0.2 s). Returns the seconds waited.
    SETTLE=0 skips the wait before the timed commands (the figures then include the background
    work of the previous install)."""
    if os.environ.get("SETTLE") == "0" and window < 1:
        return 0.0
    t = time.perf_counter()
    while time.perf_counter() - t < limit:
        before = sim_cpu()
        time.sleep(window)
        if sim_cpu() - before <= window * 0.05 + 1e-9:
            break
    return time.perf_counter() - t


try:
    # --- apply path: one kubesim -------------------------------------------------------------
    kc = start_sim("bench")
    env = dict(os.environ, KUBECONFIG=str(kc), BERTH_HOME=str(tmp / "home"),
               BERTH_KEYRING_NAMESPACE=f"dev.berth.bench.{os.getpid()}")
    run([str(berth), "version"], env)
    for i in range(runs):
        for tool in ("berth", "kubectl", "helm"):
            run(["kubectl", "create", "namespace", f"{tool}-{i}"], env)
    # warm-up: the first request of each tool pays for discovery caches and TLS
    run([str(berth), "install", "postgres", "--name", "warm", "-n", "default", "--no-wait"], env)
    figures = {"berth": [], "kubectl": [], "helm": []}
    settled = []
    for i in range(runs):
        manifest = tmp / f"kubectl-{i}.yaml"
        manifest.write_text(run([str(berth), "catalog", "render", "postgres", "--name", "pg",
                                 "-n", f"kubectl-{i}"], env).stdout)
        chart = tmp / f"chart-{i}"
        (chart / "templates").mkdir(parents=True)
        (chart / "files").mkdir()
        (chart / "Chart.yaml").write_text(
            "apiVersion: v2\nname: pg\nversion: 0.1.0\ndescription: the objects berth renders\n")
        (chart / "files" / "objects.yaml").write_text(
            run([str(berth), "catalog", "render", "postgres", "--name", "pg",
                 "-n", f"helm-{i}"], env).stdout)
        # the objects verbatim: no Go templating of the rendered text
        (chart / "templates" / "objects.yaml").write_text('{{ .Files.Get "files/objects.yaml" }}\n')
        commands = {
            "berth": [str(berth), "install", "postgres", "--name", "pg", "-n", f"berth-{i}",
                      "--no-wait"],
            "kubectl": ["kubectl", "apply", "--server-side", "--field-manager", "kubectl", "-f",
                        str(manifest)],
            "helm": ["helm", "install", "pg", str(chart), "-n", f"helm-{i}"],
        }
        for tool, args in commands.items():
            # each command meets a simulator at rest: the pods the previous install made are
            # started (kubelet, controllers) before it, not while it is timed
            settled.append(settle())
            figures[tool].append(timed(args, env))
    med = {k: statistics.median(v) for k, v in figures.items()}
    load_apply = os.getloadavg()[0]

    # --- ls across contexts ----------------------------------------------------------------
    if only_apply:
        raise ApplyOnly
    kcs = [start_sim(f"ctx{c}") for c in range(n_contexts)]
    multi = dict(env, KUBECONFIG=os.pathsep.join(str(k) for k in kcs), BERTH_HOME=str(tmp / "home-ls"))

    def populate(c):
        one = dict(multi, KUBECONFIG=str(kcs[c]))
        for i in range(n_instances):
            run([str(berth), "--context", f"ctx{c}", "install", "memcached", "--name", f"mc{i}",
                 "-n", "default", "--no-wait"], one)

    t = time.perf_counter()
    # two contexts at a time (2 cores); several Berth processes share the one home, as the app and
    # the CLI do
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(populate, range(n_contexts)))
    populate_s = time.perf_counter() - t

    # the simulators settle first (pods still starting after the installs keep their kubelets
    # and controllers busy): ls is measured on clusters at rest, as a user's usually are
    settle_s = settle(window=2, limit=120)
    # a generous per-context timeout: a slow answer is measured, not dropped from the list
    ls_args = [str(berth), "ls", "--all-contexts", "--context-timeout", "30s", "-o", "json"]
    out = json.loads(run(ls_args, multi).stdout)
    assert len(out["instances"]) == n_contexts * n_instances, len(out["instances"])
    assert not out["unreachable"], out["unreachable"]
    ls_runs = [timed(ls_args, multi) for _ in range(runs)]
    ls_med = statistics.median(ls_runs)
except ApplyOnly:
    pass
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()
    shutil.rmtree(tmp, ignore_errors=True)

load = os.getloadavg()[0]
cpu = platform.processor() or platform.machine()
try:
    model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    cpu = model
except (OSError, StopIteration):
    pass
kubectl_v = subprocess.run(["kubectl", "version", "--client", "-o", "json"], capture_output=True, text=True)
kubectl_v = json.loads(kubectl_v.stdout)["clientVersion"]["gitVersion"] if kubectl_v.returncode == 0 else "?"
helm_v = subprocess.run(["helm", "version", "--short"], capture_output=True, text=True).stdout.strip() or "?"


def fmt(v):
    return f"{statistics.median(v):.0f} ms (min {min(v):.0f}, max {max(v):.0f})"


if os.environ.get("SETTLE") == "0":
    settle_text = """**SETTLE=0**: each command was timed straight after the previous one, while kubesim's kubelet
and controllers still started the previous install's pods."""
else:
    settle_text = f"""Each command starts on a simulator at rest: the
script first waits until kubesim uses under 5 % of a core (median wait {statistics.median(settled):.1f} s), so the
previous install's pods, which its kubelet and controllers start in the background, do not take
the cores from the command being timed (a real API server's controllers run on other machines)."""

section = f"""## Lifecycle

Measured by `scripts/bench-lifecycle.sh` on {time.strftime('%Y-%m-%d')} ({cpu}, {os.cpu_count()} cores;
1-minute load average {load_start:.1f} at the start, {load_apply:.1f} after the apply runs, {load:.1f} at the
end; other work on the machine slows the figures).
{"Release" if profile == "release" else "**Debug (unoptimised) — a smoke run, not comparable; run again without PROFILE**"}
builds of `berth` and `kubesim`; kubectl {kubectl_v}, helm {helm_v}. Wall-clock time of the
whole process, median of {runs} runs after one warm-up install, each run into a fresh namespace
(created beforehand, not timed) of one kubesim. {settle_text}

Apply path: postgres (the objects `berth catalog render postgres` prints: ConfigMap, Secret,
two Services, StatefulSet). Berth: `berth install postgres --no-wait` (validation, render,
server-side dry-run of every object, history, keyring, apply in dependency waves, record ConfigMap).
kubectl: `kubectl apply --server-side -f` of the rendered objects. helm: `helm install` of a
chart whose only template is the rendered objects (`.Files.Get`, no templating).

| tool | time | Berth's speed-up |
|---|---|---|
| `berth install --no-wait` | {fmt(figures['berth'])} | |
| `kubectl apply --server-side` | {fmt(figures['kubectl'])} | {med['kubectl'] / med['berth']:.2f}x (goal 2x) |
| `helm install` | {fmt(figures['helm'])} | {med['helm'] / med['berth']:.2f}x (goal 3x) |

LISTING
"""
bench = root / "docs/benchmarks.md"
text = bench.read_text() if bench.exists() else "# Benchmarks\n"
if only_apply:
    # the listing paragraph as the last full run wrote it
    kept = re.search(r"\nListing: .*?(?=\n\n|\Z)", text, flags=re.S)
    listing = kept.group(0).strip() if kept else "Listing: not measured (ONLY=apply)."
else:
    listing = f"""Listing: `berth ls --all-contexts -o json` across {n_contexts} kubesim processes (one context
each) x {n_instances} memcached instances (made with `berth install --no-wait` in
{populate_s:.0f} s; then {settle_s:.0f} s until the simulators were at rest): {fmt(ls_runs)} (goal < 300 ms)."""
section = section.replace("LISTING", listing)
# hand-written notes below the marker line stay as they are
MARKER = "<!-- hand-written notes below: kept by scripts/bench-lifecycle.sh -->"
old = re.search(r"\n## Lifecycle\n.*?(?=\n## |\Z)", text, flags=re.S)
if old and MARKER in old.group(0):
    section = section.rstrip() + "\n\n" + MARKER + old.group(0).split(MARKER, 1)[1].rstrip() + "\n"
else:
    section = section.rstrip() + "\n\n" + MARKER + "\n"
text = re.sub(r"\n## Lifecycle\n.*?(?=\n## |\Z)", "\n", text, flags=re.S).rstrip() + "\n\n" + section
bench.write_text(text)
print(section)
PY
