"""A retry file holds every pair still to do, whatever the result's rows share.

A source row whose cell listed several ids (``1019360001;1019360002``) is one retry row with
the ids still to do.  Before, rows were taken for one source row by their ``sheet`` and ``row``
alone: the results of two runs put together (``pd.concat``), whose sheets have the same name,
lost all but the first failed row of each line number; and a result whose attrs pandas had
dropped (a ``concat`` of results of different files does) kept one id of a split cell, the
others still to do gone from the retry file without a word.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.report import export_retry
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, xlsx_bytes
from hubframe.vocab import Status

HEADER = ["Deal ID", "Associated Contact IDs", "Notes"]
TODO = (Status.FAILED, Status.INVALID)


def _pairs(frame: pd.DataFrame) -> Counter[tuple[str, str]]:
    return Counter(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


def _run(folder: Path, name: str, rows: list[list[str]], statuses: list[Status]) -> pd.DataFrame:
    """The result of a run of a sheet ``rows`` whose pairs ended as ``statuses``."""
    path = folder / name
    path.write_bytes(xlsx_bytes([HEADER, *rows]))
    pairs = hf.read_pairs(path)
    outcomes = {n: Outcome(s) for n, s in enumerate(statuses)}
    return result_table(pairs, outcomes, kind="pairs")


source_row = st.tuples(
    st.integers(2040000001, 2040000009),
    st.lists(st.integers(1019360001, 1019360009), min_size=1, max_size=3, unique=True),
    st.sampled_from(["", "note"]),
)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    runs=st.lists(st.lists(source_row, min_size=1, max_size=3), min_size=1, max_size=2),
    data=st.data(),
    drop_attrs=st.booleans(),
    same_file=st.booleans(),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_every_pair_still_to_do_is_in_the_retry_file(
    tmp_path_factory: pytest.TempPathFactory,
    runs: list[list[tuple[int, list[int], str]]],
    data: st.DataObject,
    drop_attrs: bool,
    same_file: bool,
    suffix: str,
) -> None:
    folder = tmp_path_factory.mktemp("retry")
    results = []
    for n, rows in enumerate(runs):
        sheet = [[str(deal), ";".join(map(str, contacts)), note] for deal, contacts, note in rows]
        size = sum(len(contacts) for _, contacts, _ in rows)
        statuses = data.draw(st.lists(st.sampled_from(list(Status)), min_size=size, max_size=size))
        name = "run.xlsx" if same_file else f"run{n}.xlsx"  # one file: their attrs are kept
        results.append(_run(folder, name, sheet, statuses))  # each sheet is "Sheet1"
    result = pd.concat(results) if len(results) > 1 else results[0]
    if drop_attrs:
        result.attrs = {}
    todo = result[result["status"].isin(TODO)]
    if todo.empty:
        return
    back = _pairs(hf.read_pairs(export_retry(result, folder / f"retry{suffix}")))
    assert set(back) == set(_pairs(todo))  # none lost (a pair of two runs may be one row)
    assert back.total() <= len(todo)  # none repeated


def test_two_runs_put_together_retry_every_failed_row(tmp_path: Path) -> None:
    """Two runs of sheets named alike, their results concatenated: both failed rows, and the
    ids still to do of a split cell, are in the retry file (before: one row of each line)."""
    (tmp_path / "a.xlsx").write_bytes(
        xlsx_bytes([HEADER, ["2040000071", "1019369999;1019360171;1019369998", "a"]])
    )
    (tmp_path / "b.xlsx").write_bytes(xlsx_bytes([HEADER, ["2040000072", "1019369997", "b"]]))
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        first = hf.associate(tmp_path / "a.xlsx", client, progress=False)
        second = hf.associate(tmp_path / "b.xlsx", client, progress=False)
    assert first["status"].tolist() == ["failed", "success", "failed"]
    both = pd.concat([first, second])
    for suffix in (".csv", ".xlsx"):
        back = hf.read_pairs(export_retry(both, tmp_path / f"retry{suffix}"))
        assert back["from_id"].tolist() == ["2040000071", "2040000071", "2040000072"]
        assert back["to_id"].tolist() == ["1019369999", "1019369998", "1019369997"]
    alone = openpyxl.load_workbook(export_retry(first, tmp_path / "alone.xlsx")).worksheets[0]
    assert [list(r) for r in alone.iter_rows(values_only=True)] == [  # one row, as before
        HEADER,
        ["2040000071", "1019369999;1019369998", "a"],
    ]
