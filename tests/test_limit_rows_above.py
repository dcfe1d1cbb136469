"""Rows of a limits sheet above its header row that read as rows of the table stop the read,
naming them, in every layout (From/To/Label/Max, Label/Max with the types given, with a Type ID
or a Category column, removals), CSV and xlsx alike: a limit (1 to 10000, or a remove word)
beside a label, or beside two cells that read as object types.  Before, Excel's Sort with "My
data has headers" off put limit rows above their header, and they were dropped as a title
without a word (``validate`` said "no problems found").  Title and notes rows are read past as
before."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hubframe.errors import InputError
from hubframe.io import read_limits
from hubframe.testing import xlsx_bytes


@dataclass(frozen=True)
class Layout:
    """A limits sheet's columns, and the types given as arguments when it has no type column."""

    name: str
    header: tuple[str, ...]
    types_given: bool = False

    def row(self, src: str, dst: str, label: str, limit: object) -> list[object]:
        cells = {"From": src, "To": dst, "Label": label, "Max": limit, "Type ID": "",
                 "Category": "USER_DEFINED" if label else ""}  # fmt: skip
        return [cells[h] for h in self.header]

    @property
    def kwargs(self) -> dict[str, str]:
        return {"from_type": "deals", "to_type": "contacts"} if self.types_given else {}


LAYOUTS = [
    Layout("standard", ("From", "To", "Label", "Max")),
    Layout("labels", ("Label", "Max"), types_given=True),
    Layout("type id", ("From", "To", "Label", "Type ID", "Max")),
    Layout("category", ("From", "To", "Category", "Label", "Max")),
    Layout("max first", ("Max", "Label", "From", "To")),
]

#: rows sorted above the header: (from, to, label, limit); types are not read in "labels"
ABOVE = {
    "label limit": [("deals", "contacts", "Champion", 5)],
    "two label limits": [("deals", "contacts", "Champion", 5), ("deals", "contacts", "Buyer", 40)],
    "a removal": [("deals", "contacts", "Champion", "remove")],
    "remove limit": [("deals", "contacts", "Buyer", "Remove Limit")],
    "object limit": [("deals", "contacts", "", 25)],
    "object removal": [("deals", "contacts", "", "no limit")],
    "singular types": [("Deal", "Contact", "", 7)],
    "type ids": [("0-3", "0-1", "", 7)],
}
BELOW = ("deals", "contacts", "Decision maker", 3)


def _cells(layout: Layout, rows: list[tuple[str, str, str, object]]) -> list[list[object]]:
    return [layout.row(*r) for r in rows]


def _sources(grid: list[list[object]]) -> dict[str, bytes]:
    csv = "\n".join(",".join(str(c) for c in r) for r in grid) + "\n"
    xlsx = xlsx_bytes([[None if c == "" else c for c in r] for r in grid])
    return {"csv": csv.encode(), "xlsx": xlsx}


def _cases() -> list[tuple[Layout, str]]:
    out = []
    for layout in LAYOUTS:
        for name, rows in ABOVE.items():
            if layout.types_given and not all(r[2] for r in rows):
                continue  # an object limit in a Label/Max sheet: an empty label, sorted last
            out.append((layout, name))
    return out


@pytest.mark.parametrize(("layout", "case"), _cases(), ids=lambda v: getattr(v, "name", v))
def test_limit_rows_above_the_header_stop_the_read(layout: Layout, case: str) -> None:
    above = _cells(layout, ABOVE[case])
    grid = [*above, list(layout.header), layout.row(*BELOW)]
    header_row = len(above) + 1
    for kind, data in _sources(grid).items():
        with pytest.raises(InputError) as caught:
            read_limits(data, **layout.kwargs)
        said = str(caught.value)
        listed = (
            "row 1" if len(above) == 1 else "rows " + ", ".join(map(str, range(1, len(above) + 1)))
        )
        assert listed in said, (kind, said)
        assert f"the header is row {header_row}" in said, (kind, said)


#: title and notes rows above a From/To/Label/Type ID/Max header (positional cells)
TITLES = {
    "sentence": [["Association limits (Q3 review)"]],
    "sentence and date": [["Association limits", "2026-03-01"]],
    "portal": [["Portal", 4412345, "production"]],
    "version": [["Version", 3, "final"]],
    "group": [["Objects", None, "Association", None, "Limit"]],
    "notes": [["object type", "object type", "exact label", "optional", "1 to 10000"]],
    # its From cell is no object type: a title (below the header it is BAD_OBJECT_TYPE)
    "limit title": [["Max contacts per deal", None, None, None, 25]],
    "settings": [["HubSpot settings > Objects > Deals > Associations"], ["Current limits"]],
    "group of types": [["Deals", "Contacts", None, None, None]],
    "types and notes": [["Deals", "Contacts", "labels below", None, "max per record"]],
}
HEADER5 = ["From", "To", "Label", "Type ID", "Max"]


@pytest.mark.parametrize("case", list(TITLES))
def test_title_rows_above_a_limits_header_are_read_past(case: str) -> None:
    above = TITLES[case]
    grid = [*above, HEADER5, ["deals", "contacts", "Champion", None, 5]]
    for kind, data in _sources([[c if c is not None else "" for c in r] for r in grid]).items():
        frame = read_limits(data)
        assert frame["row"].tolist() == [len(above) + 2], kind


#: title rows above a Label/Max header with the types given
LABEL_TITLES = {
    "sentence": [["Deal to contact limits"]],
    "sentence and date": [["Association limits", "2026-03-01"]],
    "portal": [["Portal 4412345", "production"]],
    "portal number": [["Portal", 4412345]],  # no limit HubSpot takes: a title's number
    "group": [["Association", "Limit"]],
    "notes": [["exact label", "1 to 10000"]],
}


@pytest.mark.parametrize("case", list(LABEL_TITLES))
def test_title_rows_above_a_label_max_header_are_read_past(case: str) -> None:
    above = LABEL_TITLES[case]
    grid = [*above, ["Label", "Max"], ["Champion", 5]]
    for kind, data in _sources([[c if c is not None else "" for c in r] for r in grid]).items():
        frame = read_limits(data, from_type="deals", to_type="contacts")
        assert frame["row"].tolist() == [len(above) + 2], kind


@pytest.mark.parametrize(
    ("grid", "kwargs"),
    [
        # a title whose second cell is a limit cannot be told from a label's limit
        ([["Version", 3], ["Label", "Max"], ["Champion", 5]],
         {"from_type": "deals", "to_type": "contacts"}),
        ([["Updated", 2025], ["Label", "Max"], ["Champion", 5]],
         {"from_type": "deals", "to_type": "contacts"}),
    ],
)  # fmt: skip
def test_rows_that_cannot_be_told_from_limits_are_refused(
    grid: list[list[object]], kwargs: dict[str, str]
) -> None:
    for data in _sources(grid).values():
        with pytest.raises(InputError, match="row 1 above it read as rows of the table"):
            read_limits(data, **kwargs)


@pytest.mark.parametrize(
    "above",
    [
        ["Portal", 4412345, "Revision", 2],
        ["Deal limits", "", "Labels covered", 3],
        ["Association limits", "", "FY", 2025],
        ["e.g. deals", "e.g. contacts", "Champion", 5],  # an example row: no object types
    ],
)  # fmt: skip
def test_titles_with_a_number_under_max_read_past_in_a_sheet_with_types(
    above: list[object],
) -> None:
    """A row above a From | To | Label | Max header counted as a row of the table whenever a
    number 1-10000 stood under Max beside any text under Label (a revision, a year, a count):
    sheets read the day before were refused.  A row of such a sheet carries its types."""
    grid = [above, ["From", "To", "Label", "Max"], ["deals", "contacts", "Champion", 5]]
    for data in _sources([[str(c) for c in r] for r in grid]).values():
        assert list(read_limits(data)["label"]) == ["Champion"]
