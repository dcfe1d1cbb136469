"""A workbook read whole (``sheet="*"``) whose sheets list their columns in other orders
("Deal ID, Contact ID" on one, "Contact ID, Deal ID" on the next) or under other headers:
every row is judged by its own sheet's columns.

Before: the check of cells edited after the read (and the undo's check of a report's ids)
judged every row by the union of the sheets' column maps, so an unedited workbook of two such
sheets was refused as "edited after it was read" -- by ``associate``, the command line, and an
undo of its result table or report -- and a result table fed back took the text of a limit
cell from another sheet's column.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, workbook_bytes

DEALS = [str(i) for i in demo_ids("deals")[60:72]]
CONTACTS = [str(i) for i in demo_ids("contacts")[120:132]]
COMPANIES = [str(i) for i in demo_ids("companies")[30:42]]
OTHER = {"Contact ID": CONTACTS, "Company ID": COMPANIES}


def _workbook(r: random.Random) -> tuple[bytes, int]:
    """2-4 sheets of deals and contacts (or companies), each its own column order and notes."""
    sheets: dict[str, list[list[object]]] = {}
    n = 0
    for s in range(r.randint(2, 4)):
        other = r.choice(list(OTHER))
        head = ["Deal ID", other]
        if r.random() < 0.5:
            head.reverse()
        extra = r.sample(["Notes", "Owner"], r.randint(0, 2))
        rows: list[list[object]] = []
        for _ in range(r.randint(1, 3)):
            ids = {"Deal ID": DEALS[n], other: OTHER[other][n]}
            rows.append(
                [ids[h] if r.random() < 0.5 else int(ids[h]) for h in head] + ["x"] * len(extra)
            )
            n += 1
        sheets[f"S{s}"] = [head + extra, *rows]
    return workbook_bytes(sheets), n


def _read_book(tmp_path: Path, r: random.Random) -> tuple[pd.DataFrame, int]:
    """A workbook of :func:`_workbook` read whole (``sheet="*"``), and its rows' count."""
    data, rows = _workbook(r)
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    return hf.read_pairs(path, sheet="*"), rows


def _links(sb: Sandbox) -> set[tuple[str, str, str]]:
    out = set()
    for other in ("contacts", "companies"):
        found = sb.associations("deals", other)
        out |= {
            (other, str(f), str(t)) for f, t in zip(found["from_id"], found["to_id"], strict=True)
        }
    return out


@pytest.mark.parametrize("seed", seeds(5))
def test_a_workbook_of_sheets_in_other_orders_runs_and_undoes(tmp_path: Path, seed: int) -> None:
    r = random.Random(seed)
    pairs, rows = _read_book(tmp_path, r)
    assert len(pairs) == rows
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        before = _links(sb)
        planned = hf.associate(pairs, client, dry_run=True, progress=False)
        assert set(planned["status"]) == {"planned"}, planned
        result = hf.associate(pairs, client, progress=False, record_existing=True)
        assert set(result["status"]) == {"success"}, result
        made = _links(sb) - before
        assert len(made) == rows
        if r.random() < 0.5:
            undone = hf.undo(result, client, progress=False)
        else:
            undone = hf.undo(
                export_report(result, tmp_path / "report.xlsx"), client, progress=False
            )
        assert set(undone["status"]) == {"success"}, undone
        assert _links(sb) == before


@pytest.mark.parametrize("seed", seeds(4))
def test_an_edited_cell_of_any_sheet_is_still_refused(tmp_path: Path, seed: int) -> None:
    r = random.Random(seed)
    pairs, rows = _read_book(tmp_path, r)
    at = r.randrange(rows)
    contact = "Contact ID" in pairs and bool(pairs["Contact ID"].notna().iloc[at])
    header = r.choice(["Deal ID", "Contact ID" if contact else "Company ID"])
    edited = pairs.copy()
    edited.loc[at, header] = DEALS[11] if header == "Deal ID" else CONTACTS[11]
    edited.attrs = pairs.attrs
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        place = f"sheet '{pairs['sheet'].iloc[at]}' row {pairs['row'].iloc[at]}"
        with pytest.raises(InputError, match=f"'{header}' cell of {place} "):
            hf.associate(edited, client_for(sb), progress=False)
        assert _links(sb) == before


@pytest.mark.parametrize("filled", ["1019360132", " 7 ", "x"])
def test_a_cell_filled_in_a_column_its_sheet_had_not_is_refused(
    tmp_path: Path, filled: str
) -> None:
    """A workbook of a deals-contacts sheet and a deals-companies sheet read whole: a "Contact
    ID" typed on a row of the companies sheet went nowhere (its row's fields come from its own
    sheet's columns) and the run said ``success`` (seed 5016 of a campaign).  Refused naming
    the cell, whatever it says; cells left empty, and extra columns such as "Notes", pass."""
    path = tmp_path / "book.xlsx"
    path.write_bytes(
        workbook_bytes(
            {
                "People": [["Deal ID", "Contact ID"], [DEALS[0], CONTACTS[0]]],
                "Firms": [["Company ID", "Deal ID", "Notes"], [COMPANIES[1], DEALS[1], "n"]],
            }
        )
    )
    pairs = hf.read_pairs(path, sheet="*")
    with Sandbox(seed="demo") as sb:
        before = _links(sb)
        noted = pairs.copy()
        noted.loc[0, "Notes"] = "a note of the analyst's"
        noted.attrs = pairs.attrs
        assert set(hf.associate(noted, client_for(sb), dry_run=True)["status"]) == {"planned"}
        edited = pairs.copy()
        edited.loc[1, "Contact ID"] = filled
        edited.attrs = pairs.attrs
        with pytest.raises(InputError, match="'Contact ID' cell of sheet 'Firms' row 2 ") as e:
            hf.associate(edited, client_for(sb), progress=False)
        assert "sheet 'Firms' has no 'Contact ID' column" in str(e.value)
        assert _links(sb) == before


def test_a_limits_result_fed_back_keeps_each_sheets_unread_cell(tmp_path: Path) -> None:
    """Sheets of limits under "Max" and under "Limit": a result table fed back (it keeps the
    analyst's columns, not the reader's notes) took a cell "many" for blank, and with
    ``remove_blank`` removed that limit; it is refused BAD_LIMIT, naming it."""
    path = tmp_path / "limits.xlsx"
    path.write_bytes(
        workbook_bytes(
            {
                "A": [["From", "To", "Label", "Max"], ["deals", "contacts", "Decision maker", 5]],
                "B": [["From", "To", "Label", "Limit"], ["deals", "companies", "", "many"]],
            }
        )
    )
    limits = hf.read_limits(path, sheet="*", remove_blank=True)
    with Sandbox(seed="demo") as sb:
        first = hf.configure_limits(limits, client_for(sb), dry_run=True, progress=False)
        again = hf.configure_limits(
            first.drop(columns=[c for c in first.columns if str(c).startswith("_raw_")]),
            client_for(sb),
            dry_run=True,
            progress=False,
        )
    for result in (first, again):
        assert result["status"].tolist() == ["planned", "invalid"], result
        assert result["error_code"].iloc[1] == "BAD_LIMIT"
        assert "many" in str(result["error_message"].iloc[1])


def test_every_cell_filled_in_a_column_its_sheet_had_not_is_counted(tmp_path: Path) -> None:
    """Five rows of a companies sheet given a contact after the read: the first is named, the
    first three listed, two more counted, and the contact ids stay out of every field."""
    firms = [["Deal ID", "Company ID"], *([DEALS[i], COMPANIES[i]] for i in range(5))]
    people = [["Deal ID", "Contact ID"], [DEALS[6], CONTACTS[6]]]
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes({"Firms": firms, "People": people}))
    pairs = hf.read_pairs(path, sheet="*")
    edited = pairs.copy()
    firm_rows = pairs.index[pairs["sheet"] == "Firms"]
    edited.loc[firm_rows, "Contact ID"] = CONTACTS[:5]
    edited.attrs = pairs.attrs
    with Sandbox(seed="demo") as sb, pytest.raises(InputError) as e:
        hf.associate(edited, client_for(sb), dry_run=True)
    said = str(e.value)
    assert "'Contact ID' cell of sheet 'Firms' row 2 is '" + CONTACTS[0] + "'" in said
    assert (
        "(sheet 'Firms' row 2, sheet 'Firms' row 3, sheet 'Firms' row 4 and 2 more hold one)"
        in said
    )
    assert not set(CONTACTS[:5]) & set(edited["to_id"].dropna())
