"""The id-column reader's messages say how to name the column where it was read: ``column=``
in Python, ``--ids-column`` for ``export --ids``, ``--scope-column`` for ``sync --scope``, the
"From record ID" dropdown in the app.

Before: every one said ``(column= / --ids-column)``, so ``hubframe sync --scope FILE`` with an
unrecognised id column told the analyst to pass ``--ids-column``, which ``sync`` refused
(``unrecognized arguments``), and it had no option for the scope file's id column at all; a
column named that a sheet lacks (``--ids-column Nope``) named no option.  Now ``sync`` has
``--scope-column`` (read as ``export --ids-column`` is), and each message names only what
works where it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io.ids import read_id_columns, read_ids
from hubframe.io.syntax import APP, CLI, PYTHON, Syntax
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids
from hubframe.widgets import backend, portal

DEALS = [str(i) for i in demo_ids("deals")[:3]]
CONTACTS = [str(i) for i in demo_ids("contacts")[:3]]

#: (object type read, column named, the sheet): one of each way the reader asks for a column.
CASES: dict[str, tuple[str | None, str | None, dict[str, list[object]]]] = {
    "unrecognised": (None, None, {"Which deals": [DEALS[0]], "Note": ["x"]}),
    "several": (None, None, {"Deal ID": [DEALS[0]], "Record ID - Deal": [DEALS[1]]}),
    "row-numbers": ("deals", None, {"ID": [1], "Contact ID": [CONTACTS[0]]}),
    "other-object": ("deals", None, {"Contact ID": [CONTACTS[0]]}),
    "side-type": (
        "deals",
        None,
        {
            "from_type": ["contacts"],
            "from_id": [CONTACTS[0]],
            "to_type": ["deals"],
            "to_id": [DEALS[0]],
        },
    ),
    "no-such-column": (None, "Nope", {"Deal ID": [DEALS[0]]}),
}
SCOPE = CLI.with_flag("column", "--scope-column")
#: Where the reader is called from, and the words its messages must use for the column.
WHERE: dict[str, tuple[Syntax, str]] = {
    "python": (PYTHON, "column="),
    "export-cli": (CLI, "--ids-column"),
    "sync-scope-cli": (SCOPE, "--scope-column"),
    "app": (APP, '"From record ID" dropdown'),
}
#: Every way of naming the column; a message may hold only its own.
ALL_WORDS = ("column=", "--ids-column", "--scope-column", "From record ID")


def _refusal(case: str, words: Syntax) -> str:
    object_type, column, cells = CASES[case]
    with pytest.raises(InputError) as refused:
        read_id_columns(
            pd.DataFrame(cells, dtype=object), object_type=object_type, column=column, syntax=words
        )
    return str(refused.value)


@pytest.mark.parametrize("where", list(WHERE))
@pytest.mark.parametrize("case", list(CASES))
def test_each_refusal_names_only_the_option_of_where_it_is_read(case: str, where: str) -> None:
    words, expected = WHERE[where]
    said = _refusal(case, words)
    assert expected in said, said
    wrong = [w for w in ALL_WORDS if w in said and w not in expected]
    assert not wrong, said


def test_the_python_reader_keeps_naming_its_parameter() -> None:
    """read_ids without syntax=: Python's words, as before for its own parameter."""
    with pytest.raises(InputError, match=r"Name it with column=, or head it 'Record ID'"):
        read_ids(pd.DataFrame({"Which deals": [DEALS[0]], "Note": ["x"]}))


# --- the command line, over HTTP ------------------------------------------------------------


@pytest.fixture
def sheets(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A sheet of two deals' pairs and a scope file of the first deal under a header the
    reader does not recognise."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        f"Deal ID,Contact ID\n{DEALS[0]},{CONTACTS[0]}\n{DEALS[1]},{CONTACTS[1]}\n",
        encoding="utf-8",
    )
    scope = tmp_path / "scope.csv"
    scope.write_text(f"Which deals,Note\n{DEALS[0]},first\n", encoding="utf-8")
    yield pairs, scope


def _hub(sandbox: Sandbox) -> list[str]:
    return ["--token", sandbox.token, "--base-url", sandbox.url, "--no-progress"]


def test_sync_scope_says_its_own_option_and_the_option_works(
    sandbox: Sandbox, sheets: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs, scope = sheets
    sync = ["sync", str(pairs), "--scope", str(scope), "--dry-run", *_hub(sandbox)]
    assert main(sync) == 2
    err = capsys.readouterr().err
    assert "Name it with --scope-column, or head it 'Record ID'" in err, err
    assert "--ids-column" not in err and "column=" not in err
    report = tmp_path / "sync.csv"
    assert main([*sync, "--scope-column", "Which deals", "--report", str(report)]) == 0
    result = pd.read_csv(report, dtype=str)
    by_deal = dict(zip(result["from_id"], result["error_code"].fillna(""), strict=True))
    assert by_deal[DEALS[1]] == "OUT_OF_SCOPE" and by_deal[DEALS[0]] != "OUT_OF_SCOPE"


def test_sync_scope_column_names_a_column_the_file_lacks_by_its_option(
    sandbox: Sandbox, sheets: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    pairs, scope = sheets
    argv = ["sync", str(pairs), "--scope", str(scope), "--scope-column", "Nope", "--dry-run"]
    assert main([*argv, *_hub(sandbox)]) == 2
    assert "scope.csv: no column 'Nope' (--scope-column)." in capsys.readouterr().err


def test_sync_scope_column_without_a_scope_file_is_refused(
    sandbox: Sandbox, sheets: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    pairs, _ = sheets
    argv = ["sync", str(pairs), "--scope-column", "Which deals", "--dry-run", *_hub(sandbox)]
    assert main(argv) == 2
    assert "--scope-column 'Which deals' names the id column of a --scope FILE" in (
        capsys.readouterr().err
    )


def test_export_ids_says_ids_column(
    sandbox: Sandbox, sheets: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, scope = sheets
    out = ["-o", str(tmp_path / "links.csv")]
    export = ["export", "--from", "deals", "--to", "contacts", "--ids", str(scope), *out]
    assert main([*export, *_hub(sandbox)]) == 2
    err = capsys.readouterr().err
    assert "Name it with --ids-column, or head it" in err and "--scope-column" not in err
    assert main([*export, "--ids-column", "Which deals", *_hub(sandbox)]) == 0


# --- the app --------------------------------------------------------------------------------


def test_the_apps_export_says_its_dropdown(sheets: tuple[Path, Path]) -> None:
    """The app's id-column guess and its export read (against its sandbox, over HTTP) say
    to pick the column in the "From record ID" dropdown, no option of Python or the CLI."""
    _, scope = sheets
    source = backend.SheetSource.from_path(str(scope))
    guess = backend.guess_columns(source, "export", None)
    assert guess.problem is not None
    assert 'Pick it in the "From record ID" dropdown' in guess.problem, guess.problem
    connection = backend.connect("sandbox", token=None, base_url=None, api_version="v4")
    try:
        with pytest.raises(InputError) as refused:
            portal.export(connection, "deals", "contacts", source)
    finally:
        connection.close()
    said = str(refused.value)
    assert 'Pick it in the "From record ID" dropdown' in said, said
    assert "column=" not in said and "--ids-column" not in said
