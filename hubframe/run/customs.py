"""The portal's custom objects by every spelling a sheet may give them, from HubSpot's custom
object schemas list (``GET /crm-object-schemas/.../schemas``), read once, on first need.

Only the schemas list says which name is which type id on every API version: the labels lists
name the object type ids on 2026-03 and v4 (where a portal does not leave them out), never on
2026-09.  :mod:`hubframe.run.spelling` asks it for a name no labels list tells.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from hubframe.errors import HubframeError

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient


class CustomTypes:
    """Custom object spellings (``2-7350001``, ``p_installations``, ``p24681357_installations``)
    -> their type ids, as the schemas list names them; the list is read once (thread-safe), and
    a failed read's error is kept and raised again, not read again."""

    def __init__(self, client: HubSpotClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._ids: dict[str, str] | None = None
        self._failed: HubframeError | None = None

    def type_id(self, spelling: str) -> str | None:
        """The type id of the custom object ``spelling`` names (any case); None when the list
        names no such object.  Raises the :class:`HubframeError` of a failed read."""
        with self._lock:
            if self._ids is None and self._failed is None:
                self._read()
            if self._failed is not None:
                raise self._failed.with_traceback(None)
            return (self._ids or {}).get(spelling.lower())

    def _read(self) -> None:
        try:
            customs = self._client.custom_object_types()
        except HubframeError as exc:  # kept without its frames (the client's locals)
            self._failed = exc.with_traceback(None)
            return
        self._ids = {s: custom.type_id for custom in customs for s in custom.spellings}


__all__ = ["CustomTypes"]
