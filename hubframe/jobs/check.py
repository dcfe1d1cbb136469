"""Validation that agrees with the run: the sheet's own checks, and, given a client, what a run
would find in HubSpot before sending.

:func:`validate_pairs` / :func:`validate_limits` are ``hf.validate_pairs`` / ``hf.validate_limits``.
Without a client they are :mod:`hubframe.validate`'s offline checks (a side named by email or
domain is checked as such, never as record ids).  With one they also check, with the same code a
run uses:

* emails, domains and other unique property values are looked up
  (:func:`hubframe.run.lookup.match_records`): a value HubSpot does not know is
  ``OBJECT_NOT_FOUND``, one several records hold ``AMBIGUOUS_RECORD``, as the run reports them;
* the association types of each object pair are read (which checks the token too), and
  labels resolve for their object pair (:class:`hubframe.run.labels.LabelBook`):
  ``UNKNOWN_LABEL`` with the labels that exist; a type id the pair does not have is
  ``INVALID_ASSOCIATION_TYPE``;
* with ``check_records=True``, every record id exists (objects batch read, 100 a call):
  ``OBJECT_NOT_FOUND`` otherwise;
* rows giving one contact, deal or ticket two different primary companies (HubSpot keeps one)
  are ``CONFLICTING_ROWS``, every one of them, as the run settles them
  (:mod:`hubframe.run.primary`);
* limits: the limits of each object pair are read, and the rows the run refuses for them are
  found as the run finds them: rows naming one limit in different spellings (a custom object
  by its type id and by its name, a label by its name and its type id) that ask different
  things, ``CONFLICTING_ROWS``; rows whose end state HubSpot would refuse,
  ``LABEL_LIMIT_ABOVE_OBJECT_LIMIT``.

Rows that already have an error are not looked up.  Errors that stop a run (a refused token,
HubSpot unreachable) are raised; other failed reads become an issue on the rows they concern.
Nothing is written to HubSpot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubframe.argtypes import flag
from hubframe.errors import ErrorCode
from hubframe.io.aliases import Kind
from hubframe.run.rows import issue_outcomes, read_input, text
from hubframe.run.work import Outcome
from hubframe.validate import validate_limits as _offline_limits
from hubframe.validate import validate_pairs as _offline_pairs
from hubframe.vocab import Status

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.run.portal import TokenHolder


def above_object_limit(offline: pd.DataFrame) -> set[int]:
    """Positions whose only errors are label limits above their object limit: their labels
    are checked too (a misspelled label is the row's problem, which the run names first)."""
    errors = offline.loc[offline["severity"] == "error"]
    if errors.empty:
        return set()
    above = errors["code"] == ErrorCode.LABEL_LIMIT_ABOVE_OBJECT_LIMIT
    return set(errors.loc[above, "position"].tolist()) - set(
        errors.loc[~above, "position"].tolist()
    )


def validate_pairs(
    pairs: Any, client: HubSpotClient | None = None, *, check_records: bool = False
) -> pd.DataFrame:
    """Every problem of every row of a pairs sheet, as one issues table (see the module
    docstring): offline without ``client``; with one, also what a run would find in HubSpot.

    ``pairs``: a frame of :func:`hubframe.read_pairs`, or anything it reads.
    """
    check_records = flag("check_records", check_records)
    frame, index = read_input(pairs, "pairs")
    if client is None:
        return _offline_pairs(frame, labels=index)
    from hubframe.jobs.online import pairs_online  # a run's modules: only when connected

    return pairs_online(frame, client, check_records=check_records, labels=index)


def validate_limits(limits: Any, client: HubSpotClient | None = None) -> pd.DataFrame:
    """Every problem of every row of a limits sheet: offline without ``client``; with one,
    also whether each row's label exists for its object pair (as the run resolves it), and
    what the run refuses once it has read HubSpot's limits: rows that name one limit in
    different spellings and ask different things (``CONFLICTING_ROWS``), and rows whose end
    state HubSpot would refuse (``LABEL_LIMIT_ABOVE_OBJECT_LIMIT``).

    ``limits``: a frame of :func:`hubframe.read_limits`, or anything it reads.
    """
    frame, index = read_input(limits, "limits")
    if client is None:
        return _offline_limits(frame, labels=index)
    from hubframe.jobs.online import limits_online  # a run's modules: only when connected

    return limits_online(frame, client, labels=index)


#: Where a validation with a client notes the portal it checked (``attrs["hubframe"]``: the
#: base URL and a salted SHA-256 of the token, never the token): a run with another portal
#: does not take its findings.
CHECKED_IN: Final = "checked_in"
#: Where a validation with a client notes, for each position it found a row's issue at, a
#: digest of that row's cells (``attrs["hubframe"]``): a job takes the finding only for a row
#: whose cells are the same (rows read from a DataFrame are numbered by position, so a sorted
#: frame's row number and the issue's cell alone can name another row).
ROW_DIGESTS: Final = "row_digests"

#: The codes only validation with a client finds (see the module docstring).
ONLINE_CODES: Final = frozenset(
    code.value
    for code in (
        ErrorCode.OBJECT_NOT_FOUND,
        ErrorCode.AMBIGUOUS_RECORD,
        ErrorCode.UNKNOWN_LABEL,
        ErrorCode.INVALID_ASSOCIATION_TYPE,
        ErrorCode.HUBSPOT_VALIDATION,
    )
)


def run_issues(
    frame: pd.DataFrame,
    given: pd.DataFrame | None,
    kind: Kind,
    client: TokenHolder | None = None,
    objects: Mapping[str, str] | None = None,
    labels: pd.Index | None = None,
) -> pd.DataFrame:
    """The issues a job settles its rows with (``issues=``): the sheet's own checks, made now on
    the rows as they are, and what a validation with a client found (``given``) on the rows it
    still describes.  Issues of another version of the frame (rows filtered out or sorted, cells
    edited since) never settle a row: the sheet's checks are not taken from ``given``, and a
    client's finding is kept only where the row's sheet, number and cell are still the ones it
    names, and every other cell of the row is as validated (:data:`ROW_DIGESTS`: a frame
    never read by hubframe is numbered anew by each read, so a sorted one's row numbers name
    other rows) -- and only for the portal it was found in: issues a validation found in another
    portal than ``client``'s (the sandbox, a test account) settle nothing.  A table without
    its digests (its ``attrs`` lost: saved as CSV and read back, joined with ``pd.concat``, made
    by hand) settles nothing but the sheet's checks: its row numbers and cells alone can name
    another row of a sorted frame (or of a sheet sorted and saved since), and the run finds
    what HubSpot holds itself.  ``objects``: the
    portal's custom object spellings (:func:`hubframe.run.spelling.sheet_objects`), so that
    rows of one record pair spelled two ways are repeats and conflicts of each other.
    ``labels``: the index labels of the DataFrame read, for the messages naming another row."""
    checks = _offline_pairs if kind == "pairs" else _offline_limits
    offline = checks(frame, objects, labels)
    if given is None or given.empty or not set(offline.columns) <= set(given.columns):
        return offline
    if client is not None and not _checked_in(given, client):
        return offline
    online = given.loc[given["code"].astype(str).isin(ONLINE_CODES).to_numpy(dtype=bool)]
    online = online.reset_index(drop=True)
    digests = (given.attrs.get("hubframe") or {}).get(ROW_DIGESTS)
    if not isinstance(digests, Mapping):  # not as validation returned it: see below
        return offline
    kept = online.loc[_describes(frame, online, digests)]
    if kept.empty:
        return offline
    both = pd.concat([offline, kept[list(offline.columns)].astype(offline.dtypes.to_dict())])
    ordered = both.sort_values("position", kind="stable").reset_index(drop=True)
    return ordered.astype(offline.dtypes.to_dict())


def settled_rows(
    source: pd.DataFrame,
    frame: pd.DataFrame,
    issues: pd.DataFrame,
    looked_up: Mapping[int, Outcome],
) -> dict[int, Outcome]:
    """The outcome of each row settled before sending: its issues on the rows as looked up
    (``frame``), the lookup's failure (a value HubSpot has no record for), and before that a
    row's own error in the sheet as validate finds it (``source``, before the lookup: an
    empty cell beside an email no record has is MISSING_VALUE, as validate says)."""
    settled = issue_outcomes(frame, issues) | dict(looked_up)
    if looked_up:
        own = issue_outcomes(source, _offline_pairs(source))
        settled |= {p: o for p, o in own.items() if p in looked_up and o.status is Status.INVALID}
    return settled


def _checked_in(issues: pd.DataFrame, client: TokenHolder) -> bool:
    """Whether ``issues`` were found in ``client``'s portal (or do not say where: a table made
    by hand or read from a file is taken as it is)."""
    meta = issues.attrs.get("hubframe")
    where = meta.get(CHECKED_IN) if isinstance(meta, Mapping) else None
    if not isinstance(where, Mapping):
        return True
    from hubframe.run.portal import PortalKey  # only for issues a client's validation found

    try:
        key = PortalKey(str(where["base_url"]), str(where["salt"]), str(where["token"]))
    except KeyError:
        return True
    return key.matches(client)


def row_digests(frame: pd.DataFrame, positions: Any) -> dict[str, str]:
    """``{position: digest}`` of the rows at ``positions``: a hash of every cell of the row
    but its sheet and row number (see :data:`ROW_DIGESTS`)."""
    at = sorted({int(p) for p in positions if 0 <= int(p) < len(frame)})
    if not at:
        return {}
    cells = frame.iloc[at][[c for c in frame.columns if c not in ("sheet", "row")]]
    hashed = pd.util.hash_pandas_object(cells, index=False).to_numpy(dtype=np.uint64)
    return {str(p): f"{h:016x}" for p, h in zip(at, hashed.tolist(), strict=True)}


def _describes(
    frame: pd.DataFrame, issues: pd.DataFrame, digests: Mapping[str, Any]
) -> npt.NDArray[np.bool_]:
    """Which issues still name their row: its position holds the same sheet, row number and
    cell (the issue's ``value`` in its ``column``), and the same cells throughout as the
    validation noted (``digests``)."""
    if frame.empty:  # every row filtered out: no issue names one (and none can be indexed)
        return np.zeros(len(issues), dtype=bool)
    positions = pd.to_numeric(issues["position"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(positions) & (positions >= 0) & (positions < len(frame))
    at = np.where(ok, positions, 0).astype(np.int64)
    for column in ("sheet", "row"):
        now = frame[column].to_numpy(dtype=object)[at]
        ok &= np.array([_same(a, b) for a, b in zip(now, issues[column], strict=True)], bool)
    for name, group in issues.groupby("column", sort=False).groups.items():
        where, column = issues.index.get_indexer(group), str(name)
        if column not in frame.columns:
            ok[where] = False
            continue
        now = frame[column].to_numpy(dtype=object)[at[where]]
        said = issues["value"].to_numpy(dtype=object)[where]
        ok[where] &= np.array([_same(a, b) for a, b in zip(now, said, strict=True)], bool)
    now_digests = row_digests(frame, at[ok])
    ok &= np.array([now_digests.get(str(p)) == digests.get(str(p)) for p in at], bool)
    return np.asarray(ok, dtype=bool)


def _same(now: Any, said: Any) -> bool:
    """A cell and the value an issue names alike (empty alike, numbers as their text)."""
    return (text(now) or "") == (text(said) or "")


__all__ = ["ONLINE_CODES", "run_issues", "validate_limits", "validate_pairs"]
