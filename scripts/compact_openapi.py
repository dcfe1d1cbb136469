"""Write the structure-only form of HubSpot's OpenAPI specs that the tests check against.

The full specs (descriptions, examples, security lists, code samples) live outside the
repository.  The tests need only their structure: paths, methods, parameters, request and
response schemas per status code, and the components those schemas reference.  This script
keeps exactly that and writes one compact file per spec to ``tests/openapi/``, which is
committed, so a fresh clone checks every sandbox response without anything else.

    python scripts/compact_openapi.py [SOURCE_DIR]          # write tests/openapi/*.json
    python scripts/compact_openapi.py [SOURCE_DIR] --check  # exit 1 if they are out of date

SOURCE_DIR defaults to ``../shared/hubspot-openapi`` next to the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "hubspot-openapi"
TARGET = ROOT / "tests" / "openapi"

#: JSON Schema keywords the checks use; everything else (description, example, title, x-...)
#: is documentation and is dropped.
SCHEMA_KEYWORDS = frozenset(
    {
        "$ref",
        "type",
        "format",
        "enum",
        "const",
        "required",
        "nullable",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "default",
        "discriminator",
    }
)
_SUBSCHEMA = ("items", "not", "additionalProperties")
_SUBSCHEMA_LISTS = ("allOf", "oneOf", "anyOf")
_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def schema(node: Any) -> Any:
    """A schema with only its structural keywords (property names are kept, whatever they are)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {k: v for k, v in node.items() if k in SCHEMA_KEYWORDS}
    if isinstance(node.get("properties"), dict):
        out["properties"] = {name: schema(sub) for name, sub in node["properties"].items()}
    for key in _SUBSCHEMA:
        if key in node:
            out[key] = schema(node[key]) if isinstance(node[key], dict) else node[key]
    for key in _SUBSCHEMA_LISTS:
        if isinstance(node.get(key), list):
            out[key] = [schema(sub) for sub in node[key]]
    return out


def content(node: Any) -> dict[str, Any]:
    """``content`` of a request body or response: media type -> {"schema": ...}."""
    if not isinstance(node, dict):
        return {}
    return {media: {"schema": schema(body.get("schema"))} for media, body in node.items()}


def response(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    return {"content": content(node["content"])} if node.get("content") else {}


def operation(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    params = [
        {k: (schema(v) if k == "schema" else v) for k, v in p.items() if k in _PARAM_KEYS}
        for p in node.get("parameters") or []
    ]
    if params:
        out["parameters"] = params
    body = node.get("requestBody")
    if isinstance(body, dict) and body.get("content"):
        out["requestBody"] = {
            "required": bool(body.get("required")),
            "content": content(body["content"]),
        }
    out["responses"] = {status: response(r) for status, r in (node.get("responses") or {}).items()}
    return out


_PARAM_KEYS = frozenset({"name", "in", "required", "schema"})


def compact(spec: dict[str, Any]) -> dict[str, Any]:
    paths = {
        template: {m: operation(op) for m, op in ops.items() if m in _METHODS}
        for template, ops in spec.get("paths", {}).items()
    }
    components = spec.get("components", {})
    kept = {
        "schemas": {n: schema(s) for n, s in (components.get("schemas") or {}).items()},
        "responses": {n: response(r) for n, r in (components.get("responses") or {}).items()},
    }
    return _prune({"openapi": spec.get("openapi"), "paths": paths, "components": kept})


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _prune(spec: dict[str, Any]) -> dict[str, Any]:
    """Drop the components no path reaches (directly or through other components)."""
    reached: set[str] = set()
    frontier: set[str] = set()
    _refs(spec["paths"], frontier)
    components = spec["components"]
    while frontier - reached:
        ref = (frontier - reached).pop()
        reached.add(ref)
        _, _, kind, name = ref.split("/", 3)
        _refs(components.get(kind, {}).get(name), frontier)
    for kind, table in components.items():
        components[kind] = {n: s for n, s in table.items() if f"#/components/{kind}/{n}" in reached}
    return spec


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    files = sorted(args.source.glob("*.json"))
    if not files:
        print(f"no OpenAPI specs (*.json) in {args.source}", file=sys.stderr)
        return 2
    TARGET.mkdir(parents=True, exist_ok=True)
    stale = []
    for file in files:
        text = render(compact(json.loads(file.read_text(encoding="utf-8"))))
        target = TARGET / file.name
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
            continue
        target.write_text(text, encoding="utf-8")
        print(f"{file.name}: {file.stat().st_size:,} -> {len(text.encode()):,} bytes")
    if stale:
        print(f"out of date: {', '.join(stale)} (run scripts/compact_openapi.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
