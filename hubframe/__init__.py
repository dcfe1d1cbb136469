"""hubframe: spreadsheets in, HubSpot CRM associations out.

Read analyst sheets into DataFrames, validate every row, plan and send HubSpot batch calls
fast and safely, and get one result row per input row back::

    import hubframe as hf
    pairs = hf.read_pairs("deals_contacts.xlsx")
    result = hf.associate(pairs, hf.HubSpotClient())
    hf.export_report(result, "report.xlsx")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubframe.client import HubSpotClient
from hubframe.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    ErrorCode,
    HubframeError,
    InputError,
    NetworkError,
    RateLimitError,
    ServerError,
)
from hubframe.io import read_limits, read_pairs
from hubframe.jobs import associate, configure_limits
from hubframe.report import export_report, export_retry
from hubframe.results import summarize
from hubframe.undo import remove_associations, undo
from hubframe.validate import validate_limits, validate_pairs

if TYPE_CHECKING:
    from hubframe.widgets import HubframeApp

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AuthError",
    "ConfigurationError",
    "ErrorCode",
    "HubSpotClient",
    "HubframeError",
    "InputError",
    "NetworkError",
    "RateLimitError",
    "ServerError",
    "__version__",
    "app",
    "associate",
    "configure_limits",
    "export_report",
    "export_retry",
    "read_limits",
    "read_pairs",
    "remove_associations",
    "summarize",
    "undo",
    "validate_limits",
    "validate_pairs",
]


def app(**kwargs: Any) -> HubframeApp:
    """The notebook app (imports ipywidgets only when called); see :mod:`hubframe.widgets`."""
    from hubframe.widgets import app as _app

    return _app(**kwargs)
