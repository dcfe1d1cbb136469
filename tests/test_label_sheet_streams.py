"""``configure_labels`` reads a sheet given as a stream as it reads the same bytes or path.

Before: ``read_label_sheet`` handed one stream to the labels, pairs and limits readers in turn;
the labels reader (which takes no fill-note headers such as ``Label (optional)``) read it to
its end, the next readers got nothing, and a pairs sheet was refused "no label column".  Now a
stream is read once and each reader gets its bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

SHEETS = {
    "pairs": b"Deal ID,Contact ID,Label (optional)\n1,2,Mentor\n3,4,Champion\n",
    "pairs_list": b"Deal ID,Contact ID,Labels (;-separated)\n1,2,Mentor; Scout\n",
    "limits": b"From,To,Label,Max (required)\ndeals,contacts,Mentor,3\n",
    "labels": b"From type,To type,Label,Inverse label\ndeals,contacts,Mentor,Mentee\n",
}
COLUMNS = ["label", "change", "status", "error_code"]


def _sources(tmp_path: Path, data: bytes) -> dict[str, Callable[[], Any]]:
    path = tmp_path / "sheet.csv"
    path.write_bytes(data)
    return {
        "BytesIO": lambda: io.BytesIO(data),
        "StringIO": lambda: io.StringIO(data.decode()),
        "open file": lambda: path.open("rb"),
        "path": lambda: path,
    }


@pytest.mark.parametrize("kind", sorted(SHEETS))
def test_a_stream_reads_as_its_bytes(sandbox: Sandbox, tmp_path: Path, kind: str) -> None:
    client = client_for(sandbox)
    types = {"from_type": "deals", "to_type": "contacts"}
    data = SHEETS[kind]
    want = hf.configure_labels(data, client, dry_run=True, **types)[COLUMNS]
    for how, make in _sources(tmp_path, data).items():
        source = make()
        try:
            got = hf.configure_labels(source, client, dry_run=True, **types)[COLUMNS]
        finally:
            if hasattr(source, "close"):
                source.close()
        pd.testing.assert_frame_equal(got, want, obj=how)


def test_a_stream_no_reader_takes_is_refused_under_its_name(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "mine.csv"
    path.write_bytes(b"Deal ID,Notes\n1,x\n")
    with path.open("rb") as stream, pytest.raises(InputError, match=r"mine\.csv"):
        hf.configure_labels(stream, client_for(sandbox), dry_run=True)
