"""The sandbox's endpoints, by family, and the table that routes requests to them.

``table`` (paths, methods and versions -> endpoints; :func:`match`, :func:`respond`),
``profile`` (the behaviour switches that reshape replies),
``parsing`` (:class:`Call`; request bodies, inputs, ids, specs, cursors), ``common`` (replies,
scopes, record pairs, shared JSON), and one module per endpoint family: ``associations`` (the
association batch endpoints), ``single`` (single-record PUT / DELETE / GET list), ``labels``,
``limits`` (limit configurations) and ``records`` (the CRM objects batch read and list).
"""

from __future__ import annotations

from hubframe.sandbox.routes.common import Reply
from hubframe.sandbox.routes.parsing import Call, Parsed, count_inputs, parse_body
from hubframe.sandbox.routes.table import Route, dispatch, match, respond

__all__ = [
    "Call",
    "Parsed",
    "Reply",
    "Route",
    "count_inputs",
    "dispatch",
    "match",
    "parse_body",
    "respond",
]
