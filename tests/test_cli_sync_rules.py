"""``hubframe sync`` with a removal rule (``--max-removals``, ``--allow-primary-removal``) but
no ``--delete``: the rule changed nothing and nothing said so, while the analyst who gave it
expected removals.  Now refused before the sheet is read or the portal reached, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import _env, _hubframe, _one_error_line

from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids

RULES = {
    "max": ["--max-removals", "3"],
    "zero": ["--max-removals", "0"],
    "primary": ["--allow-primary-removal"],
    "both": ["--max-removals", "7", "--allow-primary-removal"],
}


def _sheet(tmp_path: Path, sandbox: Sandbox) -> Path:
    deal, contact = demo_ids("deals")[3], demo_ids("contacts")[3]
    path = tmp_path / "links.csv"
    path.write_text(f"Deal ID,Contact ID\n{deal},{contact}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("dry", [True, False])
def test_a_removal_rule_without_delete_is_refused_before_anything(
    sandbox: Sandbox, tmp_path: Path, rule: str, dry: bool
) -> None:
    before = sandbox.associations("deals", "contacts")
    args = ["sync", str(_sheet(tmp_path, sandbox)), *RULES[rule], "--report", "r.xlsx"]
    proc = _hubframe(*args, *(["--dry-run"] if dry else []), env=_env(sandbox), cwd=tmp_path)
    line = _one_error_line(proc)
    for flag in RULES[rule]:
        assert flag in line
    assert "--delete is not given" in line
    assert not (tmp_path / "r.xlsx").exists()
    assert sandbox.associations("deals", "contacts").equals(before)
    assert sandbox.request_log().empty, "the portal was reached"


def test_with_delete_the_rule_is_taken(sandbox: Sandbox, tmp_path: Path) -> None:
    args = ["sync", str(_sheet(tmp_path, sandbox)), "--delete", "--max-removals", "5000"]
    proc = _hubframe(*args, "--dry-run", env=_env(sandbox), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "remove" in proc.stdout


def test_label_with_delete_keeps_only_that_label_as_the_help_says(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """``--label L`` is the label column of every row: with ``--delete``, a listed pair keeps
    L and loses its other labels (the pair stays linked).  By design, and said in the help:
    an analyst adding a label with it would not expect the others to go."""
    deal, contact = str(demo_ids("deals")[0]), str(demo_ids("contacts")[0])  # Decision maker
    path = tmp_path / "links.csv"
    path.write_text(f"Deal ID,Contact ID\n{deal},{contact}\n", encoding="utf-8")
    proc = _hubframe("sync", str(path), "--delete", "--label", "Champion", env=_env(sandbox))
    assert proc.returncode == 0, proc.stderr
    table = sandbox.associations("deals", "contacts")
    kept = table.loc[(table["from_id"] == deal) & (table["to_id"] == contact), "type_id"]
    champion = sandbox.type_id("deals", "contacts", "Champion")
    assert sorted(kept.astype(int)) == sorted([3, champion]), table
    helped = " ".join(_hubframe("sync", "--help").stdout.split())
    assert "--label L gives every row the label L" in helped
    assert "loses its other labels" in helped
