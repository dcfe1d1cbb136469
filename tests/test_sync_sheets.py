"""A sync that may remove never reads part of a workbook as the whole of it.

By default a workbook is read from its first sheet of pairs; a later one ("February" after
"January") is left unread with a warning.  A sync with removals then took the associations
listed on the unread sheet for records both sheets name as "not in the sheet", and removed
them.  It now stops before anything is read or sent, naming the sheet and how to read it;
reading every sheet, or naming the one to sync, runs as before.  Export files longer than an
Excel sheet go on in a second sheet, which the same rule covers.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut
from hubframe.report import excel as report_excel
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, workbook_bytes

pytestmark = pytest.mark.profiles

Factory = Callable[..., Sandbox]
DEAL, OTHER = "7200000001", "7200000002"
CONTACTS = [str(8_200_000_001 + i) for i in range(4)]


MONTHS = {
    "January": [["Deal ID", "Contact ID"], [DEAL, CONTACTS[0]], [DEAL, CONTACTS[1]]],
    "February": [["Deal ID", "Contact ID"], [DEAL, CONTACTS[2]]],
}


def _portal(make: Factory) -> Sandbox:
    sb = make(seed=None)
    sb.add_records("deals", [DEAL, OTHER])
    sb.add_records("contacts", CONTACTS)
    for contact in CONTACTS[:3]:
        sb.associate("deals", DEAL, "contacts", contact)
    return sb


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], strict=True))


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_sync_with_removals_stops_at_a_later_sheet_left_unread(
    sandbox_factory: Factory, dry_run: bool
) -> None:
    """Before: the February contact was removed from the deal, listed on the sheet."""
    sb = _portal(sandbox_factory)
    before = _linked(sb)
    with pytest.raises(InputError) as info:
        hf.sync(
            workbook_bytes(MONTHS),
            client_for(sb),
            allow_removals=True,
            dry_run=dry_run,
            progress=False,
        )
    message = str(info.value)
    assert "sheet 'February' was not read" in message and 'sheet="*"' in message
    assert "would remove the ones listed on that sheet" in message
    assert _linked(sb) == before
    assert sb.request_log().empty  # nothing read or sent


def test_every_sheet_or_a_named_one_syncs_as_before(sandbox_factory: Factory) -> None:
    sb = _portal(sandbox_factory)
    data, client = workbook_bytes(MONTHS), client_for(sb)
    every = hf.sync(hf.read_pairs(data, sheet="*"), client, allow_removals=True, progress=False)
    assert set(every["change"]) == {"keep"} and len(_linked(sb)) == 3
    january = hf.read_pairs(data, sheet="January")
    named = hf.sync(january, client, allow_removals=True, progress=False)
    assert named.loc[named["change"] == "remove", "to_id"].tolist() == [CONTACTS[2]]
    assert _linked(sb) == {(DEAL, CONTACTS[0]), (DEAL, CONTACTS[1])}  # the choice was said


def test_a_sync_that_only_adds_reads_the_first_sheet_as_before(sandbox_factory: Factory) -> None:
    sb = _portal(sandbox_factory)
    months = {**MONTHS, "January": [*MONTHS["January"], [DEAL, CONTACTS[3]]]}
    result = hf.sync(workbook_bytes(months), client_for(sb), progress=False)
    assert result.loc[result["change"] == "add", "to_id"].tolist() == [CONTACTS[3]]
    assert len(_linked(sb)) == 4


def test_the_command_line_stops_with_one_line_and_sends_nothing(
    sandbox_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sb = _portal(sandbox_factory)
    path = tmp_path / "months.xlsx"
    path.write_bytes(workbook_bytes(MONTHS))
    hub = ["--token", sb.token, "--base-url", sb.url]
    assert main(["sync", str(path), "--delete", *hub]) == 2
    err = capsys.readouterr().err
    assert "sheet 'February' was not read" in err and "--sheet '*'" in err
    assert "Traceback" not in err and sb.token not in err
    assert len(_linked(sb)) == 3
    assert main(["sync", str(path), "--delete", "--sheet", "*", *hub]) == 0
    assert len(_linked(sb)) == 3


def test_an_export_past_an_excel_sheet_syncs_only_when_read_whole(
    sandbox_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """write_pairs of more rows than a sheet holds goes on in "Associations (2)": read by
    default, the deal's later associations would have been removed."""
    monkeypatch.setattr(report_excel, "SHEET_ROWS", 3)  # a header and two rows a sheet
    sb = _portal(sandbox_factory)
    client = client_for(sb)
    links = hf.read_associations(client, "deals", "contacts", ids=[DEAL], progress=False)
    path = hf.write_pairs(links, tmp_path / "links.xlsx")
    with pytest.raises(InputError, match=r"sheet 'Associations \(2\)' was not read"):
        hf.sync(path, client, allow_removals=True, progress=False)
    whole = hf.read_pairs(path, sheet="*")
    result = hf.sync(whole, client, allow_removals=True, progress=False)
    assert set(result["change"]) == {"keep"} and len(_linked(sb)) == 3
    assert isinstance(whole, pd.DataFrame)


@pytest.mark.parametrize("named", ["Associations", 0])
def test_a_named_part_of_a_long_export_syncs_only_with_the_others(
    sandbox_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: object
) -> None:
    """Naming the first sheet of an export that goes on in "Associations (2)" read that sheet
    alone without a word, and a sync with removals removed what the next sheet lists for the
    deal both sheets name.  The next part is noted as left out: the sync stops, and so does
    a sync that only adds (it linked the first part's pairs alone, as an associate did)."""
    monkeypatch.setattr(report_excel, "SHEET_ROWS", 3)  # a header and two rows a sheet
    sb = _portal(sandbox_factory)
    client = client_for(sb)
    links = hf.read_associations(client, "deals", "contacts", ids=[DEAL], progress=False)
    path = hf.write_pairs(links, tmp_path / "links.xlsx")
    with pytest.warns(SheetsLeftOut, match=r"'Associations \(2\)' was not read: it may go on"):
        first = hf.read_pairs(path, sheet=named)
    with pytest.raises(InputError, match=r"Read both, or rename that sheet"):
        hf.sync(first, client, allow_removals=True, progress=False)
    assert len(_linked(sb)) == 3
    with pytest.raises(InputError, match=r"sync would link only the rows of the sheet read"):
        hf.sync(first, client, progress=False)
    assert len(_linked(sb)) == 3


def test_the_export_command_says_when_its_file_goes_on_in_more_sheets(
    sandbox_factory: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(report_excel, "SHEET_ROWS", 3)  # a header and two rows a sheet
    sb = _portal(sandbox_factory)
    hub = ["--token", sb.token, "--base-url", sb.url]
    ids = tmp_path / "deals.csv"
    ids.write_text(f"Record ID\n{DEAL}\n")
    for suffix, said in ((".xlsx", "2 sheets"), (".csv", None)):
        out = tmp_path / f"links{suffix}"
        argv = ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o", str(out)]
        assert main([*argv, *hub]) == 0
        text = capsys.readouterr().out
        if said is None:
            assert "sheets" not in text
        else:
            assert f"{out}: {said} (an Excel sheet holds 2 rows below its header)" in text
            assert "--sheet '*'" in text
            assert len(hf.read_pairs(out, sheet="*")) == 3


@pytest.mark.parametrize("sheet", [None, "*"])
def test_a_sheet_of_ids_under_columns_not_recognised_stops_a_sync_that_may_remove(
    sandbox_factory: Factory, sheet: str | None
) -> None:
    """February's headers are not ones hubframe knows ("Deal #"): the sheet was skipped with a
    warning, and a sync with removals removed the contact it lists from the deal January
    names.  A skipped sheet holding what look like record ids now stops such a sync; a sheet
    of notes does not."""
    sb = _portal(sandbox_factory)
    months = {**MONTHS, "February": [["Deal #", "Contact #"], [DEAL, CONTACTS[2]]]}
    with pytest.raises(InputError, match=r"sheet 'February' was not read .*record ids"):
        hf.sync(
            hf.read_pairs(workbook_bytes(months), sheet=sheet),
            client_for(sb),
            allow_removals=True,
            progress=False,
        )
    assert len(_linked(sb)) == 3 and sb.request_log().empty
    notes = {**MONTHS, "February": [["Notes"], ["call the buyer in March"], ["budget 2026"]]}
    result = hf.sync(
        hf.read_pairs(workbook_bytes(notes), sheet=sheet),
        client_for(sb),
        allow_removals=True,
        progress=False,
    )
    assert result.loc[result["change"] == "remove", "to_id"].tolist() == [CONTACTS[2]]


def _hiding(sheets: dict[str, list[list[str]]], hidden: str, state: str) -> bytes:
    """The workbook of ``sheets`` with sheet ``hidden`` hidden (``state``: Excel's hidden or
    veryHidden)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook_bytes(sheets)))
    book[hidden].sheet_state = state
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
@pytest.mark.parametrize("sheet", [None, "*"])
@pytest.mark.parametrize("first", [True, False])
def test_a_hidden_sheet_of_pairs_stops_a_sync_that_may_remove(
    sandbox_factory: Factory, state: str, sheet: str | None, first: bool
) -> None:
    """An "Archive" sheet the analyst hid, listing a contact of the deal the visible sheet
    names: the read skipped it as hidden, and a sync with removals removed that contact. It
    now stops the sync, before or after the visible sheet; a hidden sheet of notes does not,
    nor does naming the one sheet to sync, and the read warns only of visible sheets."""
    sb = _portal(sandbox_factory)
    archive = [["Deal ID", "Contact ID"], [DEAL, CONTACTS[2]]]
    order = ["Archive", "January"] if first else ["January", "Archive"]
    sheets = {name: archive if name == "Archive" else MONTHS["January"] for name in order}
    data = _hiding(sheets, "Archive", state)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SheetsLeftOut)
        frame = hf.read_pairs(data, sheet=sheet)
    assert frame["to_id"].tolist() == CONTACTS[:2]
    with pytest.raises(InputError, match=r"sheet 'Archive' was not read \(hidden\)") as info:
        hf.sync(frame, client_for(sb), allow_removals=True, progress=False)
    assert "Unhide it" in str(info.value)
    assert len(_linked(sb)) == 3 and sb.request_log().empty
    adds = hf.sync(frame, client_for(sb), progress=False)  # one that only adds runs
    assert set(adds["change"]) == {"keep"}
    notes = _hiding({**sheets, "Archive": [["Notes"], ["call the buyer"]]}, "Archive", state)
    result = hf.sync(notes, client_for(sb), allow_removals=True, progress=False)
    assert result.loc[result["change"] == "remove", "to_id"].tolist() == [CONTACTS[2]]
    sb.associate("deals", DEAL, "contacts", CONTACTS[2])
    named = hf.sync(hf.read_pairs(data, sheet="January"), client_for(sb), allow_removals=True)
    assert named.loc[named["change"] == "remove", "to_id"].tolist() == [CONTACTS[2]]
