"""A limits row giving its label by type id only names the portal's label.

``Deals,Contacts,,1001,remove`` removes the limit of "Decision maker"; the dry run said
"deals -> contacts (all associations): removes the limit of 2", the report's label column was
empty and a skipped removal spoke of "the unlabeled association".  The result's ``label``
now shows the portal's label where the sheet gave a type id only (as ``type_id`` shows the
type a label resolved to), so the lines, ``limit_change`` and messages name it; the
unlabeled type's id stays the object limit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

LABELS = ["Decision maker", "Champion", "Budget holder"]


def _sheet(rows: list[tuple[int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [("Deals", "Contacts", "", type_id, limit) for type_id, limit in rows],
        columns=["From object", "To object", "Label", "Type ID", "Max associations"],
    )
    return hf.read_limits(frame.replace("", pd.NA))


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("limit", ["4", "remove"])
def test_every_label_given_by_type_id_is_named(dry_run: bool, limit: str) -> None:
    with Sandbox(seed="demo") as sb:
        ids = [sb.type_id("deals", "contacts", label) for label in LABELS]
        unlabeled = sb.type_id("deals", "contacts", None)
        sheet = _sheet([*((i, limit) for i in ids), (unlabeled, "30")])
        result = hf.configure_limits(sheet, client_for(sb), dry_run=dry_run, progress=False)
    assert result["label"].tolist()[:3] == LABELS
    assert pd.isna(result["label"].iloc[3])  # the object limit has no label
    assert (result["Label"].fillna("") == "").all()  # the analyst's own cells are as they were
    assert result["type_id"].tolist() == [*ids, unlabeled]
    for label, message in zip(LABELS, result["error_message"].iloc[:3], strict=True):
        if not pd.isna(message):  # a removal of a label without a limit: skipped, named
            assert f'label "{label}"' in message and "unlabeled" not in message


def test_the_dry_run_lines_name_the_label(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    champion = sandbox.type_id("deals", "contacts", "Champion")
    deciders = sandbox.type_id("deals", "contacts", "Decision maker")
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From object,To object,Label,Type ID,Max associations\n"
        f"Deals,Contacts,,{champion},5\nDeals,Contacts,,{deciders},remove\n",
        encoding="utf-8",
    )
    hub = ["--token", sandbox.token, "--base-url", sandbox.url, "--no-progress"]
    main(["limits", str(sheet), "--dry-run", *hub])
    out = capsys.readouterr().out
    assert 'row 2: deals -> contacts "Champion": sets a limit of 5 (none now)' in out
    assert 'row 3: deals -> contacts "Decision maker": removes the limit of 2' in out
    assert "all associations" not in out
