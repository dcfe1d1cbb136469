"""The only package of hubframe that speaks HTTP: the HubSpot client and what it needs.

* :mod:`~hubframe.hubspot.client` -- :class:`HubSpotClient`: retries, errors, typed endpoint
  methods for associations, labels, limits and records;
* :mod:`~hubframe.hubspot.ratelimit` -- the rolling-window rate limiter every worker shares;
* :mod:`~hubframe.hubspot.wire` -- the 2xx answer (:class:`ApiResponse`) and connections that
  tell when a request leaves;
* :mod:`~hubframe.hubspot.pages` -- what a batch read's answer says of each record it asked
  about, and what to ask next (pages, records asked again);
* :mod:`~hubframe.hubspot.shapes` -- the entries of an answer's lists, checked as they arrive;
* :mod:`~hubframe.hubspot.auth` -- the masked token (:class:`Secret`) and the one place that
  writes it into a request.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubframe.hubspot.auth import Secret
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.hubspot.wire import ApiResponse

#: Imported on first use: the reading of an answer (``pages``) needs no HTTP library.
_LAZY = {
    "ApiResponse": "hubframe.hubspot.wire",
    "HubSpotClient": "hubframe.hubspot.client",
    "Secret": "hubframe.hubspot.auth",
}

__all__ = ["ApiResponse", "HubSpotClient", "Secret"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hubframe.hubspot' has no attribute {name!r}")
    found = getattr(importlib.import_module(module), name)
    globals()[name] = found
    return found
