"""``sync(scope=...)`` warns of the records it names that the sheet has no row for.

Before: ``sync(sheet, allow_removals=True, scope=[A, B])`` with no row of B in the sheet left
B as the portal held it (a sync compares what the sheet lists of a record) and said nothing of
it: no result row, no warning, in the dry run and the real one alike, though the analyst named
B to be synced.  Now a ``ScopeUnlisted`` warning names B (and the command line prints it),
and says how to sync a record to no associations: a row of it with an empty to id.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe
from hubframe.jobs.sync_rules import ScopeUnlisted
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(d) for d in demo_ids("deals")]
CONTACTS = [str(c) for c in demo_ids("contacts")]


def _sync(sb: Sandbox, sheet: pd.DataFrame, **kwargs: Any) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = hubframe.sync(sheet, client_for(sb), progress=False, **kwargs)
    said = [str(w.message) for w in caught if issubclass(w.category, ScopeUnlisted)]
    return result, said


def _links(sb: Sandbox, deal: str) -> list[tuple[str, int]]:
    held = sb.associations("deals", "contacts")
    rows = held.loc[held["from_id"] == deal, ["to_id", "type_id"]]
    return sorted((str(t), int(i)) for t, i in rows.itertuples(index=False))


SHEET = pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]})


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_record_of_the_scope_without_rows_is_named_and_left_as_it_is(dry_run: bool) -> None:
    with Sandbox(seed="demo") as sb:
        before = _links(sb, DEALS[1])
        assert before, "the demo portal links this deal"
        result, said = _sync(
            sb, SHEET, allow_removals=True, scope=[DEALS[0], DEALS[1]], dry_run=dry_run
        )
        assert len(said) == 1
        assert f"({DEALS[1]})" in said[0] and "1 record(s)" in said[0]
        assert "left as it is" in said[0] and "empty to id" in said[0]
        assert DEALS[0] not in said[0]
        assert _links(sb, DEALS[1]) == before
        assert DEALS[1] not in set(result["from_id"].astype(str))


def test_many_records_are_counted_and_a_few_shown() -> None:
    with Sandbox(seed="demo") as sb:
        scope = [DEALS[0], *[str(3_000_000_001 + i) for i in range(8)]]
        _, said = _sync(sb, SHEET, scope=scope, dry_run=True)
        assert len(said) == 1
        assert "8 record(s)" in said[0] and "and 3 more" in said[0]


@pytest.mark.parametrize(
    "rows",
    [
        [[DEALS[0], CONTACTS[0]], [DEALS[1], CONTACTS[1]]],  # both listed
        [[DEALS[0], CONTACTS[0]], [DEALS[1], ""]],  # one with an empty to id: in scope, none
        [[DEALS[0], CONTACTS[0]], [DEALS[1], "not an id"]],  # an invalid row of it
    ],
    ids=["listed", "no targets", "invalid row"],
)
def test_records_the_sheet_names_in_any_row_are_not_warned_of(rows: list[list[str]]) -> None:
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID"])
    with Sandbox(seed="demo") as sb:
        _, said = _sync(sb, sheet, allow_removals=True, scope=[DEALS[0], DEALS[1]], dry_run=True)
        assert said == []
        _, said = _sync(sb, sheet, dry_run=True)  # no scope given: nothing to warn of
        assert said == []


def test_the_command_line_prints_it(tmp_path: Path) -> None:
    sheet = tmp_path / "links.csv"
    SHEET.to_csv(sheet, index=False)
    scope = tmp_path / "scope.csv"
    scope.write_text(f"{DEALS[0]}\n{DEALS[1]}\n")
    command = ["sync", str(sheet), "--sandbox", "--dry-run", "--scope", str(scope)]
    run = subprocess.run(
        [sys.executable, "-m", "hubframe", *command],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert f"no row of the sheet names ({DEALS[1]})" in run.stderr
