"""A CSV whose header line is wider than the first 256 KB hubframe looks at is read.

Before: the header was looked for in the file's first 256 KB cut to whole lines; a header
wider than that (10,000 columns of long property names, as an export of many properties has,
well within Excel's 16,384 columns) left no line at all, and the file was refused "the file has
no data (only empty lines)" -- in the app and ``read_pairs`` alike, and so was a header of more
cells than ``max_row_cells``, which has its own message.
"""

from __future__ import annotations

import io

import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import csv as csv_module


def _sheet(columns: int, width: int, delimiter: str = ",") -> str:
    names = [f"Custom deal property {i:05d} ".ljust(width, "x") for i in range(columns)]
    header = delimiter.join(["Deal ID", "Contact ID", *names])
    rows = [
        delimiter.join([f"{2040000001 + n}", f"{1019360001 + n}", *(["v"] * columns)])
        for n in range(3)
    ]
    return "\n".join([header, *rows]) + "\n"


@pytest.mark.parametrize(
    ("columns", "width", "delimiter", "encoding"),
    [
        (2_000, 120, ",", "utf-8"),  # 240 KB: within the sample
        (10_000, 34, ",", "utf-8"),  # 340 KB: the hunt's file
        (6_000, 200, ";", "utf-8-sig"),  # 1.2 MB
        (3_000, 60, "\t", "utf-16"),  # Excel's Unicode text: 360 KB as UTF-16
        (16_000, 255, ",", "utf-8"),  # 4 MB: Excel's widest sheet of long names
    ],
    ids=["240 KB", "340 KB", "1.2 MB semicolon", "360 KB utf-16 tab", "4 MB"],
)
def test_a_header_wider_than_the_sample_is_read(
    columns: int, width: int, delimiter: str, encoding: str
) -> None:
    data = _sheet(columns, width, delimiter).encode(encoding)
    pairs = hf.read_pairs(io.BytesIO(data))
    assert list(pairs["from_id"]) == ["2040000001", "2040000002", "2040000003"]
    assert list(pairs["to_id"]) == ["1019360001", "1019360002", "1019360003"]
    assert pairs.shape[1] >= columns  # the sheet's own columns kept


def test_a_header_of_more_cells_than_a_row_may_hold_says_so() -> None:
    data = _sheet(20_000, 30).encode()
    with pytest.raises(InputError, match="max_row_cells") as refused:
        hf.read_pairs(io.BytesIO(data))
    assert "no data" not in str(refused.value)


def test_a_line_longer_than_any_header_is_refused_as_not_a_sheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_module, "MAX_SAMPLE_BYTES", 1024 * 1024)  # 64 MB in use
    data = ("Deal ID,Contact ID," + "x" * 2_000_000 + "\n2040000001,1019360001\n").encode()
    with pytest.raises(InputError, match="first line is longer than") as refused:
        hf.read_pairs(io.BytesIO(data))
    assert "no data" not in str(refused.value)


def test_a_narrow_sheet_reads_no_more_than_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = csv_module.head_bytes

    def counted(loaded: object, size: int = csv_module.SAMPLE_BYTES) -> bytes:
        sizes.append(size)
        return real(loaded, size)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_module, "head_bytes", counted)
    rows = "".join(f"{2040000001 + n},{1019360001 + n}\n" for n in range(30_000))
    hf.read_pairs(io.BytesIO(("Deal ID,Contact ID\n" + rows).encode()))
    assert sizes == [csv_module.SAMPLE_BYTES]
