"""A wide sheet's report and retry file cost their columns, not their columns squared.

Before: a one-row sheet of 2,000 columns (13 KB, well inside the read limits) took 52 s to
write its report and retry file, 8,000 columns 524 s: the retry file's layout was set column by
column on a frame whose attrs pandas deep-copies at each step, every CSV column was guarded by
vectorized passes of ~6 ms each, and each text column was searched for secrets on its own.
Now the layout is built in one piece, a short column is looked at cell by cell, and the text
columns are searched for secrets together.  These tests hold the outputs to what they were;
``bench/hostile_inputs.py`` times the wide sheet.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.redaction import MARK, forget_secret, register_secret
from hubframe.report.safety import csv_column, outgoing_frame
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

CELLS = st.one_of(
    st.none(),
    st.sampled_from(["=1+1", "+33 1 23", "-5", "-x", "@sum", "#N/A", "\tx", "plain", "", "007"]),
    st.text(max_size=6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 5),
)


@settings(max_examples=examples(300), deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=8), dtype=st.sampled_from(["object", "string"]))
def test_a_short_column_is_guarded_as_a_long_one_is(cells: list[object], dtype: str) -> None:
    if dtype == "string":
        cells = [c if c is None or isinstance(c, str) else str(c) for c in cells]
    short = pd.Series(cells, dtype=dtype)
    long = pd.Series(cells * 20, dtype=dtype)  # past the cell-by-cell size: vectorized
    want = csv_column(long).astype(object).tolist()[: len(cells)]
    got = csv_column(short).astype(object).tolist()
    assert [_same(v) for v in got] == [_same(v) for v in want]


def _same(value: object) -> object:
    return "<missing>" if value is None or (isinstance(value, float) and np.isnan(value)) else value


@pytest.mark.parametrize("where", [0, 700, 1_499])
def test_a_token_in_one_of_many_arrow_columns_is_redacted(where: int) -> None:
    token = "pat-na1-11112222-3333-4444-5555-666677778888x"
    register_secret(token)
    try:
        data = {f"c{i}": pd.Series(["x", None], dtype="string[pyarrow]") for i in range(1_500)}
        data[f"c{where}"] = pd.Series([f"note {token}", None], dtype="string[pyarrow]")
        out = outgoing_frame(pd.DataFrame(data))
    finally:
        forget_secret(token)
    assert out[f"c{where}"].tolist()[0] == f"note {MARK}"
    assert out["c1" if where != 1 else "c2"].tolist()[0] == "x"


def test_a_one_row_sheet_of_many_columns_round_trips(sandbox: Sandbox, tmp_path: Path) -> None:
    n = 3_000
    names = [f"Note {i}" for i in range(n)]
    values = ["=HYPERLINK(1)" if i == 7 else f"v{i}" for i in range(n)]
    header = ",".join(["Deal ID", "Contact ID", *names])
    row = ",".join([str(demo_ids("deals")[0]), "10193699999", *values])
    result = hf.associate(
        hf.read_pairs(io.BytesIO(f"{header}\n{row}\n".encode())),
        client_for(sandbox),
        progress=False,
    )
    assert list(result["status"]) == ["failed"]
    retry = hf.read_pairs(hf.export_retry(result, tmp_path / "retry.csv"))
    assert list(retry["to_id"]) == ["10193699999"] and list(retry["Note 2999"]) == ["v2999"]
    assert list(retry["Note 7"]) == ["=HYPERLINK(1)"]  # guarded in the file, read back as typed
    report = pd.read_csv(hf.export_report(result, tmp_path / "report.csv"), dtype=str)
    assert report["Note 7"].tolist() == ["'=HYPERLINK(1)"] and report.shape[1] > n
