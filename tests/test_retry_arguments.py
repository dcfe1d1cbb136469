"""A retry file does what the run meant, even when the run took its label from an argument.

``hubframe associate pairs.csv --label "Decision maker" --retry-file retry.csv``: the sheet has
no label column, so the retry file in the sheet's own layout had none either, and the analyst who
fixed the failed rows and ran ``hubframe associate retry.csv`` linked them without the label,
without a word.  The retry file now carries the label as a column; run alone, or with the same
``--label`` again, it links the rows as the first run meant.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.io import read_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

MISSING = "99999"


def _ids(object_type: str) -> list[str]:
    return [str(i) for i in demo_ids(object_type)]


def _linked(sb: Sandbox) -> set[tuple[str, str, int]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], frame["type_id"].astype(int), strict=True))


def _fixed(retry: Path, deal: str) -> Path:
    """The retry file with the missing deal replaced by one that exists, as the analyst fixes it."""
    if retry.suffix == ".csv":
        retry.write_text(retry.read_text(encoding="utf-8-sig").replace(MISSING, deal))
        return retry
    book = pd.read_excel(retry, sheet_name=None, dtype=str, engine="calamine")
    with pd.ExcelWriter(retry) as out:
        for name, frame in book.items():
            frame.replace(MISSING, deal).to_excel(out, sheet_name=name, index=False)
    return retry


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("label", ["Decision maker", "Champion"])
def test_a_retry_file_of_a_run_labeled_by_argument_keeps_the_label(
    tmp_path: Path, suffix: str, label: str
) -> None:
    deals, contacts = _ids("deals"), _ids("contacts")
    sheet = pd.DataFrame({"Deal ID": [deals[0], MISSING], "Contact ID": contacts[:2]})
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        pairs = read_pairs(sheet, from_type="deals", to_type="contacts", label=label)
        result = hf.associate(pairs, client, progress=False)
        assert result["status"].tolist() == ["success", "failed"]
        retry = _fixed(hf.export_retry(result, tmp_path / f"retry{suffix}"), deals[5])
        again = hf.associate(read_pairs(retry), client, progress=False)  # no label= this time
        assert again["status"].tolist() == ["success"]
        assert again["label"].tolist() == [label]
        wanted = sb.type_id("deals", "contacts", label)
        assert (deals[5], contacts[1], wanted) in _linked(sb)
        # The same argument given again agrees with the column, and is what the row reads.
        same = read_pairs(retry, label=label.upper())
        assert same["label"].tolist() == [label.upper()]


def test_the_command_line_retry_file_keeps_the_label(tmp_path: Path) -> None:
    deals, contacts = _ids("deals"), _ids("contacts")
    sheet = tmp_path / "pairs.csv"
    sheet.write_text(f"Deal ID,Contact ID\n{deals[0]},{contacts[0]}\n{MISSING},{contacts[1]}\n")
    retry = tmp_path / "retry.csv"
    with Sandbox(seed="demo") as sb:
        where = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        args = ["associate", str(sheet), "--label", "Decision maker", "--retry-file", str(retry)]
        assert main([*args, *where]) == 1
        _fixed(retry, deals[5])
        assert main(["associate", str(retry), *where]) == 0
        wanted = sb.type_id("deals", "contacts", "Decision maker")
        assert (deals[5], contacts[1], wanted) in _linked(sb)


def test_a_label_column_of_the_sheet_is_not_repeated(tmp_path: Path) -> None:
    sheet = pd.DataFrame(
        {"Deal ID": ["11", "12"], "Contact ID": ["21", "22"], "Association label": ["", "x"]}
    )
    pairs = read_pairs(sheet, from_type="deals", to_type="contacts", label="x")
    result = pairs.assign(status="failed")
    back = pd.read_csv(hf.export_retry(result, tmp_path / "retry.csv"), dtype=str)
    assert back.columns.tolist() == ["Deal ID", "Contact ID", "Association label"]
    assert back["Association label"].fillna("").tolist() == ["x", "x"]  # the empty one filled


def test_empty_label_cells_the_argument_filled_get_the_label(tmp_path: Path) -> None:
    """With a label column and --label, the argument fills the column's empty cells: the retry
    file kept them empty, so run alone it linked those rows unlabeled."""
    deals, contacts = _ids("deals"), _ids("contacts")
    sheet = pd.DataFrame(
        {
            "Deal ID": [deals[0], MISSING, MISSING],
            "Contact ID": contacts[:3],
            "Association label": ["", " ", "decision maker"],
        }
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        pairs = read_pairs(sheet, from_type="deals", to_type="contacts", label="Decision maker")
        result = hf.associate(pairs, client, progress=False)
        assert result["status"].tolist() == ["success", "failed", "failed"]
        retry = hf.export_retry(result, tmp_path / "retry.csv")
        written = pd.read_csv(retry, dtype=str, encoding="utf-8-sig")
        assert written.columns.tolist() == ["Deal ID", "Contact ID", "Association label"]
        assert written["Association label"].tolist() == ["Decision maker", "decision maker"]
        _fixed(retry, deals[6])
        again = hf.associate(read_pairs(retry), client, progress=False)
        assert again["label"].tolist() == ["Decision maker", "decision maker"]


def test_a_blank_limit_read_as_a_removal_is_remove_in_the_retry_file(tmp_path: Path) -> None:
    """With remove_blank=True (--remove-blank-limits) an empty limit cell removes the limit;
    the retry file kept it empty, and run alone (without the flag) the row was not sent."""
    sheet = pd.DataFrame(
        {
            "From object": ["Deals", "Deals"],
            "To object": ["Contacts", "Companies"],
            "Label": ["Champion", "No such label"],
            "Max associations": ["", " "],
        }
    )
    with Sandbox(seed="demo") as sb:
        limits = hf.read_limits(sheet, remove_blank=True)
        result = hf.configure_limits(limits, client_for(sb), progress=False)
        assert result["status"].tolist() == ["skipped", "invalid"]  # nothing to remove; unknown
        retry = hf.export_retry(result, tmp_path / "retry.csv")
        back = hf.read_limits(retry)  # without remove_blank
        assert back["Max associations"].tolist() == ["remove"]
        assert back["remove"].tolist() == [True]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_sync_retry_file_synced_again_keeps_what_the_sheet_keeps(
    tmp_path: Path, suffix: str
) -> None:
    """A sync is scoped by record. Its retry file held only the failed rows, and synced again
    with removals (fixed, as an analyst runs a retry file) it removed every other association
    the sheet kept for those records. It now holds every sheet row of each record with
    something still to do; other records stay out of it."""
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", [7001, 7002])
        sb.add_records("contacts", [1, 2, 3, 4])
        for deal, contact in ((7001, 1), (7001, 3), (7002, 4)):
            sb.associate("deals", deal, "contacts", contact)
        sheet = pd.DataFrame(
            {"Deal ID": ["7001", "7001", "7002"], "Contact ID": ["1", MISSING, "4"]}
        )
        client = client_for(sb)
        pairs = read_pairs(sheet, from_type="deals", to_type="contacts")
        result = hf.sync(pairs, client, allow_removals=True, progress=False)
        # no such contact: read before deal 7001 loses contact 3 (a typo must not remove)
        failed = result.loc[result["status"] == "invalid", "to_id"].tolist()
        assert failed == [MISSING]
        assert _linked_pairs(sb) == {("7001", "1"), ("7001", "3"), ("7002", "4")}
        retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
        back = read_pairs(retry, from_type="deals", to_type="contacts")
        assert back[["from_id", "to_id"]].values.tolist() == [["7001", "1"], ["7001", MISSING]]
        _fixed(retry, "2")
        hf.sync(read_pairs(retry, from_type="deals", to_type="contacts"), client,
                allow_removals=True, progress=False)  # fmt: skip
        assert _linked_pairs(sb) == {("7001", "1"), ("7001", "2"), ("7002", "4")}


def _linked_pairs(sb: Sandbox) -> set[tuple[str, str]]:
    return {(f, t) for f, t, _ in _linked(sb)}
