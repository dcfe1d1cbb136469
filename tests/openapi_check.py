"""Check sandbox responses against HubSpot's own OpenAPI specs (structure-only copies).

The specs live in ``tests/openapi/``: HubSpot's published specs with descriptions and examples
stripped by ``scripts/compact_openapi.py`` (paths, methods, parameters, schemas per status).

``SpecChecker.check(method, path, status, body)`` finds the operation the request path belongs
to (v4 in both spellings, 2026-03 and its 2025-09 alias, 2026-09 via the 2026-03 spec) and
validates the body against the schema of that status, or of ``default`` for errors, with
``$ref``s resolved from the spec's components (jsonschema, draft 2020-12 with format checks).

Documented differences between the specs and what HubSpot really sends (docs/sandbox.md,
"Differences from the specs") are allowed, and only those:

* ``fromObjectId`` / ``toObjectId`` typed string in the spec are JSON numbers in real responses,
  so integers are accepted there;
* ``label`` is ``null`` for unlabeled association types, so null is accepted there;
* ``StandardError.subCategory`` is typed object in the spec but a string in practice;
* 429 bodies carry ``errorType``/``policyName`` instead of ``category``: they are checked
  against :data:`RATE_LIMIT_SCHEMA` instead of ``Error``;
* 2026-09 has no spec here: its bodies are checked against the 2026-03 operation, where a
  2026-09 ``200`` stands for the 2026-03 success/multi-status schema (create, read and limit
  create/update answer 200 with ``errors``); the fields 2026-09 drops are optional anyway.

Three more are allowed only for a sandbox whose behaviour switch claims them
(:func:`allowances_of`; :class:`CheckedApi` passes them for its sandbox):

* ``created_as_ok`` (``created_status="200"``): a 200 where the spec declares only 201, as
  v3 batch create answers since 2025-08-21; checked against the 201 schema;
* ``null_limits`` (``limits_read="with_nulls"``): ``userEnforcedMaxToObjectIds`` null;
* ``bare_items`` (``error_details="bare"``): batch item errors without ``errors`` / ``links``
  (required by ``StandardError``, absent from quoted real items).
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

RATE_LIMIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "message", "errorType", "correlationId", "policyName", "requestId"],
    "properties": {
        "status": {"const": "error"},
        "message": {"type": "string"},
        "errorType": {"const": "RATE_LIMIT"},
        "correlationId": {"type": "string", "format": "uuid"},
        "policyName": {"enum": ["TEN_SECONDLY_ROLLING", "DAILY", "SECONDLY"]},
        "requestId": {"type": "string"},
    },
}
_NUMERIC_ID_FIELDS = ("fromObjectId", "toObjectId")
_DATE_VERSIONS = {"2026-09": "2026-03", "2025-09": "2026-03"}


#: The differences a sandbox behaviour switch claims (see the module docstring).
ALLOWANCES = ("created_as_ok", "null_limits", "bare_items")


def allowances_of(behaviour: Any) -> frozenset[str]:
    """The allowances a sandbox's behaviour (``Sandbox.behaviour``, or None) needs."""
    if behaviour is None:
        return frozenset()
    wanted = {
        "created_as_ok": str(behaviour.created_status) == "200",
        "null_limits": str(behaviour.limits_read) == "with_nulls",
        "bare_items": str(behaviour.error_details) == "bare",
    }
    return frozenset(name for name, on in wanted.items() if on)


class SpecMismatch(AssertionError):
    """A response that does not match HubSpot's spec."""


#: The committed, structure-only specs (scripts/compact_openapi.py writes them).
SPEC_DIR = Path(__file__).resolve().parent / "openapi"


def spec_dir() -> Path:
    """Where the specs are: ``tests/openapi``, or ``$HUBFRAME_OPENAPI_DIR`` when set."""
    directory = Path(os.environ.get("HUBFRAME_OPENAPI_DIR") or SPEC_DIR)
    if not any(directory.glob("*.json")):
        raise FileNotFoundError(f"no OpenAPI specs (*.json) in {directory}")
    return directory


def _relax(node: Any, allow: frozenset[str] = frozenset()) -> None:
    """Apply the documented differences (and the ``allow``-ed ones) to components, in place."""
    if isinstance(node, list):
        for item in node:
            _relax(item, allow)
        return
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if isinstance(props, dict):
        for name in _NUMERIC_ID_FIELDS:
            if props.get(name, {}).get("type") == "string":
                props[name] = {**props[name], "type": ["string", "integer"]}
        if props.get("label", {}).get("type") == "string":
            props["label"] = {**props["label"], "type": ["string", "null"]}
        if props.get("subCategory", {}).get("type") == "object":
            props["subCategory"] = {**props["subCategory"], "type": ["object", "string"]}
        limit = props.get("userEnforcedMaxToObjectIds", {})
        if "null_limits" in allow and limit.get("type") == "integer":
            props["userEnforcedMaxToObjectIds"] = {**limit, "type": ["integer", "null"]}
    for value in node.values():
        _relax(value, allow)


def _relaxed(components: dict[str, Any], allow: frozenset[str]) -> dict[str, Any]:
    """A relaxed deep copy of a spec's components."""
    out = copy.deepcopy(components)
    _relax(out, allow)
    item = out.get("schemas", {}).get("StandardError")
    if "bare_items" in allow and item is not None:
        item["required"] = [f for f in item.get("required", []) if f not in ("errors", "links")]
    return out


@dataclass(frozen=True)
class Operation:
    spec: str
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]
    components: dict[str, Any]
    request: dict[str, Any] | None = None  # the requestBody's JSON schema, when it has one


def _pattern(template: str) -> re.Pattern[str]:
    parts = [re.escape(p) if not p.startswith("{") else "[^/]+" for p in template.split("/")]
    return re.compile("^" + "/".join(parts) + "$")


class SpecChecker:
    """Validates (method, path, status, body) against the loaded OpenAPI operations."""

    def __init__(self, directory: Path) -> None:
        self.operations: list[Operation] = []
        self._error_components: dict[str, Any] | None = None
        self._raw: dict[str, dict[str, Any]] = {}  # spec file -> its components, as published
        self._variants: dict[tuple[str, frozenset[str]], dict[str, Any]] = {}
        for file in sorted(directory.glob("*.json")):
            spec = json.loads(file.read_text())
            self._raw[file.name] = spec.get("components", {})
            components = self._components(file.name, frozenset())
            self._error_components = self._error_components or components
            for template, ops in spec.get("paths", {}).items():
                for method, op in ops.items():
                    if method == "parameters":
                        continue
                    self.operations.append(
                        Operation(
                            file.name,
                            method.upper(),
                            template,
                            _pattern(template),
                            op.get("responses", {}),
                            components,
                            _request_schema(op),
                        )
                    )
        self._format = FormatChecker()
        #: Responses checked so far (make test prints the total).
        self.checked = 0

    def _components(self, spec: str, allow: frozenset[str]) -> dict[str, Any]:
        key = (spec, allow)
        if key not in self._variants:
            self._variants[key] = _relaxed(self._raw[spec], allow)
        return self._variants[key]

    @staticmethod
    def spec_path(path: str) -> tuple[str, str]:
        """(path as the specs spell it, version) for a path the sandbox serves."""
        path = path.split("?", 1)[0]
        version = "v4"
        for dated, base in _DATE_VERSIONS.items():
            for prefix in ("/crm/associations/", "/crm/objects/"):
                if path.startswith(prefix + dated + "/"):
                    version = dated if dated == "2026-09" else base
                    path = prefix + base + path[len(prefix + dated) :]
        if path.startswith(("/crm/associations/2026-03/", "/crm/objects/2026-03/")):
            version = version if version == "2026-09" else "2026-03"
        rest = path.removeprefix("/crm/v4/associations/")
        schema_op = rest.startswith("definitions/") or "/labels" in rest
        if rest != path and schema_op and "/batch/labels/" not in rest:
            path = "/crm/associations/v4/" + rest  # the SDK spelling of the schema paths
        return path, version

    def find(self, method: str, path: str) -> tuple[Operation | None, str]:
        spec_path, version = self.spec_path(path)
        for op in self.operations:
            if op.method == method and op.pattern.match(spec_path):
                return op, version
        return None, version

    def check(
        self,
        method: str,
        path: str,
        status: int,
        body: Any,
        allow: frozenset[str] = frozenset(),
    ) -> None:
        """Raise :class:`SpecMismatch` unless the response matches the spec (with the
        documented differences, and the behaviour-only ones named in ``allow``)."""
        self.checked += 1
        op, version = self.find(method, path)
        if status == 429:
            self._validate(RATE_LIMIT_SCHEMA, {}, body, method, path, status)
            return
        if op is None:
            if status < 400:
                raise SpecMismatch(f"{method} {path}: {status} for an operation not in the specs")
            self._validate(
                {"$ref": "#/components/schemas/Error"},
                self._error_components or {},
                body,
                method,
                path,
                status,
            )
            return
        schema = self._response_schema(op, status, version, method, path, allow)
        if schema is None:
            if body not in (None, b"", ""):
                raise SpecMismatch(f"{method} {path}: {status} must have no body, got {body!r}")
            return
        components = self._components(op.spec, allow)
        self._validate(schema, components, body, method, path, status)

    def _response_schema(
        self,
        op: Operation,
        status: int,
        version: str,
        method: str,
        path: str,
        allow: frozenset[str] = frozenset(),
    ) -> dict[str, Any] | None:
        responses = op.responses
        key = str(status)
        if version == "2026-09" and status == 200 and "200" not in responses:
            key = "207" if "207" in responses else "201"
        elif "created_as_ok" in allow and status == 200 and "200" not in responses:
            key = "201" if "201" in responses else key
        if key not in responses:
            if status < 400:
                declared = sorted(k for k in responses if k != "default")
                raise SpecMismatch(
                    f"{method} {path}: status {status} not declared for {op.template} "
                    f"({version}); declared: {declared}"
                )
            key = "default"
        response = responses[key]
        if "$ref" in response:
            response = op.components["responses"][response["$ref"].rsplit("/", 1)[-1]]
        content = response.get("content")
        if not content:
            return None
        media = content.get("application/json") or next(iter(content.values()))
        schema: dict[str, Any] = media["schema"]
        return schema

    def _validate(
        self,
        schema: dict[str, Any],
        components: dict[str, Any],
        body: Any,
        method: str,
        path: str,
        status: int,
    ) -> None:
        root = {**schema, "components": components}
        validator = Draft202012Validator(root, format_checker=self._format)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path) or "<root>"
            raise SpecMismatch(
                f"{method} {path} -> {status}: {len(errors)} schema error(s); first at {where}: "
                f"{first.message}"
            )

    def check_request(self, method: str, path: str, body: Any) -> None:
        """Raise :class:`SpecMismatch` unless a request hubframe sent matches its operation's
        request body schema (none sent where the spec has none, one where it requires one)."""
        op, _ = self.find(method, path)
        if op is None:
            raise SpecMismatch(f"{method} {path}: sent to an operation not in the specs")
        if op.request is None:
            if body is not None:
                raise SpecMismatch(f"{method} {path}: a body sent where the spec has none")
            return
        if body is None:
            raise SpecMismatch(f"{method} {path}: the spec requires a body, none sent")
        self._validate(op.request, op.components, body, method, path, 0)


def _request_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    return None if media is None else media.get("schema")


_CHECKER: SpecChecker | None = None


def get_checker() -> SpecChecker:
    """The shared checker (loaded once)."""
    global _CHECKER
    if _CHECKER is None:
        _CHECKER = SpecChecker(spec_dir())
    return _CHECKER


class CheckedApi:
    """Calls a sandbox over HTTP and checks every response against the specs."""

    def __init__(self, sandbox: Any, checker: SpecChecker, token: str | None = None) -> None:
        import requests  # tests only: the product's HTTP lives in hubframe.hubspot.client

        self.sandbox = sandbox
        self.checker = checker
        self.token = token if token is not None else sandbox.token
        #: The behaviour-only differences this sandbox's switches claim.
        self.allow = allowances_of(getattr(sandbox, "behaviour", None))
        self.session = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        token: str | None = None,
        expect: int | None = None,
    ) -> Any:
        """Send; assert the spec (and ``expect`` status); return the ``requests`` response."""
        headers = {"Content-Type": "application/json"}
        use = self.token if token is None else token
        if use:
            headers["Authorization"] = f"Bearer {use}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        r = self.session.request(
            method, self.sandbox.url + path, data=data, headers=headers, timeout=15
        )
        parsed = r.json() if r.content else None
        self.checker.check(method, path, r.status_code, parsed, self.allow)
        if expect is not None:
            assert r.status_code == expect, f"{method} {path}: {r.status_code} {parsed}"
        return r

    def close(self) -> None:
        self.session.close()
