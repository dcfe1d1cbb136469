"""The Python API's writers never write over a file the table was read from.

``hf.export_report(result, "deals.xlsx")`` after ``hf.read_pairs("deals.xlsx")`` replaced the
analyst's workbook (every sheet of it) with the report: the command line and the notebook app
refuse such a path before they send anything, the Python API wrote it.  A table now keeps the
files it was read from (``attrs["hubframe"]["read_from"]``) and ``export_report``,
``export_retry`` and ``write_pairs`` refuse each of them, under any name (a link, a hard link,
``..``, a relative name after a change of folder, a name differing only in capital letters),
and the journal of the table's run.  The file is left byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.hubspot.client import HubSpotClient
from hubframe.report.reader import load_run
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, done_with

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_data"

Writer = Callable[[pd.DataFrame, Path], Any]
WRITERS: dict[str, tuple[Writer, str]] = {
    "report.xlsx": (hf.export_report, ".xlsx"),
    "report.csv": (hf.export_report, ".csv"),
    "retry.xlsx": (hf.export_retry, ".xlsx"),
    "retry.csv": (hf.export_retry, ".csv"),
    "write_pairs.xlsx": (hf.write_pairs, ".xlsx"),
    "write_pairs.csv": (hf.write_pairs, ".csv"),
}


@pytest.fixture(scope="module")
def portal() -> Iterator[tuple[Sandbox, HubSpotClient]]:
    sb = Sandbox(seed="demo").start()
    try:
        yield sb, client_for(sb)
    finally:
        done_with(sb)


def _sheet(folder: Path, suffix: str) -> Path:
    """A copy of a sample pairs sheet (deals and contacts of the demo portal) in ``folder``."""
    if suffix == ".xlsx":
        return Path(shutil.copy(SAMPLES / "deals_contacts.xlsx", folder / "deals.xlsx"))
    return Path(shutil.copy(SAMPLES / "contacts_companies.csv", folder / "deals.csv"))


def _refused(write: Writer, table: pd.DataFrame, path: Path, words: str) -> None:
    """``write`` refuses ``path`` with ``words``, and whatever is at ``path`` is unchanged."""
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(InputError, match=words):
        write(table, path)
    assert (path.read_bytes() if path.exists() else None) == before


def _written_elsewhere(write: Writer, table: pd.DataFrame, folder: Path, suffix: str) -> None:
    """The same table is written to a new file: only the path was refused."""
    out = folder / f"elsewhere{suffix}"
    write(table, out)
    assert out.stat().st_size > 0


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "sent"])
def test_a_run_never_writes_over_its_sheet(
    writer: str, dry_run: bool, portal: tuple[Sandbox, HubSpotClient], tmp_path: Path
) -> None:
    write, suffix = WRITERS[writer]
    sheet = _sheet(tmp_path, suffix)
    result = hf.associate(hf.read_pairs(sheet), portal[1], dry_run=dry_run, progress=False)
    _refused(write, result, sheet, "is the file this table was read from")
    _written_elsewhere(write, result, tmp_path, suffix)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_read_frame_is_never_written_over_its_sheet(suffix: str, tmp_path: Path) -> None:
    """``write_pairs`` of the frame ``read_pairs`` gave, edited or not: the workbook's other
    sheets and the analyst's own headers would be lost."""
    sheet = _sheet(tmp_path, suffix)
    frame = hf.read_pairs(sheet)
    edited = frame[frame["from_id"].notna()].copy()
    edited["label"] = edited["label"].fillna("Decision maker")
    for table in (frame, edited, frame.head(2), frame.reset_index(drop=True)):
        _refused(hf.write_pairs, table, sheet, "is the file this table was read from")
    _written_elsewhere(hf.write_pairs, edited, tmp_path, suffix)


def _spellings(sheet: Path, tmp_path: Path) -> dict[str, Path]:
    """The same file under other names."""
    (tmp_path / "sub").mkdir()
    linked = tmp_path / f"linked{sheet.suffix}"
    linked.symlink_to(sheet)
    hard = tmp_path / f"hard{sheet.suffix}"
    os.link(sheet, hard)
    return {
        "a symbolic link": linked,
        "a hard link": hard,
        "a path through ..": tmp_path / "sub" / ".." / sheet.name,
        "the file the link names": sheet.resolve(),
    }


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_every_name_of_the_sheet_is_refused(
    suffix: str, portal: tuple[Sandbox, HubSpotClient], tmp_path: Path
) -> None:
    real = _sheet(tmp_path, suffix)
    via_link = tmp_path / f"via-link{suffix}"
    via_link.symlink_to(real)  # read through a link: the file it names is the one kept safe
    result = hf.associate(hf.read_pairs(via_link), portal[1], dry_run=True, progress=False)
    for name, path in _spellings(real, tmp_path).items():
        for write, kind in (WRITERS[f"report{suffix}"], WRITERS[f"retry{suffix}"]):
            assert kind == suffix
            try:
                _refused(write, result, path, "is the file this table was read from")
            except AssertionError as exc:
                raise AssertionError(f"{name}: {exc}") from exc
    twin = tmp_path / real.name.upper()  # one file on macOS's and Windows's disks
    _refused(hf.export_report, result, twin, "only in capital letters")
    assert not twin.exists()


def test_a_relative_name_after_a_change_of_folder(
    portal: tuple[Sandbox, HubSpotClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sheet is kept by its absolute path when read: a relative name given after a
    notebook changed folder names the sheet only if it is the same file."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    sheet = _sheet(first, ".csv")
    monkeypatch.chdir(first)
    result = hf.associate(hf.read_pairs("deals.csv"), portal[1], dry_run=True, progress=False)
    monkeypatch.chdir(second)
    hf.export_report(result, "deals.csv")  # another folder's file of that name: written
    assert (second / "deals.csv").exists()
    _refused(hf.export_report, result, Path("../first/deals.csv"), "was read from")
    assert sheet.read_bytes() == (SAMPLES / "contacts_companies.csv").read_bytes()


def test_limits_and_labels_sheets(portal: tuple[Sandbox, HubSpotClient], tmp_path: Path) -> None:
    limits = Path(shutil.copy(SAMPLES / "limits.csv", tmp_path / "limits.csv"))
    done = hf.configure_limits(hf.read_limits(limits), portal[1], dry_run=True, progress=False)
    for writer in ("report.csv", "retry.csv"):
        _refused(WRITERS[writer][0], done, limits, "was read from")
    labels = tmp_path / "labels.csv"
    labels.write_text("From object,To object,Label\nDeals,Contacts,Sponsor\n", encoding="utf-8")
    made = hf.configure_labels(labels, portal[1], dry_run=True)
    _refused(hf.export_report, made, labels, "was read from")
    _written_elsewhere(hf.export_report, made, tmp_path, ".csv")


def test_the_ids_sheet_of_an_export(portal: tuple[Sandbox, HubSpotClient], tmp_path: Path) -> None:
    ids = tmp_path / "deals.csv"
    frame = hf.read_pairs(_sheet(tmp_path, ".xlsx"))
    pd.DataFrame({"Deal ID": frame["from_id"].dropna().unique()[:3]}).to_csv(ids, index=False)
    exported = hf.read_associations(portal[1], "deals", "contacts", ids, progress=False)
    assert len(exported)
    _refused(hf.write_pairs, exported, ids, "was read from")
    _written_elsewhere(hf.write_pairs, exported, tmp_path, ".csv")


@pytest.mark.filterwarnings("ignore::hubframe.run.portal.PortalUnchecked")  # a .csv report
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_undo_never_writes_over_the_report_it_undoes(
    suffix: str, portal: tuple[Sandbox, HubSpotClient], tmp_path: Path
) -> None:
    """The report of the run undone is its only record: the undo's report goes elsewhere."""
    result = hf.associate(hf.read_pairs(_sheet(tmp_path, ".xlsx")), portal[1], progress=False)
    report = hf.export_report(result, tmp_path / f"run{suffix}")
    undone = hf.undo(report, portal[1], progress=False)
    assert set(undone["status"]) <= {"success", "skipped"}
    for writer in (f"report{suffix}", f"retry{suffix}"):
        _refused(WRITERS[writer][0], undone, report, "was read from")
    _refused(hf.export_report, load_run(report), report, "was read from")


def test_a_run_never_writes_over_its_journal(
    portal: tuple[Sandbox, HubSpotClient], tmp_path: Path
) -> None:
    journal = tmp_path / "journal.csv"  # a journal may have any name, a report's one too
    sheet = hf.read_pairs(_sheet(tmp_path, ".xlsx"))
    result = hf.associate(sheet, portal[1], journal=journal, progress=False)
    _refused(hf.export_report, result, journal, "the journal and the report cannot be one file")
    _refused(hf.export_retry, result, journal, "cannot be one file")
    _refused(hf.export_report, load_run(journal), journal, "was read from")
    undone = hf.undo(journal, portal[1], progress=False)
    _refused(hf.export_report, undone, journal, "was read from")


def test_a_frame_read_again_keeps_its_file(
    portal: tuple[Sandbox, HubSpotClient], tmp_path: Path
) -> None:
    """A frame of read_pairs given to read_pairs (or to associate) again is still the sheet's."""
    sheet = _sheet(tmp_path, ".xlsx")
    again = hf.read_pairs(hf.read_pairs(sheet))
    result = hf.associate(again, portal[1], dry_run=True, progress=False)
    _refused(hf.write_pairs, again, sheet, "was read from")
    _refused(hf.export_report, result, sheet, "was read from")


def test_tables_not_read_from_a_file_are_written_anywhere(
    portal: tuple[Sandbox, HubSpotClient], tmp_path: Path
) -> None:
    """Bytes, a file object and a DataFrame name no file: nothing is refused for them."""
    sheet = _sheet(tmp_path, ".csv")
    for source in (sheet.read_bytes(), sheet.open("rb"), pd.read_csv(sheet, dtype=str)):
        frame = hf.read_pairs(source)
        assert "read_from" not in frame.attrs["hubframe"]
        out = tmp_path / "out.csv"
        hf.export_report(hf.associate(frame, portal[1], dry_run=True, progress=False), out)
        assert out.exists()
        out.unlink()


def test_the_reports_do_not_show_where_the_sheet_was(
    portal: tuple[Sandbox, HubSpotClient], tmp_path: Path
) -> None:
    """The path kept to protect the sheet is not written into what is shared: a report names
    the sheet by its file name, as before."""
    folder = tmp_path / "private-folder-name"
    folder.mkdir()
    result = hf.associate(hf.read_pairs(_sheet(folder, ".csv")), portal[1], progress=False)
    for name in ("r.csv", "r.xlsx", "retry.csv"):
        out = tmp_path / name
        (hf.export_retry if name.startswith("retry") else hf.export_report)(result, out)
        assert b"private-folder-name" not in out.read_bytes()
    book = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None, header=None, engine="calamine")
    cells = {str(v) for frame in book.values() for v in frame.to_numpy().ravel()}
    assert not any("private-folder-name" in cell for cell in cells)
