"""hubframe: spreadsheets in, HubSpot CRM associations out.

Read analyst sheets into DataFrames, validate every row, plan and send HubSpot batch calls
fast and safely, and get one result row per input row back.
"""

from __future__ import annotations

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

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AuthError",
    "ConfigurationError",
    "ErrorCode",
    "HubframeError",
    "InputError",
    "NetworkError",
    "RateLimitError",
    "ServerError",
    "__version__",
]
