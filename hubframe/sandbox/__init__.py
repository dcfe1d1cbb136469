"""A local fake of HubSpot's CRM associations APIs, on a real HTTP server (127.0.0.1).

``Sandbox(seed="demo")`` serves the association, label and limit-configuration endpoints of
API versions v4 (both spellings), 2026-03 (and its 2025-09 alias) and 2026-09, with the bodies,
status codes, headers and errors of ``shared/hubspot-api.md``.

Modelled, not confirmed
-----------------------
(filled in below as behaviour lands)
"""

from __future__ import annotations

from hubframe.sandbox.core import Sandbox

__all__ = ["Sandbox"]
