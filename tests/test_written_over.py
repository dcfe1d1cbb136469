"""What each writer writes over: a report only an empty file, a report or a retry workbook; a
retry file only an empty file or a retry file of the same sheet; no writer a journal.

Before, ``--retry-file`` naming another of the analyst's sheets emptied it (62 rows gone) or
replaced it with the rows to retry, ``--report`` named like a journal replaced the record
undo and resume read, and a result whose attrs a merge dropped was written over the sheet it
was read from.  Every writer x every kind of file already at the path: written over, or
refused and left byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.report import export_report, export_retry
from hubframe.sandbox import Sandbox
from tests.test_output_failures import _digest, _hub, _retry_ids, _sheet

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "deals_contacts.xlsx"
HEADER = "Deal ID,Contact ID,Association label,Notes"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pd.DataFrame]]:
    """The pairs sheet of test_output_failures (one row to retry) and its run's result."""
    from hubframe.testing import done_with

    sheet = _sheet(tmp_path_factory.mktemp("sheet"))
    sb = Sandbox(seed="demo").start()
    try:
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        yield sheet, hf.associate(hf.read_pairs(sheet), client, progress=False)
    finally:
        done_with(sb)


# --- The files already at the path -----------------------------------------------------------


def _analyst_sheet(path: Path, result: pd.DataFrame) -> None:
    if path.suffix == ".xlsx":
        shutil.copy(SAMPLE, path)
    else:
        path.write_text("Name,Email,Owner\nAnn,ann@example.com,Bo\n", encoding="utf-8")


def _same_header(path: Path, result: pd.DataFrame) -> None:
    """Another batch of the analyst's in the sheet's own layout: other pairs."""
    rows = [["2040000099", "1019360099", "Decision maker", "batch 2"]]
    frame = pd.DataFrame(rows, columns=HEADER.split(","))
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)


def _database(path: Path, result: pd.DataFrame) -> None:
    with sqlite3.connect(path) as db:
        db.execute("create table runs (id integer primary key, started text)")
        db.execute("insert into runs (started) values ('2026-01-02')")
    db.close()


def _not_a_spreadsheet(path: Path, result: pd.DataFrame) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def _empty(path: Path, result: pd.DataFrame) -> None:
    path.touch()


def _report(path: Path, result: pd.DataFrame) -> None:
    """A dry run's report (the command line keeps a report of a run that sent rows, as
    before: tests/test_output_failures.py)."""
    export_report(result.assign(status="planned", error_code=None), path)


def _retry(path: Path, result: pd.DataFrame) -> None:
    export_retry(result, path)


def _retry_saved_again(path: Path, result: pd.DataFrame) -> None:
    """The retry file saved again: by openpyxl (as Excel keeps a workbook's parts), or a .csv
    in cp1252 with semicolons (Excel's "CSV" where the comma is the decimal mark)."""
    export_retry(result, path)
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        book.active["D2"] = "fixed by hand"
        book.save(path)
    else:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table.to_csv(path, sep=";", index=False, encoding="cp1252")


def _unmarked_retry(path: Path, result: pd.DataFrame) -> None:
    """An .xlsx retry file without the mark, as an earlier hubframe wrote it."""
    export_retry(result, path)
    kept = path.with_suffix(".zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(kept, "w") as target:
        for info in source.infolist():
            if info.filename != "docProps/custom.xml":
                target.writestr(info, source.read(info.filename))
    kept.replace(path)


MAKERS: dict[str, Callable[[Path, pd.DataFrame], None]] = {
    "an analyst's sheet": _analyst_sheet,
    "another batch in the sheet's layout": _same_header,
    "a SQLite database": _database,
    "not a spreadsheet": _not_a_spreadsheet,
    "an empty file": _empty,
    "an earlier report": _report,
    "an earlier retry file": _retry,
    "a retry file saved again": _retry_saved_again,
    "an unmarked .xlsx retry file": _unmarked_retry,
}
#: (writer, kind) -> whether the writer writes over it, for both suffixes unless said.
WRITTEN_OVER: dict[tuple[str, str], bool | dict[str, bool]] = {
    **{("report", kind): False for kind in MAKERS},
    ("report", "an empty file"): True,
    ("report", "an earlier report"): True,
    ("report", "an earlier retry file"): {".xlsx": True, ".csv": False},
    ("report", "a retry file saved again"): {".xlsx": True, ".csv": False},
    **{("retry file", kind): False for kind in MAKERS},
    ("retry file", "an empty file"): True,
    ("retry file", "an earlier retry file"): True,
    ("retry file", "a retry file saved again"): True,
}
CASES = [
    (writer, kind, suffix)
    for writer in ("report", "retry file")
    for kind in MAKERS
    for suffix in (".xlsx", ".csv")
    if not (kind == "an unmarked .xlsx retry file" and suffix == ".csv")
]


def _made(kind: str, path: Path, result: pd.DataFrame) -> str:
    """The file of ``kind`` made at ``path``, dated 1970 (a file written since is not); its
    digest."""
    MAKERS[kind](path, result)
    os.utime(path, ns=(0, 0))
    return _digest(path)


def _expected(writer: str, kind: str, suffix: str) -> bool:
    said = WRITTEN_OVER[(writer, kind)]
    return said[suffix] if isinstance(said, dict) else said


def _write(writer: str, result: pd.DataFrame, path: Path) -> None:
    (export_report if writer == "report" else export_retry)(result, path)


@pytest.mark.parametrize(("writer", "kind", "suffix"), CASES)
def test_the_python_writers_write_over_only_their_own_files(
    run: tuple[Path, pd.DataFrame], tmp_path: Path, writer: str, kind: str, suffix: str
) -> None:
    _, result = run
    path = tmp_path / f"out{suffix}"
    kept = _made(kind, path, result)
    if _expected(writer, kind, suffix):
        _write(writer, result, path)
        assert path.stat().st_mtime_ns != 0  # written
        return
    with pytest.raises(InputError) as caught:
        _write(writer, result, path)
    said = str(caught.value)
    assert said.startswith(f"{path}: ") and "delete or move the file" in said, said
    assert _digest(path) == kept


@pytest.mark.parametrize(("writer", "kind", "suffix"), CASES)
def test_the_command_line_refuses_before_anything_is_sent(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    run: tuple[Path, pd.DataFrame],
    writer: str,
    kind: str,
    suffix: str,
) -> None:
    """``--report`` / ``--retry-file`` over each kind of file: exit 2 and one line, nothing
    sent, the file as it was; or written over (the run's exit code)."""
    _, result = run
    sheet = _sheet(tmp_path)  # the same sheet as the result's, here
    path = tmp_path / f"out{suffix}"
    kept = _made(kind, path, result)
    option = "--report" if writer == "report" else "--retry-file"
    capsys.readouterr()
    code = main(["associate", str(sheet), option, str(path), *_hub(sandbox)])
    err = capsys.readouterr().err
    if _expected(writer, kind, suffix):
        assert code == 1, err  # the missing contact's row failed
        assert path.stat().st_mtime_ns != 0  # written
        return
    assert code == 2, err
    [line] = err.strip().splitlines()
    assert f"{path}: holds " in line and "delete or move the file" in line, line
    assert _digest(path) == kept
    assert not (sandbox.request_log()["method"] == "POST").any()


# --- A table whose attrs are gone ------------------------------------------------------------


def _lost(result: pd.DataFrame, how: str) -> pd.DataFrame:
    """The result after a step of the analyst's that drops its attrs."""
    owners = pd.DataFrame({"row": [2], "owner": ["Ann"]})
    return {
        "merge": lambda: result.merge(owners, on="row", how="left"),
        "pd.merge": lambda: pd.merge(result, owners, on="row", how="left"),
        "join": lambda: result.join(owners.set_index("row"), on="row", rsuffix="_o"),
        "concat": lambda: pd.concat([result, _without_attrs(result)], ignore_index=True),
        "DataFrame": lambda: pd.DataFrame(result.to_dict("list")),
    }[how]()


def _without_attrs(result: pd.DataFrame) -> pd.DataFrame:
    """Another result (its attrs another run's): pd.concat keeps attrs only when all agree."""
    other = result.copy()
    other.attrs = {}
    return other


@pytest.mark.parametrize("how", ["merge", "pd.merge", "join", "concat", "DataFrame"])
@pytest.mark.parametrize("writer", ["report", "retry file"])
def test_a_table_whose_attrs_are_gone_never_replaces_its_sheet(
    run: tuple[Path, pd.DataFrame], tmp_path: Path, how: str, writer: str
) -> None:
    """The attrs that name the sheet (``read_from``) are gone after a merge, a concat or a
    DataFrame of the table: the writers wrote over the sheet it was read from."""
    sheet, result = run
    table = _lost(result, how)
    assert not table.attrs.get("hubframe", {}).get("read_from")
    own = tmp_path / sheet.name  # the sheet, where the analyst keeps it
    shutil.copy(sheet, own)
    kept = _digest(own)
    with pytest.raises(InputError, match="delete or move the file"):
        _write(writer, table, own)
    assert _digest(own) == kept
    other = tmp_path / "batch2.csv"
    _same_header(other, result)
    with pytest.raises(InputError, match="did not write"):
        _write(writer, table, other)


def test_a_csv_retry_file_is_written_over_from_a_table_whose_attrs_are_gone(
    run: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    """The retry file of the sheet is still its retry file for a merged table: its rows are
    rows of the table's sheet."""
    _, result = run
    path = tmp_path / "retry.csv"
    export_retry(result, path)
    export_retry(_lost(result, "DataFrame"), path)
    assert _retry_ids(path) == ["999999"]


# --- The command line's runs again -----------------------------------------------------------


def test_no_rows_to_retry_never_empties_another_sheet(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tester's case: every row succeeds, and ``--retry-file`` names another workbook of
    the analyst's (62 rows): it was emptied to a 'Retry' sheet of the run's header."""
    todo = tmp_path / "todo.csv"
    todo.write_text("Contact ID,Company ID\n1019360031,3120000011\n", encoding="utf-8")
    other = tmp_path / "my_other_sheet.xlsx"
    shutil.copy(SAMPLE, other)
    kept = _digest(other)
    argv = ["associate", str(todo), "--retry-file", str(other), *_hub(sandbox)]
    assert main(argv) == 2
    assert "holds a file hubframe did not write" in capsys.readouterr().err
    assert _digest(other) == kept and len(sandbox.request_log()) == 0


def test_a_report_never_replaces_a_journal(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tester's case: ``--journal run.csv`` then another sheet's ``--report run.csv``: the
    journal became a CSV report, run A's undo and resume record gone.  Nor a retry file, nor an
    export."""
    sheet = _sheet(tmp_path)
    journal = tmp_path / "run.csv"
    assert main(["associate", str(sheet), "--journal", str(journal), *_hub(sandbox)]) == 1
    kept, asked = _digest(journal), len(sandbox.request_log())
    ids = tmp_path / "deals.csv"
    ids.write_text("Deal ID\n2040000010\n", encoding="utf-8")
    export = ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o"]
    for argv in (
        ["associate", str(sheet), "--report", str(journal)],
        ["associate", str(sheet), "--retry-file", str(journal)],
        [*export, str(journal)],
    ):
        capsys.readouterr()
        assert main([*argv, *_hub(sandbox)]) == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert f"{journal}: holds a SQLite database (a hubframe journal?)" in line, line
    assert _digest(journal) == kept and len(sandbox.request_log()) == asked
    assert main(["undo", str(journal), "--dry-run", *_hub(sandbox)]) == 0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_same_command_again_writes_over_its_retry_file(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """The run again (a limit raised, HubSpot back) writes over its retry file; so does the
    chain ``s -> r1 -> r2`` run again; another sheet of the same header does not write over a
    .csv one (an .xlsx one is marked: any run's retry file is written over)."""
    sheet, first, second = _sheet(tmp_path), tmp_path / f"r1{suffix}", tmp_path / f"r2{suffix}"
    for source, retry in ((sheet, first), (first, second)):
        for _ in range(2):
            argv = ["associate", str(source), "--retry-file", str(retry), *_hub(sandbox)]
            assert main(argv) == 1, capsys.readouterr().err
    other = tmp_path / "other.csv"
    other.write_text(f"{HEADER}\n2040000010,1019360010,Decision maker,\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["associate", str(other), "--retry-file", str(second), *_hub(sandbox)])
    err = capsys.readouterr().err
    assert code == (2 if suffix == ".csv" else 0), err
    assert ("did not write" in err) == (suffix == ".csv"), err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_run_with_nothing_left_empties_its_retry_file(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """An earlier retry file of the sheet, every row of which now succeeds: emptied to its
    header (its rows must not be run again)."""
    sheet = tmp_path / "good.csv"
    sheet.write_text(f"{HEADER}\n2040000010,1019360010,Decision maker,\n", encoding="utf-8")
    retry = tmp_path / f"retry{suffix}"
    export_retry(hf.read_pairs(sheet).assign(status="failed"), retry)
    assert main(["associate", str(sheet), "--retry-file", str(retry), *_hub(sandbox)]) == 0
    assert "(no rows to retry: emptied)" in capsys.readouterr().out
    assert hf.read_pairs(retry).empty


def test_the_demo_runs_again(tmp_path: Path) -> None:
    """The demo writes over its own reports and retry files (marked workbooks)."""
    for _ in range(2):
        assert main(["demo", "--out", str(tmp_path), "--no-progress"]) == 0


@pytest.mark.parametrize(
    ("earlier", "written_over"),
    [
        ("2040000001,999999,,short", True),  # the row as the sheet has it
        ("2040000001,99999999999,,short", True),  # before its contact id was fixed
        ("2040000001,99999999999,,long", False),  # two cells another row's
        ("2040000077,99999999999,Champion,short", False),
    ],
)
def test_a_csv_retry_file_of_the_sheet_before_a_fix_is_its_retry_file(
    run: tuple[Path, pd.DataFrame], tmp_path: Path, earlier: str, written_over: bool
) -> None:
    """Fix the sheet's row and run it again: the earlier retry file holds the row as it was,
    one cell other than the sheet's; it is still this sheet's retry file.  A row that differs
    from every row of the sheet in two cells is another sheet's."""
    _, result = run
    path = tmp_path / "retry.csv"
    path.write_text(f"{HEADER}\n{earlier}\n", encoding="utf-8")
    kept = _digest(path)
    if written_over:
        export_retry(result, path)
        assert _retry_ids(path) == ["999999"]
        return
    with pytest.raises(InputError, match="did not write as a retry file of this sheet"):
        export_retry(result, path)
    assert _digest(path) == kept


@pytest.mark.parametrize("fixed", [False, True])
@pytest.mark.parametrize("header", ["Phone", "=Phone", "-Notes"])
def test_a_retry_file_with_guarded_cells_is_the_runs_own(
    sandbox: Sandbox, tmp_path: Path, header: str, fixed: bool
) -> None:
    """The retry writer puts a ' before a cell or header a spreadsheet would run ('+1 555 0101,
    '=needs check): read as stored, such a file was not this sheet's retry file, and the same
    command again (or again after a fix) was refused, "not written by hubframe" (helper-210).
    The guard is taken off before the rows are compared."""
    sheet = tmp_path / "sheet.csv"
    rows = ["2040000001,1019360001,+1 555 0100", "2040000002,10193600x2,=needs check"]
    sheet.write_text(f"Deal ID,Contact ID,{header}\n" + "\n".join(rows) + "\n")
    retry = tmp_path / "retry.csv"
    assert main(["associate", str(sheet), "--retry-file", str(retry), *_hub(sandbox)]) == 1
    assert "'=needs check" in retry.read_text(encoding="utf-8-sig")  # guarded as written
    if fixed:
        sheet.write_text(sheet.read_text().replace("10193600x2", "1019360002"))
    code = main(["associate", str(sheet), "--retry-file", str(retry), *_hub(sandbox)])
    assert code == (0 if fixed else 1)
    kept = retry.read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(kept) == (1 if fixed else 2), kept  # emptied to its header, or the row again
