"""The layering of docs/architecture.md, checked on the source: who may import whom.

Each rule names a part of the package (a module or a package prefix) and what it must not
import, directly (module level or inside a function).  A rule that fails names the file, the
line and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "hubframe"

#: part -> imports it must not make (prefixes).  Data flows forward: read -> check -> run ->
#: report; only hubframe.hubspot speaks HTTP; the sandbox shares nothing with the client side
#: but hubframe.constants.
RULES: dict[str, tuple[str, ...]] = {
    "hubframe.errors": ("hubframe.io", "hubframe.run", "hubframe.jobs", "hubframe.hubspot"),
    "hubframe.vocab": ("hubframe.io", "hubframe.run", "hubframe.jobs", "hubframe.hubspot"),
    "hubframe.constants": ("hubframe.",),
    "hubframe.io": (
        "requests", "urllib3", "ipywidgets", "hubframe.run", "hubframe.jobs",
        "hubframe.hubspot", "hubframe.report", "hubframe.validate", "hubframe.sandbox",
    ),
    "hubframe.validate": (
        "requests", "urllib3", "ipywidgets", "hubframe.run", "hubframe.jobs",
        "hubframe.hubspot", "hubframe.report", "hubframe.sandbox",
    ),
    "hubframe.hubspot": (
        "hubframe.io", "hubframe.run", "hubframe.jobs", "hubframe.report", "hubframe.sandbox",
        "hubframe.validate", "ipywidgets",
    ),
    "hubframe.run": ("requests", "urllib3", "ipywidgets", "hubframe.report", "hubframe.jobs"),
    "hubframe.run.plan": ("hubframe.hubspot.client", "hubframe.run.send"),
    "hubframe.run.table": ("hubframe.hubspot",),
    "hubframe.jobs": ("requests", "urllib3", "ipywidgets", "hubframe.widgets", "hubframe.cli"),
    "hubframe.report": (
        "requests", "urllib3", "ipywidgets", "hubframe.hubspot", "hubframe.jobs",
        "hubframe.run.send",
    ),
    "hubframe.sandbox": (
        "hubframe.hubspot", "hubframe.run", "hubframe.jobs", "hubframe.io", "hubframe.report",
        "hubframe.validate", "hubframe.widgets", "hubframe.cli",
    ),
}  # fmt: skip


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _applies(part: str, module: str) -> bool:
    return module == part or module.startswith(part + ".")


def _breaks(name: str, forbidden: str) -> bool:
    return name == forbidden.rstrip(".") or name.startswith(forbidden.rstrip(".") + ".")


FILES = sorted(ROOT.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layering(path: Path) -> None:
    module = _module(path)
    broken = [
        f"{path.relative_to(ROOT.parent)}:{line} imports {name} ({part} must not)"
        for part, forbidden in RULES.items()
        if _applies(part, module)
        for line, name in _imports(path)
        for prefix in forbidden
        if _breaks(name, prefix) and not _applies(part, name)
    ]
    assert not broken, "\n".join(broken)


def test_only_the_hubspot_package_speaks_http() -> None:
    speakers = {
        _module(path)
        for path in FILES
        for _, name in _imports(path)
        if _breaks(name, "requests") or _breaks(name, "urllib3")
    }
    allowed = {m for m in speakers if _applies("hubframe.hubspot", m)}
    assert speakers == allowed, sorted(speakers - allowed)
    assert allowed  # the rule looks at real imports
