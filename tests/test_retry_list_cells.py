"""A retry file read back gives exactly the pairs still to do, list cells included.

The reader splits a cell of several ``;``-separated ids (``Associated Contact IDs``), emails
(``Contact email``, looked up by email) or labels (``Labels (;-separated)``) into one pair per
value.  Before, the retry file rebuilt such a cell from the ids the run sent: a list of emails
came back as record ids, and an email no contact has (the one the analyst must fix) was left
out; a list of labels kept its first label only (two failed pairs read back as one); and a list
longer than an Excel cell was cut in the ``.xlsx`` file, which the reader then refused, blaming
Excel.  Now each list cell holds the parts of the pairs still to do, as the sheet wrote them,
and a list too long for an Excel cell goes on over several rows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io import rows as rows_module
from hubframe.report import export_retry
from hubframe.report.columns import from_sheet, retry_rows
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import CONTACT_IDS, contact_properties
from hubframe.testing import client_for
from hubframe.vocab import Status

DEAL = "Deal ID"
IDS, EMAILS = "Associated Contact IDs", "Contact email"
LABEL_LIST, ONE_LABEL = "Labels (;-separated)", "Association label"
NOTES = "Notes"
#: Deal 2040000001 holds two Decision makers, its limit: another fails LIMIT_EXCEEDED.
DEALS = ["2040000001", "2040000005", "2040000006"]
KNOWN = list(range(30, 40))  # demo contacts no deal above is linked to
LABELS = ["Decision maker", "Champion", "Budget holder"]
EMAIL_OF = [c["email"] for c in contact_properties()]

Pair = tuple[str, str, str, str, str]  # from type, from cell, to type, to cell, label cell


def _contact(n: int, by_email: bool) -> str:
    """The cell part for contact ``n``: a demo contact (below 100) or one no portal has."""
    if by_email:
        return EMAIL_OF[KNOWN[n]] if n < 100 else f"nobody{n}@nowhere.example"
    return str(CONTACT_IDS[KNOWN[n]]) if n < 100 else str(5000000000 + n)


contacts = st.lists(
    st.one_of(st.integers(0, len(KNOWN) - 1), st.integers(100, 110)),
    min_size=1,
    max_size=4,
    unique=True,
)
sheet_row = st.tuples(
    st.sampled_from(DEALS),
    contacts,
    st.lists(st.sampled_from(LABELS), max_size=3, unique=True),
    st.sampled_from(["", "note"]),
)


def _sheet(rows: list[tuple[str, list[int], list[str], str]], by_email: bool, lists: bool) -> dict:
    """The columns of a sheet of ``rows`` (one label a row under a plain label header; one
    label beside several contacts under a list header: several are refused when read)."""
    return {
        DEAL: [deal for deal, _, _, _ in rows],
        EMAILS if by_email else IDS: [
            ";".join(_contact(n, by_email) for n in ns) for _, ns, _, _ in rows
        ],
        LABEL_LIST if lists else ONE_LABEL: [
            ";".join(labels if lists and len(ns) == 1 else labels[:1]) for _, ns, labels, _ in rows
        ],
        NOTES: [note for _, _, _, note in rows],
    }


def _pairs(frame: pd.DataFrame, to: str, label: str) -> list[Pair]:
    """The pairs of a read sheet or a result, by the cells the analyst wrote."""
    cells = frame[[DEAL, to, label]].astype(object).where(frame[[DEAL, to, label]].notna(), "")
    return list(
        zip(
            frame["from_type"].astype(str),
            cells[DEAL].astype(str),
            frame["to_type"].astype(str),
            cells[to].astype(str),
            cells[label].astype(str),
            strict=True,
        )
    )


def _still_to_do(result: pd.DataFrame, to: str, label: str) -> list[Pair]:
    rows = result.loc[(retry_rows(result) & from_sheet(result)).to_numpy(dtype=bool)]
    return _pairs(rows, to, label)


def _read_back(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hf.read_pairs(path)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(sheet_row, min_size=1, max_size=5),
    by_email=st.booleans(),
    lists=st.booleans(),
    stop=st.sampled_from([None, None, 1, 2]),
)
def test_the_retry_file_reads_back_as_the_pairs_still_to_do(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, list[int], list[str], str]],
    by_email: bool,
    lists: bool,
    stop: int | None,
) -> None:
    """Sheets of id lists or email lists (demo contacts and unknown ones), label lists or one
    label a row, run against the demo portal (unknown contacts fail, a third Decision maker of
    deal 2040000001 fails at its limit, a daily limit stops the run): the ``.csv`` and the
    ``.xlsx`` retry files read back give exactly the failed and skipped pairs, in order."""
    folder = tmp_path_factory.mktemp("lists")
    source = folder / "pairs.csv"
    pd.DataFrame(_sheet(rows, by_email, lists)).to_csv(source, index=False)
    to, label = (EMAILS if by_email else IDS), (LABEL_LIST if lists else ONE_LABEL)
    with Sandbox(seed="demo", daily_limit=stop) as sandbox, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = hf.associate(source, client_for(sandbox), progress=False, batch_size=2)
    expected = _still_to_do(result, to, label)
    for suffix in (".csv", ".xlsx"):
        if not expected:
            break
        back = _read_back(export_retry(result, folder / f"retry{suffix}"))
        assert _pairs(back, to, label) == expected, suffix


def _failed_run(folder: Path, sheet: dict[str, list[str]], done: set[int]) -> pd.DataFrame:
    """The result of a run of ``sheet`` whose pairs at positions ``done`` succeeded, the others
    failed (no portal: a result table as a run makes it)."""
    path = folder / "sheet.csv"
    pd.DataFrame(sheet).to_csv(path, index=False)
    pairs = _read_back(path)
    outcomes = {
        n: Outcome(Status.SUCCESS if n in done else Status.FAILED) for n in range(len(pairs))
    }
    return result_table(pairs, outcomes, kind="pairs")


def test_an_email_list_keeps_the_emails_still_to_do(tmp_path: Path) -> None:
    """Before: ``1019360021;1019360022`` in place of the two emails, and an empty cell in place
    of the unknown email."""
    known = [EMAIL_OF[20], EMAIL_OF[21], EMAIL_OF[22]]
    sheet = {
        DEAL: ["2040000001", "2040000002"],
        EMAILS: [f"{known[0]};{known[1]}", f"{known[2]};nobody@nowhere.example"],
        ONE_LABEL: ["Decision maker", ""],
    }
    with Sandbox(seed="demo") as sandbox:
        source = tmp_path / "em.csv"
        pd.DataFrame(sheet).to_csv(source, index=False)
        result = hf.associate(source, client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["failed", "failed", "success", "failed"]
    for suffix in (".csv", ".xlsx"):
        back = _read_back(export_retry(result, tmp_path / f"retry{suffix}"))
        assert back[EMAILS].tolist() == [known[0], known[1], "nobody@nowhere.example"]
        assert back["row"].tolist() == [2, 2, 3]  # one row each, as in the sheet


def test_a_label_list_keeps_every_label_still_to_do(tmp_path: Path) -> None:
    """Before: the retry cell held ``Champion`` alone, one pair of the two."""
    sheet = {
        DEAL: ["2040000010"],
        "Contact ID": ["999999999"],
        LABEL_LIST: ["Champion;Budget holder"],
    }
    result = _failed_run(tmp_path, sheet, done=set())
    for suffix in (".csv", ".xlsx"):
        path = export_retry(result, tmp_path / f"retry{suffix}")
        back = _read_back(path)
        assert back["label"].tolist() == ["Champion", "Budget holder"]
        assert back["row"].tolist() == [2, 2]


def _older_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read as hubframe did before a row of ids beside labels was refused: a report of such a
    run gives a retry file still (``test_ids_beside_labels``)."""
    monkeypatch.setattr(rows_module, "_check_ids_beside_labels", lambda raw, request: None)


def test_ids_with_different_labels_still_to_do_go_on_rows_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``1;2`` beside ``A;B`` (a run of an older read), the pairs 1A and 2B failed: one row
    ``1;2`` / ``A;B`` would send four pairs, two of them done; the retry file has a row per id
    instead."""
    sheet = {
        DEAL: ["2040000010"],
        IDS: ["1019360100;1019360101"],
        LABEL_LIST: ["Champion;Budget holder"],
    }
    _older_read(monkeypatch)
    result = _failed_run(tmp_path, sheet, done={1, 2})  # 1A failed, 1B done, 2A done, 2B failed
    monkeypatch.undo()
    back = _read_back(export_retry(result, tmp_path / "retry.csv"))
    assert list(zip(back[IDS], back["label"], strict=True)) == [
        ("1019360100", "Champion"),
        ("1019360101", "Budget holder"),
    ]


def _ids(count: int, start: int = 5000000000) -> list[str]:
    return [str(start + i) for i in range(count)]


def test_an_id_list_too_long_for_an_excel_cell_goes_on_over_several_rows(tmp_path: Path) -> None:
    """3,500 failed ids (38,499 characters) in one cell: before, the ``.xlsx`` retry file cut
    the cell at Excel's 32,767 characters and its read was refused ("Excel cut it short");
    now the list goes on in a second row, a copy of the first, and reads back whole."""
    ids = _ids(3500)
    sheet = {DEAL: ["2040000001"], IDS: [";".join(ids)], NOTES: ["keep"]}
    result = _failed_run(tmp_path, sheet, done=set())
    path = export_retry(result, tmp_path / "retry.xlsx")
    back = _read_back(path)
    assert back[IDS].tolist() == ids
    assert back[NOTES].unique().tolist() == ["keep"]
    written = pd.read_excel(path, dtype=str, engine="openpyxl")
    assert len(written) == 2
    assert written[IDS].str.len().max() < 32_767
    csv = pd.read_csv(export_retry(result, tmp_path / "retry.csv"), dtype=str)
    assert csv[IDS].tolist() == [";".join(ids)]  # a CSV cell holds the list whole


def test_a_label_list_too_long_for_an_excel_cell_goes_on_over_rows_of_one_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Labels too many for one cell (beside two ids, a run of an older read): each id gets rows
    of its own, the pairs in their order."""
    labels = [f"Label {n:03d} " + "x" * 180 for n in range(200)]  # 38,000 characters
    sheet = {DEAL: ["2040000001"], IDS: ["1019360100;1019360101"], LABEL_LIST: [";".join(labels)]}
    _older_read(monkeypatch)
    result = _failed_run(tmp_path, sheet, done=set())
    monkeypatch.undo()
    back = _read_back(export_retry(result, tmp_path / "retry.xlsx"))
    expected = [(i, lab) for i in ("1019360100", "1019360101") for lab in labels]
    assert list(zip(back[IDS], back["label"], strict=True)) == expected


def test_a_rebuilt_list_never_reads_as_one_excel_cut(tmp_path: Path) -> None:
    """A list still to do exactly 32,767 characters long, the length of a list Excel cut, is
    refused when read; the CSV retry file writes it over two rows."""
    failed = _ids(2968) + _ids(10, start=50000000000)  # 2,968 x 10 + 10 x 11 + 2,977 ';'
    assert len(";".join(failed)) == 32_767
    sheet = {DEAL: ["2040000001"], IDS: [";".join([*failed, "1019360100"])]}
    result = _failed_run(tmp_path, sheet, done={len(failed)})
    for suffix in (".csv", ".xlsx"):
        back = _read_back(export_retry(result, tmp_path / f"retry{suffix}"))
        assert back[IDS].tolist() == failed, suffix
