"""A database that is no hubframe journal, given as one, is refused and left byte for byte.

An analyst who gives another program's SQLite file as ``--journal`` (``crm.sqlite`` for
``run.sqlite``) was refused, but only after the file was turned to write-ahead logging and,
when its own ``user_version`` was 3-7, given hubframe's tables and format number: the other
program's schema version overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import random
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.run.journal import SCHEMA_VERSION
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

SHEET = pd.DataFrame({"Deal ID": [demo_ids("deals")[3]], "Contact ID": [demo_ids("contacts")[3]]})


def _database(path: Path, version: int, tables: list[str]) -> None:
    db = sqlite3.connect(path)
    for name in tables:
        db.execute(f'CREATE TABLE "{name}" (id INTEGER PRIMARY KEY, name TEXT)')
        db.execute(f'INSERT INTO "{name}" (name) VALUES (?)', ("ACME",))
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


def _state(path: Path) -> tuple[str, list[str]]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), sorted(
        p.name for p in path.parent.iterdir()
    )


def _refused_unchanged(path: Path, attempt: object) -> str:
    before = _state(path)
    with pytest.raises(InputError) as caught:
        attempt()  # type: ignore[operator]
    assert _state(path) == before, "the database was changed before the refusal"
    return str(caught.value)


@pytest.mark.parametrize("version", [0, 3, 5, 7, 8, 9, 10])
@pytest.mark.parametrize("tables", [["customers"], ["batches"], ["batches", "sent"]])
def test_another_programs_database_is_refused_unchanged(
    sandbox: Sandbox, tmp_path: Path, version: int, tables: list[str]
) -> None:
    path = tmp_path / "crm.sqlite"
    _database(path, version, tables)
    client = client_for(sandbox)
    links = sandbox.associations("deals", "contacts")
    for attempt in (
        lambda: hf.associate(SHEET, client, journal=path, dry_run=True, progress=False),
        lambda: hf.associate(SHEET, client, journal=path, progress=False),
        lambda: hf.undo(path, client, progress=False),
    ):
        message = _refused_unchanged(path, attempt)
        if version > SCHEMA_VERSION:
            assert "newer hubframe" in message, message
        else:
            assert "not a hubframe journal" in message and "left as it was" in message, message
    assert sandbox.associations("deals", "contacts").equals(links), "sent before the refusal"


def test_on_the_command_line_the_refusal_is_one_line_and_the_file_is_kept(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path, sheet = tmp_path / "crm.sqlite", tmp_path / "pairs.csv"
    _database(path, 5, ["customers"])
    SHEET.to_csv(sheet, index=False)
    before = _state(path)
    err = io.StringIO()
    argv = ["associate", str(sheet), "--journal", str(path), "--no-progress"]
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--token", sandbox.token, "--base-url", sandbox.url]) == 2
    [line] = err.getvalue().strip().splitlines()
    assert "not a hubframe journal" in line and "tables: customers" in line, line
    assert _state(path) == before
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (5,)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_an_empty_database_and_a_journal_still_work(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    _database(path, 0, [])
    client = client_for(sandbox)
    run = hf.associate(SHEET, client, journal=path, progress=False)
    assert run["status"].tolist() == ["success"]
    again = hf.associate(SHEET, client, journal=path, progress=False)
    assert again["status"].tolist() == ["success"]
    undone = hf.undo(path, client, progress=False)
    assert undone["status"].tolist() == ["success"]


@pytest.mark.parametrize("seed", seeds(20))
def test_random_foreign_databases(sandbox: Sandbox, tmp_path: Path, seed: int) -> None:
    """Random format numbers and tables (some of hubframe's names, never all three a journal
    has): refused, the file as it was."""
    rng = random.Random(seed)
    pool = ["customers", "orders", "batches", "sent", "portal", "items", "existing", "runs"]
    tables = rng.sample(pool, rng.randint(1, 4))
    if {"batches", "sent", "portal"} <= set(tables):
        tables.remove("portal")
    path = tmp_path / f"db{seed}.sqlite"
    _database(path, rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 42]), tables)
    client = client_for(sandbox)
    _refused_unchanged(
        path, lambda: hf.associate(SHEET, client, journal=path, dry_run=True, progress=False)
    )
