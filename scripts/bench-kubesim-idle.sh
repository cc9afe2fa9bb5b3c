#!/usr/bin/env bash
# Idle cost of one kubesim (an idle simulator must not burn CPU): starts the release `kubesim` binary, applies INSTANCES
# instances' worth of objects with kubectl (per instance: ConfigMap, Secret, Service,
# PodDisruptionBudget and either a Deployment or a StatefulSet with a volume claim template,
# one replica each), waits until every pod is Ready, lets it settle SETTLE seconds (the
# controllers still write statuses for a few seconds after the pods are Ready), then reads the
# process's CPU time (utime + stime of /proc/PID/stat) over WINDOWS windows of WINDOW_S seconds
# in which nothing happens. Prints the per-window figures, their median (in % of one core), the
# store writes during the windows and the load average. Only kubectl talks to the simulator,
# on loopback.
#
#   scripts/bench-kubesim-idle.sh                 # 50 instances, 3 windows of 10 s
#   INSTANCES=100 WINDOWS=5 scripts/bench-kubesim-idle.sh
#   NO_BUILD=1 scripts/bench-kubesim-idle.sh      # use target/release/kubesim as it is
#   NO_BUILD=1 KUBESIM=/tmp/kubesim-old scripts/bench-kubesim-idle.sh   # another build
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
if [[ -z "${NO_BUILD:-}" ]]; then
  cargo build --release --locked -p kubesim --bin kubesim -j "${CARGO_BUILD_JOBS:-2}"
fi
command -v kubectl >/dev/null || { echo "kubectl missing: run scripts/tools.sh" >&2; exit 1; }

INSTANCES="${INSTANCES:-50}" WINDOWS="${WINDOWS:-3}" WINDOW_S="${WINDOW_S:-10}" SETTLE="${SETTLE:-10}" \
  python3 - "$PWD" <<'PY'
import json, os, pathlib, shutil, statistics, subprocess, sys, tempfile, time

root = pathlib.Path(sys.argv[1])
kubesim = pathlib.Path(os.environ.get("KUBESIM") or root / "target/release/kubesim")
n = int(os.environ["INSTANCES"])
windows = int(os.environ["WINDOWS"])
window_s = float(os.environ["WINDOW_S"])
settle = float(os.environ["SETTLE"])
tick = os.sysconf("SC_CLK_TCK")
tmp = pathlib.Path(tempfile.mkdtemp(prefix="kubesim-idle-"))
kc = tmp / "kubeconfig"
env = dict(os.environ, KUBECONFIG=str(kc))


def kubectl(*args, stdin=None):
    r = subprocess.run(["kubectl", *args], env=env, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"kubectl {' '.join(args[:3])} failed: {r.stderr.strip()[:2000]}")
    return r.stdout


def cpu_ticks(pid):
    stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    f = stat[stat.rfind(")") + 2:].split()
    return int(f[11]) + int(f[12])


def instance(i):
    name = f"svc{i}"
    labels = f"{{app.kubernetes.io/instance: {name}, app.kubernetes.io/managed-by: berth}}"
    pod = f"""
    metadata:
      labels: {labels}
    spec:
      containers:
        - name: main
          image: memcached:1.6
          resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}"""
    if i % 2:
        workload = f"""apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: {name}, labels: {labels}}}
spec:
  replicas: 1
  serviceName: {name}
  selector: {{matchLabels: {labels}}}
  template:{pod}
          volumeMounts: [{{name: data, mountPath: /data}}]
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
"""
    else:
        workload = f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, labels: {labels}}}
spec:
  replicas: 1
  selector: {{matchLabels: {labels}}}
  template:{pod}
"""
    return f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}-config, labels: {labels}}}
data: {{setting: "{i}"}}
---
apiVersion: v1
kind: Secret
metadata: {{name: {name}-auth, labels: {labels}}}
stringData: {{password: "secret-{i}"}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, labels: {labels}}}
spec:
  selector: {labels}
  ports: [{{port: 11211, targetPort: 11211}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}, labels: {labels}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {labels}}}
---
{workload}"""


p = subprocess.Popen([str(kubesim), "--kubeconfig", str(kc)],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(200):
        if kc.exists() and kc.stat().st_size > 0:
            break
        time.sleep(0.05)
    else:
        sys.exit("kubesim did not start")
    t = time.perf_counter()
    manifest = "---\n".join(instance(i) for i in range(n))
    kubectl("apply", "--server-side", "-n", "default", "-f", "-", stdin=manifest)
    for _ in range(1200):
        out = kubectl("get", "pods", "-n", "default", "-o",
                      "jsonpath={range .items[*]}{.status.conditions[?(@.type=='Ready')].status}{'\\n'}{end}")
        ready = out.split().count("True")
        if ready >= n:
            break
        time.sleep(0.1)
    else:
        sys.exit(f"only {ready} of {n} pods Ready")
    ready_s = time.perf_counter() - t
    time.sleep(settle)
    def store_rv():
        return int(json.loads(kubectl("get", "--raw", "/api/v1/namespaces"))["metadata"]["resourceVersion"])

    rv0 = store_rv()
    figures = []
    for _ in range(windows):
        c0, t0 = cpu_ticks(p.pid), time.perf_counter()
        time.sleep(window_s)
        c1, t1 = cpu_ticks(p.pid), time.perf_counter()
        figures.append((c1 - c0) / tick / (t1 - t0) * 100)
    writes = store_rv() - rv0
    if p.poll() is not None:
        sys.exit("kubesim exited during the measurement")
finally:
    p.terminate()
    p.wait()
    shutil.rmtree(tmp, ignore_errors=True)

print(f"kubesim idle: {n} instances ({n} pods), all Ready after {ready_s:.1f} s")
print("windows (% of one core over " + f"{window_s:g} s): " + ", ".join(f"{f:.2f}" for f in figures))
print(f"store writes while idle: {writes}")
print(f"median {statistics.median(figures):.2f} % of one core; "
      f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
PY
