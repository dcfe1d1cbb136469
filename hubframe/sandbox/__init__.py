"""A local fake of HubSpot's CRM associations APIs, on a real HTTP server (127.0.0.1).

``Sandbox(seed="demo")`` serves the association, label and limit-configuration endpoints of
API versions v4 (``/crm/v4/...`` and, for labels and limits, ``/crm/associations/v4/...``),
2026-03 (and its ``2025-09`` alias) and 2026-09, plus the CRM objects batch read and list, with
HubSpot's bodies, status codes, headers and errors; its responses validate against HubSpot's
OpenAPI specs (``tests/openapi_check.py`` lists the differences allowed).

Where HubSpot does not document a behaviour the sandbox models a guess; each guess a real
portal could plausibly make differently is a switch of ``Sandbox(behaviour=...)``
(:mod:`hubframe.sandbox.behaviour`; ``behaviour="hostile"`` picks the least convenient choice
of each).  docs/sandbox.md lists every endpoint and version served, every modelled behaviour
with its switch and the evidence for each choice, and how to run a client against it.

Layout: ``objects`` (object types and path spellings), ``portal`` (in-memory state and rules),
``routes`` (the endpoints: ``routes.table`` routes paths and versions to them, ``routes.parsing``
reads requests, ``routes.common`` holds shared replies and JSON, and one module per family:
``associations`` (batch), ``single`` (single-record PUT / DELETE / GET list), ``labels``,
``limits`` and ``records`` (the CRM objects batch read and list)), ``bodies`` (error and batch
JSON), ``server`` (HTTP, auth, rate limit, faults, latency, request log), ``core``
(:class:`Sandbox`), ``behaviour`` (the switches and presets), ``demo`` (the demo portal),
``serve`` (the CLI).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubframe.sandbox.behaviour import PRESETS, Behaviour

if TYPE_CHECKING:
    from hubframe.sandbox.core import Sandbox

__all__ = ["PRESETS", "Behaviour", "Sandbox"]


def __getattr__(name: str) -> Any:
    """``Sandbox`` is imported on first use: the server and its portal need pandas, and
    ``hubframe sandbox --help`` (which imports :mod:`hubframe.sandbox.serve`) does not."""
    if name != "Sandbox":
        raise AttributeError(f"module 'hubframe.sandbox' has no attribute {name!r}")
    from hubframe.sandbox.core import Sandbox

    globals()["Sandbox"] = Sandbox  # the next use is a plain attribute
    return Sandbox


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
