"""hubframe: spreadsheets in, HubSpot CRM associations out.

Read analyst sheets into DataFrames, validate every row, plan and send HubSpot batch calls
fast and safely, and get one result row per input row back::

    import hubframe as hf
    pairs = hf.read_pairs("deals_contacts.xlsx")
    result = hf.associate(pairs, hf.HubSpotClient())
    hf.export_report(result, "report.xlsx")

The names below are imported when first used, so ``import hubframe`` (and ``hubframe --help``)
stay quick: a script that only reads sheets never loads the HTTP stack or the Excel writer.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is imported on first use too (mypy reads the block)
if TYPE_CHECKING:
    from typing import Any

    from hubframe.errors import (
        ApiError,
        AuthError,
        BusyError,
        ConfigurationError,
        ErrorCode,
        HubframeError,
        HubframeWarning,
        InputError,
        NetworkError,
        RateLimitError,
        ServerError,
    )
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.io import ReadLimits, read_limits, read_pairs
    from hubframe.jobs import (
        associate,
        configure_labels,
        configure_limits,
        read_associations,
        remove_associations,
        undo,
    )
    from hubframe.jobs.check import validate_limits, validate_pairs
    from hubframe.jobs.sync import sync
    from hubframe.report import export_report, export_retry, summarize, write_pairs
    from hubframe.widgets import HubframeApp

__version__ = "0.1.0"

#: The exceptions and codes of :mod:`hubframe.errors` (imported on first use too: the command
#: line's entry point, :mod:`hubframe.__main__`, catches a Ctrl-C only once it runs).
_ERRORS = (
    "ApiError",
    "AuthError",
    "BusyError",
    "ConfigurationError",
    "ErrorCode",
    "HubframeError",
    "HubframeWarning",
    "InputError",
    "NetworkError",
    "RateLimitError",
    "ServerError",
)
#: Public name -> the module that defines it (imported on first use).
_LAZY: dict[str, str] = {
    **dict.fromkeys(_ERRORS, "hubframe.errors"),
    "HubSpotClient": "hubframe.hubspot.client",
    "ReadLimits": "hubframe.io",
    "read_pairs": "hubframe.io",
    "read_limits": "hubframe.io",
    "validate_pairs": "hubframe.jobs.check",
    "validate_limits": "hubframe.jobs.check",
    "associate": "hubframe.jobs",
    "configure_limits": "hubframe.jobs",
    "configure_labels": "hubframe.jobs",
    "undo": "hubframe.jobs",
    "remove_associations": "hubframe.jobs",
    "sync": "hubframe.jobs.sync",
    "read_associations": "hubframe.jobs",
    "write_pairs": "hubframe.report",
    "export_report": "hubframe.report",
    "export_retry": "hubframe.report",
    "summarize": "hubframe.report",
}

__all__ = [
    "ApiError",
    "AuthError",
    "BusyError",
    "ConfigurationError",
    "ErrorCode",
    "HubSpotClient",
    "HubframeError",
    "HubframeWarning",
    "InputError",
    "NetworkError",
    "RateLimitError",
    "ReadLimits",
    "ServerError",
    "__version__",
    "app",
    "associate",
    "configure_labels",
    "configure_limits",
    "export_report",
    "export_retry",
    "read_associations",
    "read_limits",
    "read_pairs",
    "remove_associations",
    "summarize",
    "sync",
    "undo",
    "validate_limits",
    "validate_pairs",
    "write_pairs",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hubframe' has no attribute {name!r}")
    import importlib

    found = getattr(importlib.import_module(module), name)
    globals()[name] = found  # the next use is a plain attribute
    return found


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def app(**kwargs: Any) -> HubframeApp:
    """The notebook app (imports ipywidgets only when called); see :mod:`hubframe.widgets`."""
    from hubframe.widgets import app as _app

    return _app(**kwargs)
