"""A labels result keeps the index of the DataFrame it came from and the analyst's own columns,
as every job's result does (docs/report.md): ``df["status"] = result["status"]`` puts each
label's status on its own row.  Before, the result was numbered 0..n-1 whatever the frame's
index, and its own columns were dropped: the merge the docs give filled every row with <NA>.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import read_pairs
from hubframe.io.labels import TypeRowsLeftOut, read_labels
from hubframe.jobs import configure_labels
from hubframe.report import export_report, export_retry
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, xlsx_bytes

#: Own cells a read must keep as written: leading zeros, a long number, an empty cell.
TICKETS = ["007", "123456789012345678901234", None]
LABELS = ["New one", "Champion", "Other new"]


def _frame(index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From type": ["deals"] * 3,
            "To type": ["contacts"] * 3,
            "Label": LABELS,
            "Ticket": TICKETS,
            "Amount": [1.5, np.nan, 7.0],
        },
        index=index,
    )


INDEXES = {
    "text": pd.Index(["q", "r", "s"]),
    "gaps": pd.Index([40, 7, 12]),
    "repeats": pd.Index([5, 5, 2]),
    "multi": pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)], names=["k", "n"]),
    "dates": pd.DatetimeIndex(["2024-01-03", "2024-01-01", "2024-01-02"], name="day"),
}


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("kind", list(INDEXES))
def test_a_frames_labels_result_keeps_its_index_and_own_columns(
    sandbox: Sandbox, kind: str, dry_run: bool
) -> None:
    df = _frame(INDEXES[kind])
    result = configure_labels(df, client_for(sandbox), dry_run=dry_run)
    assert result.index.equals(df.index)
    assert result["label"].tolist() == LABELS
    made = "planned" if dry_run else "success"
    assert result["status"].tolist() == [made, "skipped", made]
    assert result["row"].dtype == np.int64 and result["row"].tolist() == [2, 3, 4]
    # the result's columns, then the sheet's as read (text, an empty cell "")
    assert list(result.columns)[:12] == [
        "sheet", "row", "from_type", "to_type", "label", "inverse_label", "change",
        "category", "type_id", "status", "error_code", "error_message",
    ]  # fmt: skip
    assert list(result.columns)[12:] == ["From type", "To type", "Label", "Ticket", "Amount"]
    assert result["Ticket"].tolist() == ["007", "123456789012345678901234", ""]
    assert result["Amount"].tolist() == ["1.5", "", "7"]
    assert result.attrs["hubframe"]["original_columns"] == list(result.columns)[12:]
    if kind != "repeats":  # a repeated label refuses the docs' merge, as pandas says
        merged = df.copy()
        merged["status"] = result["status"]
        assert merged["status"].tolist() == [made, "skipped", made]
    if dry_run:  # nothing was created
        assert "New one" not in set(sandbox.labels("deals", "contacts")["label"].dropna())


def test_the_docs_merge_picks_the_failed_rows_of_a_filtered_frame(sandbox: Sandbox) -> None:
    """report.md: ``df.loc[result.index[result["status"] == "failed"]]``, here the refused."""
    big = pd.DataFrame(
        {
            "From type": ["deals"] * 5,
            "To type": ["contacts"] * 5,
            "Label": ["A one", "Unlabeled", "B one", "Champion", "C one"],
            "Owner": ["x", "y", "z", "w", "v"],
        }
    )
    df = big.iloc[[4, 1, 3]]  # filtered and sorted by the analyst
    result = configure_labels(df, client_for(sandbox), dry_run=True)
    assert result.index.tolist() == [4, 1, 3]
    refused = df.loc[result.index[result["status"] == "invalid"]]
    assert refused["Label"].tolist() == ["Unlabeled"]
    df = df.assign(status=result["status"])
    assert df["status"].tolist() == ["planned", "invalid", "skipped"]


def test_a_template_row_left_out_keeps_the_others_on_their_rows(sandbox: Sandbox) -> None:
    df = pd.DataFrame(
        {
            "From type": ["deals"] * 3,
            "To type": ["contacts"] * 3,
            "Label": ["New one", "  ", "Champion"],
            "Note": ["first", "blank", "third"],
        },
        index=["a", "b", "c"],
    )
    with pytest.warns(TypeRowsLeftOut, match="left out"):
        result = configure_labels(df, client_for(sandbox), dry_run=True)
    assert result.index.tolist() == ["a", "c"]
    assert result["Note"].tolist() == ["first", "third"]
    df["status"] = result["status"]
    assert df["status"].isna().tolist() == [False, True, False]


def test_a_frame_read_already_keeps_its_index_through_the_job(sandbox: Sandbox) -> None:
    df = _frame(INDEXES["text"])
    read = read_labels(df)
    assert read.index.equals(df.index)
    assert read["Ticket"].tolist() == ["007", "123456789012345678901234", ""]
    result = configure_labels(read, client_for(sandbox), dry_run=True)
    assert result.index.equals(df.index)
    pd.testing.assert_frame_equal(result, configure_labels(df, client_for(sandbox), dry_run=True))


def test_an_own_column_named_like_the_results_is_kept_apart(sandbox: Sandbox) -> None:
    df = _frame(INDEXES["text"]).assign(status=["mine", "mine", "mine"], category=["c"] * 3)
    result = configure_labels(df, client_for(sandbox), dry_run=True)
    assert result["status"].tolist() == ["planned", "skipped", "planned"]
    assert result["status (original)"].tolist() == ["mine"] * 3
    assert result["category (original)"].tolist() == ["c"] * 3
    assert result["category"].iloc[1] != "c"  # the label's own, as HubSpot holds it


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_sheet_read_from_a_file_keeps_the_default_index(
    sandbox: Sandbox, tmp_path: Path, suffix: str
) -> None:
    rows = [["From type", "To type", "Label", "Ticket"]]
    rows += [
        ["deals", "contacts", label, t or ""] for label, t in zip(LABELS, TICKETS, strict=True)
    ]
    path = tmp_path / f"labels{suffix}"
    if suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        path.write_bytes(xlsx_bytes(rows))
    result = configure_labels(path, client_for(sandbox), dry_run=True)
    assert result.index.equals(pd.RangeIndex(3))
    assert result["Ticket"].tolist() == ["007", "123456789012345678901234", ""]
    assert result["row"].tolist() == [2, 3, 4]


def test_a_pairs_frames_labels_are_on_the_first_row_naming_each(sandbox: Sandbox) -> None:
    """A pairs sheet gives one line per distinct label: under the index label of the first row
    naming it, with that row's own columns."""
    df = pd.DataFrame(
        {
            "Deal ID": ["1", "2", "3", "4"],
            "Contact ID": ["5", "6", "7", "8"],
            "Label": ["New one", "Champion", "new ONE", "Other new"],
            "Ticket": ["007", "008", "009", "010"],
        },
        index=["w", "x", "y", "z"],
    )
    pairs = read_pairs(df, from_type="deals", to_type="contacts")
    result = configure_labels(pairs, client_for(sandbox), dry_run=True)
    assert result.index.tolist() == ["w", "x", "z"]
    assert result["Ticket"].tolist() == ["007", "008", "010"]
    assert result["row"].dtype == np.int64 and result["row"].tolist() == [2, 3, 5]
    df["label status"] = result["status"]
    assert df["label status"].tolist()[:2] == ["planned", "skipped"]
    assert pd.isna(df["label status"].iloc[2])


def test_a_pairs_frame_row_without_its_number_is_refused_before_anything(
    sandbox: Sandbox,
) -> None:
    pairs = read_pairs(pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["5"], "Label": ["Nu"]}))
    pairs = pairs.assign(from_type="deals", to_type="contacts")
    pairs["row"] = pd.array([pd.NA], dtype="Int64")
    with pytest.raises(InputError, match="row column"):
        configure_labels(pairs, client_for(sandbox))
    log = sandbox.request_log()
    assert log.loc[log["method"] != "GET"].empty


def test_a_labels_report_of_a_keyed_frame_is_written_and_has_no_retry(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = configure_labels(_frame(INDEXES["multi"]), client_for(sandbox), dry_run=True)
    for name in ("report.xlsx", "report.csv"):
        export_report(result, tmp_path / name)
    book = pd.read_excel(tmp_path / "report.xlsx", sheet_name="Results", dtype=str)
    assert book["Ticket"].fillna("").tolist() == ["007", "123456789012345678901234", ""]
    assert book["status"].tolist() == ["planned", "skipped", "planned"]
    with pytest.raises(InputError, match="no retry file"):
        export_retry(result, tmp_path / "retry.xlsx")


def _random_index(r: random.Random, n: int) -> pd.Index:
    kind = r.choice(["range", "text", "ints", "repeats", "multi", "float"])
    if kind == "range":
        return pd.RangeIndex(n)
    if kind == "text":
        return pd.Index(r.sample([f"k{i:03d}" for i in range(3 * n + 3)], n))
    if kind == "ints":
        return pd.Index(r.sample(range(-50, 50), n))
    if kind == "repeats":
        return pd.Index([r.randint(0, 2) for _ in range(n)])
    if kind == "float":
        return pd.Index([r.random() for _ in range(n)])
    return pd.MultiIndex.from_tuples([(r.choice("ab"), r.randint(0, 9)) for _ in range(n)])


def _random_cell(r: random.Random) -> object:
    return r.choice(["007", "0", "12345678901234567890", "text, with comma", None, np.nan, ""])


@pytest.mark.parametrize("seed", seeds(16))
def test_a_random_frames_result_lines_up_with_it(sandbox: Sandbox, seed: int) -> None:
    """Any index, any own cells: the result's rows are the frame's rows that ask something,
    under their labels and with their own cells as text, and say what the default-indexed
    frame's run says, row for row."""
    r = random.Random(seed)
    n = r.randint(1, 7)
    df = pd.DataFrame(
        {
            "From type": [r.choice(["deals", "contacts"]) for _ in range(n)],
            "To type": [r.choice(["contacts", "companies"]) for _ in range(n)],
            "Label": [r.choice(["Champion", "New one", "new one", "Other", ""]) for _ in range(n)],
            **{f"Own {c}": [_random_cell(r) for _ in range(n)] for c in range(r.randint(0, 3))},
        },
        index=_random_index(r, n),
    )
    asks = (df["Label"] != "").to_numpy()
    if not asks.any():
        return
    client = client_for(sandbox)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TypeRowsLeftOut)  # a row without a label: left out
        result = configure_labels(df, client, dry_run=True)
        plain = configure_labels(df.reset_index(drop=True), client, dry_run=True)
    assert result.index.equals(df.index[asks])
    pd.testing.assert_frame_equal(result.reset_index(drop=True), plain.reset_index(drop=True))
    for column in [c for c in df.columns if str(c).startswith("Own")]:
        expected = ["" if pd.isna(v) else str(v) for v in df.loc[asks, column]]
        assert result[column].tolist() == expected
    if df.index.is_unique:
        merged = df.assign(status=result["status"])
        assert merged.loc[asks, "status"].tolist() == result["status"].tolist()
        assert merged.loc[~asks, "status"].isna().all()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_frames_labels_come_from_no_sheet(dry_run: bool) -> None:
    """A labels result of a DataFrame said its rows came from sheet '<DataFrame>', where every
    other job's says '' (docs/report.md: "empty for a DataFrame"): a merge of results on
    (sheet, row) missed every labels row."""
    frame = pd.DataFrame({"From type": ["deals"], "To type": ["contacts"], "Label": ["Zed"]})
    pairs = pd.DataFrame({"Deal ID": ["2040000001"], "Contact ID": ["1019360001"]})
    with Sandbox(seed="demo") as sb:
        result = hf.configure_labels(frame, client_for(sb), dry_run=dry_run)
        assoc = hf.associate(pairs, client_for(sb), dry_run=True, progress=False)
    assert result["sheet"].tolist() == [""] == assoc["sheet"].tolist()
