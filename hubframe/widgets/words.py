"""The analyst's words for hubframe's internal names, on screen: one table for the app.

Tables, files and journals keep hubframe's own names (``to_id``, ``associate_default``,
``purge_limit``: the result table contract).  What the app shows says what the analyst's sheet
and HubSpot say instead: "Contact ID", "link without label", "remove limit".  Reports keep the
contract names (they are read back by undo and by scripts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from hubframe.constants import OBJECT_TYPES_BY_NAME
from hubframe.io.meta import sheet_column_maps

#: What each action sends, in words.
ACTION_WORDS: Final[Mapping[str, str]] = {
    "associate": "link with label",
    "associate_default": "link without label",
    "create_limit": "set a new limit",
    "update_limit": "change the limit",
    "purge_limit": "remove limit",
    "archive": "remove link",
    "archive_labels": "remove label",
}

#: Column names of result and issue tables, in words (record ids: see :func:`record_id`).
COLUMN_WORDS: Final[Mapping[str, str]] = {
    "sheet": "Sheet",
    "row": "Row",
    "from_type": "From object",
    "from_id": "From record ID",
    "to_type": "To object",
    "to_id": "To record ID",
    "label": "Label",
    "category": "Label category",
    "type_id": "Label type ID",
    "max_to_object_ids": "Limit",
    "remove": "Remove limit",
    "current_max": "Limit now",
    "limit_change": "What changes",
    "records_over": "Records over the new limit",
    "action": "What is sent",
    "status": "Status",
    "error_code": "Problem",
    "error_message": "Message",
    "http_status": "HTTP status",
    "hubspot_category": "HubSpot category",
    "correlation_id": "HubSpot correlation ID",
    "batch": "Batch",
    "attempts": "Attempts",
    "existed_before": "Existed before",
    "linked_before": "Linked before",
    "primary_before": "Primary company before",
    "column": "Column",
    "value": "Value",
    "code": "Problem",
    "message": "Message",
    "severity": "Severity",
    "rows": "Rows",
    "batches": "Batches",
    "meaning": "Meaning",
    "what to do": "What to do",
}


def record_id(object_type: object, side: str) -> str:
    """The id column of one side as HubSpot names it: "Contact ID", "Line item ID"; a custom
    or unknown type: "To record ID"."""
    known = OBJECT_TYPES_BY_NAME.get(str(object_type)) if object_type is not None else None
    if known is None:
        return f"{side.capitalize()} record ID"
    return f"{known.singular.replace('_', ' ').capitalize()} ID"


def _one_type(frame: pd.DataFrame, column: str) -> str | None:
    if column not in frame.columns:
        return None
    values = frame[column].dropna().astype(str).unique()
    return str(values[0]) if len(values) == 1 else None


def column(frame: pd.DataFrame, name: str) -> str:
    """One column's name in words; record ids by the object type the frame's rows share."""
    side = name.removesuffix("_id")
    if name in ("from_id", "to_id"):
        return record_id(_one_type(frame, f"{side}_type"), side)
    return COLUMN_WORDS.get(name, name)


def issue_columns(
    issues: pd.DataFrame,
    headers: Mapping[str, str],
    sheet_headers: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.Series:
    """The ``column`` cells of an issues table as the analyst knows them: the header the row's
    own sheet gave it (``sheet_headers``: sheet -> hubframe column -> header, for sheets read
    together), else the read's (``headers``: hubframe column -> header, for a read of one sheet
    or a sheet not listed), else the column in words.  Sheets read together may name a field
    apart ("Deal ID" on one, "Deal Record ID" on another): the union map named the last
    sheet's header on every sheet's rows."""
    by_sheet = sheet_headers or {}
    sheets = issues["sheet"] if "sheet" in issues.columns and by_sheet else None

    def name(sheet: object, column: object) -> object:
        own = by_sheet.get(sheet) if isinstance(sheet, str) else None
        found = own.get(str(column)) if own is not None else headers.get(str(column))
        return found or COLUMN_WORDS.get(str(column), column)

    if sheets is None:
        return issues["column"].map(lambda c: name(None, c))
    shown: dict[tuple[object, object], object] = {}
    cells = [
        shown[key] if key in shown else shown.setdefault(key, name(*key))
        for key in zip(sheets.tolist(), issues["column"].tolist(), strict=True)
    ]
    return pd.Series(cells, index=issues.index, dtype=object, name="column")


def headers_of(frame: pd.DataFrame | None) -> dict[str, str]:
    """hubframe column -> the header the sheet gave it (from a read frame's column map: for
    sheets read together their union, where the last sheet wins a field; see
    :func:`sheet_headers_of`)."""
    meta = (frame.attrs.get("hubframe") or {}) if frame is not None else {}
    return {str(field): str(header) for header, field in dict(meta.get("column_map", {})).items()}


def sheet_headers_of(frame: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """Each sheet read together (``sheet="*"``) -> hubframe column -> the header that sheet
    gave it (``sheet_column_maps``); empty for a read of one sheet."""
    maps = sheet_column_maps(frame.attrs.get("hubframe")) if frame is not None else {}
    return {
        sheet: {field: header for header, field in mapped.items()} for sheet, mapped in maps.items()
    }


#: The columns a job sends (or reads the sheet into): named "... (as sent)" beside a sheet
#: column of the same name, which shows the cell as the analyst wrote it.
SENT_COLUMNS: Final = frozenset(
    {"sheet", "row", "from_type", "from_id", "to_type", "to_id", "label", "category",
     "type_id", "max_to_object_ids", "remove", "action"}
)  # fmt: skip


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A result, plan or issues table as the app shows it: actions in words, and every column
    hubframe named in words.  A name the sheet uses already gets "(as sent)" on hubframe's
    column when it is one a job sends (the sheet's keeps the cell as written); hubframe's own
    outcome columns (``status``, ``error_code``...) keep their names and the sheet's column
    gets "(sheet)": a sheet's "Status" column ("won") was drawn as the row's status badge,
    and the row's status was called "Status (as sent)"."""
    out = frame.copy()
    out.attrs = {}  # not shown, and copied with each column taken out: quadratic in columns
    if "action" in out.columns:
        actions = out["action"].astype("string")
        out["action"] = actions.map(lambda a: ACTION_WORDS.get(str(a), a), na_action="ignore")
    ours = {str(c): column(frame, str(c)) for c in frame.columns if str(c) in COLUMN_WORDS}
    taken = {str(c) for c in frame.columns if str(c) not in COLUMN_WORDS}
    taken -= {"from_id", "to_id"}
    outcome = {words for name, words in ours.items() if name not in SENT_COLUMNS}
    names: list[str] = []
    for name in (str(c) for c in frame.columns):
        words = ours.get(name, name)
        if name in ours and name in SENT_COLUMNS and words != name and words in taken:
            words = f"{words} (as sent)"
        elif name not in ours and name in outcome:
            words = f"{name} (sheet)"
        names.append(words)
    out.columns = pd.Index(names, dtype=object)
    return out


__all__ = [
    "ACTION_WORDS",
    "COLUMN_WORDS",
    "column",
    "headers_of",
    "issue_columns",
    "record_id",
    "sheet_headers_of",
    "shown",
]
