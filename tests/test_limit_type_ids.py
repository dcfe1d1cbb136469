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


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
@pytest.mark.parametrize("limit", ["remove", "4"])
def test_a_type_id_the_pair_does_not_list_is_refused_in_both_runs(version: str, limit: str) -> None:
    """The reverse direction's type id, or one HubSpot does not know: a removal was skipped,
    "no limit is set ... for the unlabeled association (USER_DEFINED 1002)", and a create
    planned, then refused by HubSpot.  Both are invalid, INVALID_ASSOCIATION_TYPE, unsent, in
    the dry run and the run, as validation with a client says."""
    with Sandbox(seed="demo") as sb:
        reverse = sb.type_id("contacts", "deals", "Decision maker")
        assert reverse not in {sb.type_id("deals", "contacts", name) for name in LABELS}
        sheet = _sheet([(reverse, limit), (99999, limit)])
        client = client_for(sb, version)
        before = sb.limits()
        issues = hf.validate_limits(sheet, client)
        tables = [hf.configure_limits(sheet, client, dry_run=dry) for dry in (True, False)]
        after = sb.limits()
    assert issues["code"].tolist() == ["INVALID_ASSOCIATION_TYPE"] * 2
    for table in tables:
        assert table["status"].tolist() == ["invalid"] * 2, table
        assert table["error_code"].tolist() == ["INVALID_ASSOCIATION_TYPE"] * 2
        message = str(table["error_message"].iloc[0])
        assert f"no association type {reverse} from deals to contacts" in message
        assert "unlabeled" not in message
    pd.testing.assert_frame_equal(after, before)


def test_a_listed_type_without_a_limit_is_named_in_its_removal() -> None:
    """A removal of the unlabeled type (by its id) that has no limit names it so."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        unlabeled = sb.type_id("deals", "contacts", None)
        sb.set_limit("deals", "contacts", None, type_id=unlabeled)
        result = hf.configure_limits(_sheet([(unlabeled, "remove")]), client, progress=False)
    assert result["status"].tolist() == ["skipped"]
    assert "for the unlabeled association" in str(result["error_message"].iloc[0])
