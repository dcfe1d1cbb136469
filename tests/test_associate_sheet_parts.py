"""An associate never takes the first part of a long table for the whole of it, as a remove
does not (tests/test_remove_sheet_parts.py): an export longer than an Excel sheet, associated
into another portal, linked the first sheet's pairs alone, every row ``success`` and exit 0,
the later parts told only by a warning."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from test_remove_sheet_parts import CONTACTS, DEALS, _export, _linked, _parts, _portal

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, workbook_bytes


def _empty_portal() -> Sandbox:
    """The export's records, none of them linked: where the export is associated."""
    sb = Sandbox(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_associate_of_a_long_export_read_in_part_stops_before_anything_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    with _portal() as source:
        path = _export(source, tmp_path / "links.xlsx", monkeypatch)
    with _empty_portal() as sb:
        with warnings.catch_warnings(), pytest.raises(InputError) as info:
            warnings.simplefilter("ignore", SheetsLeftOut)
            hf.associate(path, client_for(sb), dry_run=dry_run, progress=False)
        message = str(info.value)
        assert "sheet 'Associations (2)' was not read" in message
        assert "associate would link only the rows of the sheet read" in message
        assert sb.request_log().empty and _linked(sb) == 0
        whole = hf.read_pairs(path, sheet="*")
        result = hf.associate(whole, client_for(sb), progress=False)
        assert result["status"].tolist() == ["success"] * 5 and _linked(sb) == 5


def test_the_command_line_stops_an_associate_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with _portal() as source:
        path = _export(source, tmp_path / "links.xlsx", monkeypatch)
    with _empty_portal() as sb:
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        assert main(["associate", str(path), *hub]) == 2
        err = capsys.readouterr().err
        assert "sheet 'Associations (2)' was not read" in err and "--sheet '*'" in err
        assert _linked(sb) == 0
        assert main(["associate", str(path), "--sheet", "*", *hub]) == 0
        assert _linked(sb) == 5


def test_another_table_left_out_is_associated_as_before() -> None:
    with _empty_portal() as sb:
        data = workbook_bytes(_parts("January", "February"))
        with pytest.warns(SheetsLeftOut, match="'February'"):
            result = hf.associate(data, client_for(sb), progress=False)
        assert result["status"].tolist() == ["success"] * 3 and _linked(sb) == 3


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_sync_without_removals_of_a_long_export_read_in_part_stops_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    """A sync that may not remove linked the first part's pairs alone (found reviewing the
    associate's refusal); one that may remove stopped already."""
    with _portal() as source:
        path = _export(source, tmp_path / "links.xlsx", monkeypatch)
    with _empty_portal() as sb:
        with warnings.catch_warnings(), pytest.raises(InputError) as info:
            warnings.simplefilter("ignore", SheetsLeftOut)
            hf.sync(path, client_for(sb), dry_run=dry_run, progress=False)
        assert "sync would link only the rows of the sheet read" in str(info.value)
        assert sb.request_log().empty and _linked(sb) == 0
