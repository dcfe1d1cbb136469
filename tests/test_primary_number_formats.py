"""A primary cell Excel or a locale shows as a formatted number (io.rivals).

An export's ``Associated Company IDs (Primary)`` formatted as a number with grouping
(``3,030,001.00`` Comma Style, ``30,30,001`` India's lakh grouping, ``3 030 001.00``,
``3030 001``, ``3.030.001,00``) names one id: the read goes on when it is among the row's ids,
and stops naming that id (never a digit group of it: 3, 30, 3030) when it is not.  A cell of
digits with a decimal part of zeros (``3030001.00``) names its id too.  A column pandas wrote
as floats (``3030001.0``: a column with empty cells) is settled without reading cell by cell.
"""

from __future__ import annotations

import io
import random
import warnings
from collections.abc import Callable, Iterator

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io import rivals
from hubframe.io.columns import HeaderError
from hubframe.testing import csv_upload

HEADER = ["Record ID", "Deal Name", "Associated Company IDs", "Associated Company IDs (Primary)"]
Rows = list[list[str]]


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _csv(rows: Rows) -> io.BytesIO:
    return csv_upload(rows)


def _deals(rows: Rows) -> pd.DataFrame:
    return hf.read_pairs(_csv([HEADER, *rows]), from_type="deals", to_type="companies")


def _groups(digits: str, size: int = 3) -> list[str]:
    head = len(digits) % size or size
    return [digits[:head]] + [digits[i : i + size] for i in range(head, len(digits), size)]


def _lakh(digits: str) -> str:
    rest = _groups(digits[:-3], 2) if len(digits) > 3 else []
    return ",".join([*rest, digits[-3:]])


FORMATS: dict[str, Callable[[str], str]] = {
    "comma style": lambda d: ",".join(_groups(d)) + ".00",
    "comma, no decimals": lambda d: ",".join(_groups(d)),
    "lakh": _lakh,
    "lakh with decimals": lambda d: _lakh(d) + ".00",
    "spaces with decimals": lambda d: " ".join(_groups(d)) + ".00",
    "no-break spaces, decimal comma": lambda d: "\u00a0".join(_groups(d)) + ",00",
    "narrow spaces": lambda d: "\u202f".join(_groups(d)),
    "four-digit head": lambda d: d[:-3] + " " + d[-3:],
    "dots, decimal comma": lambda d: ".".join(_groups(d)) + ",00",
    "apostrophes": lambda d: "\u2019".join(_groups(d)) + ".00",
    "decimal zeros": lambda d: d + ".00",
    "three decimal zeros": lambda d: ",".join(_groups(d)) + ".000",
}


@pytest.mark.parametrize("shape", FORMATS)
def test_a_formatted_primary_among_the_rows_ids_reads(shape: str) -> None:
    primary = FORMATS[shape]("3030001")
    read = _deals(
        [["1010001", "A", "3030001;3030002", primary], ["1010002", "B", "3030005", "3030005"]]
    )
    assert read["to_id"].tolist() == ["3030001", "3030002", "3030005"], primary


@pytest.mark.parametrize("shape", FORMATS)
def test_a_formatted_primary_not_among_them_stops_naming_the_id(shape: str) -> None:
    primary = FORMATS[shape]("3030001")
    with pytest.raises(HeaderError) as caught:
        _deals([["1010001", "A", "3030005", "3030005"], ["1010002", "B", "3030002", primary]])
    message = str(caught.value)
    assert "row 3:" in message and "names 3030001 as the primary" in message, (primary, message)


def test_formatted_primaries_seeded() -> None:
    """Seeded: ids of 4 to 12 digits in every format, listed among the row's ids or not."""
    rng = random.Random(102)
    for case in range(300):
        digits = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
        digits = digits[: rng.randint(4, 12)]
        shape = rng.choice(sorted(FORMATS))
        primary = FORMATS[shape](digits)
        others = [str(rng.randint(10**6, 10**7 - 1)) for _ in range(rng.randint(0, 2))]
        others = [o for o in others if o != digits]
        listed = rng.random() < 0.5
        ids = [*others, digits] if listed else others or ["9090909"]
        rows = [["1010001", "A", ";".join(ids), primary]]
        where = (case, shape, primary, ids)
        if listed:
            assert sorted(_deals(rows)["to_id"]) == sorted(ids), where
            continue
        with pytest.raises(HeaderError) as caught:
            _deals(rows)
        assert f"names {digits} as the primary" in str(caught.value), (*where, str(caught.value))


def _float_export(count: int, missing_at: int | None = None) -> io.BytesIO:
    companies = [str(3030001 + i) for i in range(count)]
    primary = [float(c) if i % 3 else None for i, c in enumerate(companies)]
    if missing_at is not None:
        primary[missing_at] = 3939393.0
    frame = pd.DataFrame(
        {
            "Record ID": [str(1010001 + i) for i in range(count)],
            "Deal Name": "D",
            "Associated Company IDs": companies,
            "Associated Company IDs (Primary)": primary,
        }
    )
    out = io.BytesIO(frame.to_csv(index=False).encode())
    out.name = "export.csv"
    return out


def test_a_float_primary_column_is_settled_without_the_row_by_row_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cells '3030001.0' equal to the cell read settle in Arrow: none reaches _missing."""
    seen: list[int] = []
    compare = rivals._missing

    def counting(rows: list[int], *cells: list[str]) -> Iterator[tuple[int, set[str], str]]:
        seen.extend(rows)
        return compare(rows, *cells)

    monkeypatch.setattr(rivals, "_missing", counting)
    read = hf.read_pairs(_float_export(300), from_type="deals", to_type="companies")
    assert len(read) == 300
    assert seen == []


@pytest.mark.parametrize("at", [1, 2, 299])
def test_a_float_primary_missing_from_its_row_still_stops(at: int) -> None:
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(_float_export(300, at), from_type="deals", to_type="companies")
    assert f"row {at + 2}:" in str(caught.value) and "names 3939393 as" in str(caught.value)
