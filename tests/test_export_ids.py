"""The ids an export is given: ids naming no record are said, never exported; pandas arrays
and ranges are ids like any list.

Before, an id naming no record (a typo, a deleted deal) was counted as a record without
associations, and ``keep_empty`` wrote a row for it as if the deal existed; ids given as a
pandas ExtensionArray (``Int64``, ``string``) or a ``range`` were refused ("Cannot read a
IntegerArray").
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hubframe.cli import main
from hubframe.jobs import read_associations
from hubframe.jobs.export import UnknownRecords
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[:3]]
MISSING = ["2040009999", "2040009998"]
KW: dict[str, Any] = {"progress": False}


@pytest.mark.parametrize("keep_empty", [False, True])
@pytest.mark.parametrize("missing", [MISSING[:1], MISSING])
def test_ids_naming_no_record_are_warned_of_and_never_exported(
    keep_empty: bool, missing: list[str]
) -> None:
    with Sandbox(seed="demo") as sb:
        sb.add_records("deals", [2040005555])  # a record without associations: kept as one
        client = client_for(sb)
        ids = [*DEALS, missing[0], "2040005555", *missing[1:]]
        with pytest.warns(UnknownRecords) as said:
            frame = read_associations(client, "deals", "contacts", ids, keep_empty=keep_empty, **KW)
        text = str(said[0].message)
        assert all(m in text for m in missing), text
        verb = "names" if len(missing) == 1 else "name"
        assert f"{len(missing)} of the ids given {verb} no deal" in text, text
        assert not set(frame["from_id"]) & set(missing)
        assert ("2040005555" in set(frame["from_id"])) is keep_empty
        info = frame.attrs["hubframe"]
        assert info["unknown_records"] == missing
        assert info["records"] == len(ids) - len(missing)
        assert not set(info["export_scope"]["ids"]) & set(missing)


def test_ids_that_all_exist_say_nothing() -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnknownRecords)
            frame = read_associations(client, "deals", "contacts", DEALS, keep_empty=True, **KW)
        assert frame.attrs["hubframe"]["unknown_records"] == []


def test_the_export_command_says_which_ids_name_no_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(seed="demo") as sb:
        ids = tmp_path / "ids.csv"
        ids.write_text("Deal ID\n" + "".join(f"{d}\n" for d in [*DEALS, MISSING[0]]))
        out = tmp_path / "links.csv"
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        argv = ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o", str(out)]
        assert main([*argv, "--keep-empty", *hub]) == 0
        said = capsys.readouterr()
        assert MISSING[0] in said.err and "names no deal" in said.err, said
        assert MISSING[0] not in out.read_text()


IDS = [int(d) for d in DEALS]


@pytest.mark.parametrize(
    "given",
    [
        pd.array(IDS, dtype="Int64"),
        pd.array(DEALS, dtype="string"),
        pd.array(DEALS, dtype="string[pyarrow]"),
        pd.array(IDS, dtype="UInt64"),
        pd.array(IDS, dtype="int64[pyarrow]"),
        pd.Series(pd.array(IDS, dtype="Int64")),
        pd.Index(pd.array(IDS, dtype="Int64")),
        pd.Categorical(DEALS),
        np.array(IDS, dtype=np.int64),
        "range",
    ],
    ids=lambda v: type(v).__name__ + str(getattr(v, "dtype", "")),
)
def test_ids_as_pandas_arrays_and_ranges_are_read_exactly(given: Any) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        if isinstance(given, str):
            given = range(IDS[0], IDS[0] + 3)
            expected = [str(i) for i in given]
        else:
            expected = DEALS
        frame = read_associations(client, "deals", "contacts", given, keep_empty=True, **KW)
        assert list(frame.attrs["hubframe"]["export_scope"]["ids"]) == expected


def test_ids_beyond_a_float_are_kept_exact() -> None:
    with Sandbox(seed="demo") as sb:
        big = 2**53 + 1  # a float would read it as 2**53
        sb.add_records("deals", [big])
        client = client_for(sb)
        frame = read_associations(
            client, "deals", "contacts", pd.array([big], dtype="Int64"), keep_empty=True, **KW
        )
        assert frame["from_id"].tolist() == [str(big)]
