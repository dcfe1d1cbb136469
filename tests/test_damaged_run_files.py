"""A damaged journal, report or edited result table is refused in words, never a traceback.

A journal whose portal salt is not hex (``bytes.fromhex``: ValueError), or whose cells hold
another type or shape (AttributeError, IndexError, OverflowError), a report whose portal key has
an odd number of hex digits, and a result table with two columns of one name or without a
record column crashed ``associate(journal=)``, ``undo``, ``summarize``, ``export_report`` and
``export_retry`` with pandas' and Python's own exceptions (the command line printed a
traceback).  Each is now an InputError naming the file or column.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")


def _pairs() -> pd.DataFrame:
    sheet = pd.DataFrame({"Deal ID": [str(DEALS[30]), str(DEALS[31])]} | {
        "Contact ID": [str(CONTACTS[130]), str(CONTACTS[131])]})  # fmt: skip
    return hf.read_pairs(sheet, from_type="deals", to_type="contacts")


@pytest.fixture(scope="module")
def journaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sandbox, Path]:
    sb = Sandbox(seed="demo").start()
    path = tmp_path_factory.mktemp("j") / "run.sqlite"
    hf.associate(_pairs(), client_for(sb), journal=path, progress=False)
    yield sb, path  # type: ignore[misc]
    sb.stop()


def _damaged(base: Path, tmp_path: Path, table: str, column: str, value: object) -> Path:
    path = tmp_path / "damaged.sqlite"
    shutil.copy(base, path)
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE {table} SET {column} = ?", (value,))
    return path


@pytest.mark.parametrize("salt", ["x", "", "0", "abc", "a" * 33])
def test_a_damaged_portal_salt_is_refused_in_words(
    journaled: tuple[Sandbox, Path], tmp_path: Path, salt: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    sb, base = journaled
    path = _damaged(base, tmp_path, "portal", "salt", salt)
    client = client_for(sb)
    for call in (
        lambda: hf.associate(_pairs(), client, journal=path, dry_run=True, progress=False),
        lambda: hf.undo(path, client, dry_run=True, progress=False),
    ):
        with pytest.raises(InputError, match="record of the portal its runs went to is damaged"):
            call()
    assert main(["undo", str(path), "--token", sb.token, "--base-url", sb.url]) == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [("before", "linked", "[]"), ("before", "linked", "null"), ("sent", "types", "[]"),
     ("sent", "run", "9" * 40)],
)  # fmt: skip
def test_a_journal_cell_of_another_shape_is_refused_in_words(
    journaled: tuple[Sandbox, Path], tmp_path: Path, table: str, column: str, value: object
) -> None:
    sb, base = journaled
    path = _damaged(base, tmp_path, table, column, value)
    with pytest.raises(InputError, match=r"journal .*damaged\.sqlite: could not"):
        hf.undo(path, client_for(sb), dry_run=True, progress=False)


@pytest.mark.parametrize("salt", ["a" * 33, "a" * 31 + "g", "a" * 35])
def test_a_report_portal_key_not_whole_bytes_is_refused_in_words(
    journaled: tuple[Sandbox, Path], tmp_path: Path, salt: str
) -> None:
    sb, _ = journaled
    client = client_for(sb)
    result = hf.associate(_pairs(), client, record_existing=True, progress=False)
    report = tmp_path / "r.xlsx"
    hf.export_report(result, report)
    book = pd.read_excel(report, sheet_name=None, header=None, dtype=str, engine="openpyxl")
    summary = book["Summary"]
    at = summary.index[summary[0] == "portal key"][0]
    summary.loc[at, 1] = f"sha256:{salt}:{'b' * 64}"
    with pd.ExcelWriter(report) as writer:
        for name, frame in book.items():
            frame.to_excel(writer, sheet_name=name, index=False, header=False)
    with pytest.raises(InputError, match="portal key"):
        hf.undo(report, client, dry_run=True, progress=False)


def _twice(result: pd.DataFrame, column: str) -> pd.DataFrame:
    out = result.copy()
    out.insert(0, column, out[column], allow_duplicates=True)
    return out


@pytest.mark.parametrize("column", ["status", "from_id", "error_code", "label"])
def test_a_result_table_with_a_column_twice_is_refused_in_words(
    sandbox: Sandbox, tmp_path: Path, column: str
) -> None:
    client = client_for(sandbox)
    edited = _twice(hf.associate(_pairs(), client, record_existing=True, progress=False), column)
    calls: list[Callable[[], object]] = [
        lambda: hf.summarize(edited),
        lambda: hf.export_report(edited, tmp_path / "r.xlsx"),
        lambda: hf.export_retry(edited, tmp_path / "retry.xlsx"),
        lambda: hf.undo(edited, client, dry_run=True, progress=False),
    ]
    for call in calls:
        with pytest.raises(InputError, match=f"2 columns named '{column}'"):
            call()


@pytest.mark.parametrize("column", ["from_type", "from_id", "to_type", "to_id"])
def test_undo_of_a_table_without_a_record_column_is_refused_in_words(
    sandbox: Sandbox, column: str
) -> None:
    client = client_for(sandbox)
    result = hf.associate(_pairs(), client, record_existing=True, progress=False)
    with pytest.raises(InputError, match=f"it has no {column} column"):
        hf.undo(result.drop(columns=[column]), client, dry_run=True, progress=False)
