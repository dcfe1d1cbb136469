"""Why a run HubSpot stopped failed as a whole, in the words the command line and the app share.

A run stopped by the token (refused, or missing scopes), by HubSpot out of reach, or by HubSpot
refusing every request failed as a whole: its rows were not done, and running the retry file
again would meet the same stop.  A daily limit reached mid-run is not such a stop, nor is HubSpot
migrating the account (477, ``HUBSPOT_MIGRATING``): the rows done are done and the retry file has
the rest, to run once the limit resets or the migration is over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit

from hubframe.errors import CODE_INFO, ErrorCode

if TYPE_CHECKING:
    import pandas as pd

    from hubframe.errors import StopReason

#: Stops that fail the run as a whole, in the order a result holding several is said to have
#: stopped by (the token first).
WHOLE_RUN_STOPS: Final = (
    ErrorCode.UNAUTHORIZED,
    ErrorCode.MISSING_SCOPES,
    ErrorCode.NETWORK_ERROR,
    ErrorCode.REQUEST_REFUSED,
)


def undone_rows(result: pd.DataFrame, stop: StopReason) -> int:
    """How many rows of ``result`` the stop left undone (its status and code)."""
    status = result["status"].astype("string")
    codes = result["error_code"].astype("string")
    return int(((status == str(stop.status)) & (codes == str(stop.code))).fillna(False).sum())


def stopped_by(
    code: ErrorCode, result: pd.DataFrame, undone: int, unit: str, where: str
) -> str | None:
    """Why a run that ``code`` stopped failed as a whole (``undone`` of its ``unit`` not done,
    HubSpot at ``where``), or None when ``code`` does not fail a run so."""
    if code not in WHOLE_RUN_STOPS:
        return None
    partial = code in (ErrorCode.NETWORK_ERROR, ErrorCode.REQUEST_REFUSED)
    if partial and bool((result["status"].astype("string") == "success").any()):
        return None  # HubSpot went away mid-run: the retry file has the rest
    not_done = f"({undone} {unit}{'' if undone == 1 else 's'} not done)"
    if code is ErrorCode.NETWORK_ERROR:
        host = urlsplit(where).netloc or where
        return f"could not reach HubSpot at {host}; check the network and the base URL {not_done}"
    info = CODE_INFO[code]
    return f"{info.meaning} {info.action} {not_done}"
