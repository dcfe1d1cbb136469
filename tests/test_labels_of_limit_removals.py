"""``configure_labels`` of a limits sheet creates no label for rows that remove a limit.

Before: the labels reader took a limits sheet (``From, To, Label, Max``) as a labels sheet and
left its limits aside, so a row removing a label's limit ("remove" under Max) asked for the
label to be created: ``hubframe labels limits.csv`` created "Gone label", the label the analyst
meant to be rid of the limit of (``limits --create-labels`` already created none).  Now such a
sheet is read as the limits sheet it is: a label named only in removal rows is ``skipped``, not
created; one a row also sets a limit for is created, as before.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io.labels import read_labels
from hubframe.jobs.labels import read_label_sheet
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

REMOVE_WORDS = ["remove", "Remove", "REMOVE LIMIT"]


def _sheet(tmp_path: Path, removal: str, layout: str) -> Path:
    rows = [
        ("deals", "contacts", "Brand new", "5"),
        ("deals", "contacts", "Gone label", removal),
        ("deals", "contacts", "Twice named", removal),
        ("deals", "contacts", "Twice named", "7"),  # also given a limit: created
    ]
    headers = {
        "short": ["From", "To", "Label", "Max"],
        "long": ["From object", "To object", "Association label", "Limit"],
    }[layout]
    frame = pd.DataFrame(rows, columns=headers)
    if layout == "long":
        path = tmp_path / "limits.xlsx"
        frame.to_excel(path, index=False)
    else:
        path = tmp_path / "limits.csv"
        frame.to_csv(path, index=False)
    return path


def _labels(sb: Sandbox) -> set[str]:
    client = client_for(sb)
    return {str(d["label"]) for d in client.list_labels("deals", "contacts") if d.get("label")}


@pytest.mark.parametrize("removal", REMOVE_WORDS)
@pytest.mark.parametrize("layout", ["short", "long"])
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry run", "run"])
def test_a_label_named_only_in_removal_rows_is_not_created(
    sandbox: Sandbox, tmp_path: Path, removal: str, layout: str, dry_run: bool
) -> None:
    path = _sheet(tmp_path, removal, layout)
    before = _labels(sandbox)
    result = hf.configure_labels(path, client_for(sandbox), dry_run=dry_run)
    by_label = {r["label"]: r for r in result.to_dict("records")}
    assert by_label["Gone label"]["status"] == "skipped"
    assert "remove its limit" in by_label["Gone label"]["error_message"]
    made = "planned" if dry_run else "success"
    assert by_label["Brand new"]["status"] == made
    assert by_label["Twice named"]["status"] == made
    after = _labels(sandbox)
    assert "Gone label" not in after
    assert after - before == (set() if dry_run else {"Brand new", "Twice named"})


def test_the_command_line_creates_none_for_removals(sandbox: Sandbox, tmp_path: Path) -> None:
    path = _sheet(tmp_path, "remove", "short")
    argv = ["labels", str(path), "--token", sandbox.token, "--base-url", sandbox.url]
    assert main(argv) == 0
    assert "Gone label" not in _labels(sandbox)


def test_read_labels_refuses_a_limits_sheet_naming_the_limit_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'Max' holds association limits.*read_limits reads it"):
        read_labels(_sheet(tmp_path, "remove", "short"))


def test_a_labels_sheet_with_a_note_of_limits_stays_a_labels_sheet(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "From,To,Label,Inverse label,Max\ndeals,contacts,Sponsor,Sponsored deal,5\n",
        encoding="utf-8",
    )
    frame = read_labels(path)
    assert frame[["label", "inverse_label"]].values.tolist() == [["Sponsor", "Sponsored deal"]]


def test_a_limits_sheet_the_limits_reader_refuses_says_why(tmp_path: Path) -> None:
    """The labels job tried the labels reader, then the limits reader: when both refused it
    said the labels reader's words ("read it with read_limits"), hiding the real cause."""
    from hubframe.jobs.labels import read_label_sheet

    path = tmp_path / "limits.csv"
    path.write_text(  # a limit row sorted above the header: the limits reader refuses it
        "deals,contacts,Champion,5\nFrom,To,Label,Max\ndeals,contacts,Other,3\n",
        encoding="utf-8",
    )
    try:
        hf.read_limits(path)
        pytest.skip("the limits reader reads this sheet")  # its refusal is what is shown
    except InputError as limits_refusal:
        with pytest.raises(InputError) as refused:
            read_label_sheet(path)
        assert str(refused.value) == str(limits_refusal)


def test_a_pairs_sheet_with_a_limit_column_stays_readable_as_labels(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(
        "From type,To type,Deal ID,Contact ID,Label,Limit\ndeals,contacts,1,2,Champion,5\n",
        encoding="utf-8",
    )
    # a sheet of record ids is a pairs sheet (test_labels_sheet_kind.py): the labels job takes
    # its labels with read_pairs, its limit column aside
    read = read_label_sheet(path)
    assert read.attrs["hubframe"]["kind"] == "pairs" and list(read["label"]) == ["Champion"]
