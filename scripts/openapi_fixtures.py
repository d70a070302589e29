#!/usr/bin/env python3
"""Builds one response fixture per function from cPanel's published Transfers OpenAPI.

The spec carries examples per property rather than whole replies, so a reply is assembled from the
schema: a node's own `example` wins; objects are built from their properties (additionalProperties
examples become one entry); arrays get one element from `items`. Output: tests/fixtures/openapi/<fn>.json.

Usage: scripts/openapi_fixtures.py [path/to/whm-transfers-openapi.yml]   (needs PyYAML)
"""
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_SPEC = os.path.join(ROOT, "..", "shared", "reference", "whm-transfers-openapi.yml")


def example(node):
    if not isinstance(node, dict):
        return None
    if "example" in node:
        return node["example"]
    if "examples" in node and isinstance(node["examples"], list) and node["examples"]:
        return node["examples"][0]
    for key in ("oneOf", "anyOf", "allOf"):
        if key in node and node[key]:
            return example(node[key][0])
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        out = {}
        for name, sub in (node.get("properties") or {}).items():
            value = example(sub)
            if value is not None:
                out[name] = value
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and not out:
            value = example(extra)
            if value is not None:
                out["example"] = value
        return out
    if kind == "array":
        item = example(node.get("items") or {})
        return [] if item is None else [item]
    return None


def main():
    spec_path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SPEC
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    out_dir = os.path.join(ROOT, "tests", "fixtures", "openapi")
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for path, ops in sorted(spec["paths"].items()):
        for method in ("get", "post"):
            op = ops.get(method)
            if not op:
                continue
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            reply = example(schema)
            name = path.strip("/")
            with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(reply, f, indent=1, ensure_ascii=False, sort_keys=True)
                f.write("\n")
            written.append(name)
            break
    print("wrote %d fixtures: %s" % (len(written), ", ".join(written)))


if __name__ == "__main__":
    main()
