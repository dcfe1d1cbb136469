"""A label's removal says that its records stay associated.

A row with a label removes that label only (batch labels archive): the pair keeps its
unlabeled link and its other labels.  That is the documented meaning of a row, and it stays;
but the row said a bare ``success``, as a pair's removal does, so a remove of an export (whose
labeled pairs are written as labeled rows) looked as if it had unlinked every pair while
HubSpot kept them all.  The row now says what the pair keeps, from the read made before
sending (no request more), where it keeps something: not where the run removes the pair whole
too, nor of a label the run also removes.  The command line's note on an export's scope sheet
said the sync's words ("has its associations removed when removals are allowed"), wrong for a
remove; it now says what a remove does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(7_500_000_001 + i) for i in range(3)]
CONTACTS = [str(8_500_000_001 + i) for i in range(3)]
KEPT = "the records stay associated"


def _portal() -> tuple[Sandbox, int, int]:
    """Deal 0 and contact 0 labeled A and B; deal 1 and contact 1 labeled A; deal 2 and
    contact 2 linked without a label."""
    sb = Sandbox(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    a = sb.add_label("deals", "contacts", "A")
    b = sb.add_label("deals", "contacts", "B")
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], a)
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], b)
    sb.associate("deals", DEALS[1], "contacts", CONTACTS[1], a)
    sb.associate("deals", DEALS[2], "contacts", CONTACTS[2])
    return sb, a, b


def _held(sb: Sandbox) -> set[tuple[str, str, int]]:
    links = sb.associations("deals", "contacts")
    cells = zip(links["from_id"], links["to_id"], links["type_id"].astype(int), strict=True)
    return set(cells)


def _sheet(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])


def _said(result: pd.DataFrame) -> list[str]:
    return result["error_message"].fillna("").astype(str).tolist()


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_remove_of_an_export_says_the_labeled_pairs_stay_associated(
    tmp_path: Path, dry_run: bool
) -> None:
    """Before: every row a bare ``success``; every labeled pair was still associated."""
    sb, _, _ = _portal()
    with sb:
        client = client_for(sb)
        links = hf.read_associations(client, "deals", "contacts", ids=DEALS, progress=False)
        path = hf.write_pairs(links, tmp_path / "links.xlsx")
        sb.reset_request_log()
        result = hf.remove_associations(path, client, dry_run=dry_run, progress=False)
        reads = sb.request_log()["path"].str.endswith("/batch/read").sum()
        held = _held(sb)
    done = "planned" if dry_run else "success"
    assert result["status"].tolist() == [done] * len(result)
    by_label = dict(zip(result["label"].fillna(""), _said(result), strict=False))
    for label in ("A", "B"):
        assert f'Removes the label "{label}" only' in by_label[label] and KEPT in by_label[label]
    plain = result[result["label"].isna()]
    assert _said(plain) == [""] * len(plain)  # a pair removed whole: nothing kept to say
    if not dry_run:
        assert {(f, t) for f, t, _ in held} == {(DEALS[0], CONTACTS[0]), (DEALS[1], CONTACTS[1])}
        assert {t for _, _, t in held} == {3}  # unlabeled, as the rows said
    assert reads == (1 if dry_run else 2)  # the read before sending, the read back: no more


def test_a_pair_keeping_another_label_is_said_to_keep_it() -> None:
    sb, _, b = _portal()
    with sb:
        result = hf.remove_associations(
            _sheet([(DEALS[0], CONTACTS[0], "A"), (DEALS[1], CONTACTS[1], "A")]),
            client_for(sb),
            progress=False,
        )
        assert (DEALS[0], CONTACTS[0], b) in _held(sb)
    said = _said(result)
    assert said[0].endswith('(unlabeled, and with the label "B").'), said
    assert said[1].endswith("(unlabeled)."), said


def test_labels_the_run_also_removes_are_not_said_to_be_kept() -> None:
    sb, _, _ = _portal()
    with sb:
        result = hf.remove_associations(
            _sheet([(DEALS[0], CONTACTS[0], "A"), (DEALS[0], CONTACTS[0], "B")]),
            client_for(sb),
            progress=False,
        )
    assert [s.endswith("(unlabeled).") for s in _said(result)] == [True, True], result


@pytest.mark.parametrize("reverse", [False, True])
def test_a_pair_the_run_removes_whole_is_not_said_to_stay(reverse: bool) -> None:
    """A row without a label for the same records (either direction) takes the pair whole:
    after the run they are not associated, and no row says they stay."""
    sb, _, _ = _portal()
    with sb:
        label = hf.read_pairs(
            _sheet([(DEALS[1], CONTACTS[1], "A")]), from_type="deals", to_type="contacts"
        )
        whole = pd.DataFrame(
            {"from_type": ["contacts" if reverse else "deals"]}
            | (
                {"from_id": [CONTACTS[1]], "to_type": ["deals"], "to_id": [DEALS[1]]}
                if reverse
                else {"from_id": [DEALS[1]], "to_type": ["contacts"], "to_id": [CONTACTS[1]]}
            )
        )
        rows = pd.concat(
            [label[["from_type", "from_id", "to_type", "to_id", "label"]], whole],
            ignore_index=True,
        )
        result = hf.remove_associations(rows, client_for(sb), progress=False)
        assert not {(f, t) for f, t, _ in _held(sb)} & {(DEALS[1], CONTACTS[1])}
    assert not any(KEPT in s for s in _said(result)), result


def test_the_command_line_says_what_the_scope_sheet_is_to_a_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sb, _, _ = _portal()
    with sb:
        ids = tmp_path / "deals.csv"
        ids.write_text("Record ID\n" + "\n".join(DEALS) + "\n")
        out = tmp_path / "links.xlsx"
        hub = ["--token", sb.token, "--base-url", sb.url]
        export = ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o"]
        assert main([*export, str(out), *hub]) == 0
        capsys.readouterr()
        assert main(["remove", str(out), "--dry-run", *hub]) == 0
        text = capsys.readouterr().out
        assert "sheet 'Export scope' lists the records the export read; remove does not use it" in (
            text
        )
        assert "removals are allowed" not in text and "a sync takes them" not in text
        assert main(["sync", str(out), "--dry-run", *hub]) == 0
        assert "a sync takes them as its scope" in capsys.readouterr().out  # sync's, as before
