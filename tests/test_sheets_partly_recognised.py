"""A sheet left unread whose header is recognised in part is never left out unsaid.

A workbook's later sheet of pairs headed `Deal | Contact | Label` (the label column
recognised, the id columns not) was left out with no `SheetsLeftOut` warning and without
`holds_rows`, while the same sheet without its `Label` column was warned of: a recognised label,
type id or category column, or one side's id column, made the reader take the sheet for neither
a table nor a sheet of unrecognised columns.  `sync(allow_removals=True)` then removed the pairs
that sheet lists, reporting success.  Now a sheet left unread that holds what look like record
ids (or, read for limits, a limit beside two object types) is said and stops a sync that may
remove, whatever part of its header is recognised; notes, label lookups and empty sheets stay
quiet.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut, read_limits, read_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, workbook_bytes

Factory = Callable[..., Sandbox]
Rows = list[list[Any]]
DEAL, OTHER = "7300000001", "7300000002"
CONTACTS = [str(8_300_000_001 + i) for i in range(3)]
FIRST: Rows = [["Deal ID", "Contact ID", "Label"], [DEAL, CONTACTS[0], None]]


def _read(sheets: dict[str, Rows], **kwargs: Any) -> tuple[dict[str, Any], list[str]]:
    """The read's notes and the SheetsLeftOut warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_pairs(workbook_bytes(sheets), **kwargs)
    said = [str(w.message) for w in caught if issubclass(w.category, SheetsLeftOut)]
    return frame.attrs["hubframe"], said


def _holding(info: dict[str, Any]) -> list[str]:
    return [s["sheet"] for s in info.get("skipped_sheets", []) if s["holds_rows"]]


PARTLY = {
    "a label column": [["Deal", "Contact", "Label"], [DEAL, CONTACTS[1], None]],
    "a type id column": [["Deal", "Contact", "Type ID"], [DEAL, CONTACTS[1], 3]],
    "a category column": [
        ["Deal", "Contact", "Association category"],
        [DEAL, CONTACTS[1], "HUBSPOT_DEFINED"],
    ],
    "one side's id column": [["Deal ID", "Contact", "Label"], [DEAL, CONTACTS[1], "Buyer"]],
    "one side's ids, the other in German": [["Deal ID", "Kontakt"], [DEAL, CONTACTS[1]]],
    "a label, ids in German": [["Geschäft", "Kontakt", "Bezeichnung"], [DEAL, CONTACTS[1], None]],
    "a title above the header": [
        ["Batch 2 (from the trade show)"],
        [],
        ["Deal", "Contact", "Label"],
        [DEAL, CONTACTS[1], None],
    ],
    "a label legend below its pairs": [
        ["Deal", "Contact"],
        [DEAL, CONTACTS[1]],
        [],
        ["Label", "Type ID"],
        ["Champion", 3],
    ],
    "one pair and no header": [[DEAL, CONTACTS[1]]],
    "a pair above a header of no rows": [[DEAL, CONTACTS[1]], [], ["Deal ID", "Contact ID"]],
}


@pytest.mark.parametrize("rows", PARTLY.values(), ids=PARTLY.keys())
def test_a_later_sheet_of_ids_under_a_partly_recognised_header_is_said(rows: Rows) -> None:
    """Before: no warning, `holds_rows` false (all but the sheet in German, no column of
    which is recognised: that one was said)."""
    info, said = _read({"Batch1": FIRST, "Batch2": rows})
    assert info["sheets_read"] == ["Batch1"]
    assert _holding(info) == ["Batch2"]
    assert len(said) == 1 and "sheet 'Batch2' was not read" in said[0]


def test_the_reason_says_what_the_recognised_columns_lack() -> None:
    info, _ = _read({"Batch1": FIRST, "Batch2": PARTLY["a label column"]})
    (skipped,) = info["skipped_sheets"]
    assert skipped["reason"].startswith("no column for the 'from' record id")
    assert "Columns found: Deal, Contact, Label" in skipped["reason"]
    info, _ = _read({"Batch1": FIRST, "Batch2": PARTLY["a pair above a header of no rows"]})
    (skipped,) = info["skipped_sheets"]
    assert skipped["reason"] == (
        "its header, row 3, heads no rows, and rows above it hold what look like record ids"
    )


QUIET = {
    "notes": [["Read me first"], ["This workbook links deals"]],
    "a label lookup": [["Label", "Type ID"], ["Champion", 3], ["Decision maker", 4]],
    "a label lookup with categories": [
        ["Label", "Association category", "Type ID"],
        ["Champion", "USER_DEFINED", 31],
    ],
    "a title naming one number": [["Portal", 4412345], ["notes on the import"]],
    "a summary": [["Stage", "Count"], ["won", 3]],
    "headers only": [["Deal", "Contact", "Label"]],
    "empty": [],
    # a lookup of records: one id a row beside words, under a header naming one side
    "a lookup of deals": [["Deal ID", "Deal name", "Amount"], [DEAL, "Big", 1000]],
    "an export of deals": [["Record ID", "Deal Name", "Deal Stage"], [DEAL, "Big", "won"]],
    # ... with numbers of five digits and more beside the id: amounts, phones, postal codes
    "a lookup of deals with amounts": [["Deal ID", "Deal name", "Amount"], [DEAL, "Big", 48500]],
    "an export with amounts": [
        ["Record ID", "Deal Name", "Amount", "Pipeline"],
        [DEAL, "Big", 125000, "default"],
    ],
    "a lookup of companies": [
        ["Company ID", "Company name", "Employees", "Postal code"],
        [DEAL, "Orbit", 12000, 80331],
    ],
    "a lookup of contacts": [["Contact ID", "Name", "Phone"], [DEAL, "Ann", 4915112345678]],
    "owners of deals": [["Deal ID", "Deal name", "Owner ID"], [DEAL, "Big", 81234567]],
}


@pytest.mark.parametrize("rows", QUIET.values(), ids=QUIET.keys())
def test_sheets_holding_no_pairs_stay_quiet(rows: Rows) -> None:
    info, said = _read({"Batch1": FIRST, "Other": rows})
    assert said == [] and _holding(info) == []


def test_a_chart_sheet_stays_quiet() -> None:
    import io

    from openpyxl import Workbook
    from openpyxl.chart import BarChart

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in FIRST:
        sheet.append(row)
    book.create_chartsheet("Chart").add_chart(BarChart())
    out = io.BytesIO()
    book.save(out)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SheetsLeftOut)
        frame = read_pairs(out.getvalue())
    assert _holding(frame.attrs["hubframe"]) == []


def test_a_later_limits_sheet_whose_limit_column_is_not_recognised_is_said() -> None:
    """Before: `From | To | Label | Cap` (the limit column not recognised) was left unsaid."""
    first = [["From", "To", "Label", "Max"], ["deals", "contacts", "Champion", 5]]
    more = [["From", "To", "Label", "Cap"], ["deals", "contacts", "Buyer", 3]]
    lookup = [["Label", "Type ID"], ["Champion", 3]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_limits(workbook_bytes({"Limits": first, "More": more, "Lookup": lookup}))
    said = [str(w.message) for w in caught if issubclass(w.category, SheetsLeftOut)]
    assert _holding(frame.attrs["hubframe"]) == ["More"]
    assert len(said) == 1 and "sheet 'More' was not read" in said[0]


# -- a seeded property: any header, rows of ids -> read or said, never silence ---------------

RECOGNISED = [
    "Label",
    "Association label",
    "Type ID",
    "Association type ID",
    "Association category",
    "Deal ID",
    "Contact ID",
    "From ID",
    "To ID",
]
UNRECOGNISED = ["Deal", "Contact", "Geschäft", "Kontakt", "Empresa", "Col A", "Notes", "#", ""]
VALUES = {"Label": ["Champion", "", "Buyer"], "Type ID": [3, 4, ""]}


def _header(rng: random.Random) -> list[str]:
    width = rng.randint(2, 5)
    return [rng.choice(rng.choice([RECOGNISED, UNRECOGNISED])) for _ in range(width)]


def _cell(rng: random.Random, header: str, holds_id: bool) -> object:
    if holds_id:
        return rng.choice([int(CONTACTS[1]), CONTACTS[2], int(DEAL), DEAL])
    if "label" in header.casefold():
        return rng.choice(VALUES["Label"])
    if "type id" in header.casefold():
        return rng.choice(VALUES["Type ID"])
    return rng.choice(["", "HUBSPOT_DEFINED", "see notes", 7])


def _random_sheet(rng: random.Random) -> Rows:
    """A sheet whose header mixes recognised and unrecognised names, under an optional title,
    with rows of which each holds two record ids (a pair), or one under a header none of whose
    names is recognised (a sheet whose columns say nothing: its one id may be a pair's).  One
    id a row under a header naming one side is a lookup of records, not pairs."""
    header = _header(rng)
    if not set(header) & set(RECOGNISED):
        ids = set(rng.sample(range(len(header)), rng.randint(1, min(2, len(header)))))
    else:
        ids = set(rng.sample(range(len(header)), 2))
    title: Rows = [["Batch 2"], []][: rng.choice([0, 0, 1, 2])]
    body = [
        [_cell(rng, h, i in ids) for i, h in enumerate(header)] for _ in range(rng.randint(1, 4))
    ]
    return [*title, header, *body]


@pytest.mark.parametrize("seed", seeds(40))
def test_a_sheet_of_ids_is_read_or_said_whatever_its_header(seed: int) -> None:
    """A workbook whose other sheet (before or after the first sheet of pairs) holds rows of
    ids under a random header: its rows are read, or it is said (a SheetsLeftOut warning
    naming it, `holds_rows`, which stops a sync that may remove), or the read stops naming
    it -- never silence."""
    rng = random.Random(seed)
    other = _random_sheet(rng)
    order: Sequence[tuple[str, Rows]] = [("Batch1", FIRST), ("Batch2", other)]
    if rng.random() < 0.3:
        order = order[::-1]
    try:
        info, said = _read(dict(order))
    except InputError as exc:
        assert "Batch2" in str(exc), (other, str(exc))
        return
    if "Batch2" in info["sheets_read"]:
        return
    assert "Batch2" in _holding(info), (other, info.get("skipped_sheets"))
    assert any("sheet 'Batch2' was not read" in s for s in said), (other, said)


# -- end to end: a sync that may remove keeps what the unread sheet lists ---------------------


def _portal(make: Factory) -> Sandbox:
    sb = make(seed=None)
    sb.add_records("deals", [DEAL, OTHER])
    sb.add_records("contacts", CONTACTS)
    for contact in CONTACTS[:2]:
        sb.associate("deals", DEAL, "contacts", contact)
    return sb


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], strict=True))


@pytest.mark.parametrize(
    "rows",
    [PARTLY["a label column"], PARTLY["one side's id column"], PARTLY["a title above the header"]],
    ids=["label", "one side", "title"],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_sync_with_removals_stops_at_a_partly_recognised_sheet(
    sandbox_factory: Factory, rows: Rows, dry_run: bool
) -> None:
    """Before: the pair Batch2 lists (the deal and its second contact) was archived, the row
    reported `success`."""
    sb = _portal(sandbox_factory)
    before = _linked(sb)
    assert (DEAL, CONTACTS[1]) in before
    with pytest.raises(InputError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", SheetsLeftOut)
        hf.sync(
            workbook_bytes({"Batch1": FIRST, "Batch2": rows}),
            client_for(sb),
            allow_removals=True,
            dry_run=dry_run,
            progress=False,
        )
    message = str(info.value)
    assert "sheet 'Batch2' was not read" in message
    assert "would remove the ones listed on that sheet" in message
    assert _linked(sb) == before
    assert sb.request_log().empty  # nothing read or sent


def test_a_sync_that_names_the_sheet_runs_as_before(sandbox_factory: Factory) -> None:
    """Naming the one sheet to sync is the analyst's choice: it removes what it does not list."""
    sb = _portal(sandbox_factory)
    data = workbook_bytes({"Batch1": FIRST, "Batch2": PARTLY["a label column"]})
    result = hf.sync(
        read_pairs(data, sheet="Batch1"), client_for(sb), allow_removals=True, progress=False
    )
    assert result.loc[result["change"] == "remove", "to_id"].tolist() == [CONTACTS[1]]
    assert _linked(sb) == {(DEAL, CONTACTS[0])}
