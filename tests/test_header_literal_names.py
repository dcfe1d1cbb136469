"""A header as written keeps its name: a repeat is never named like another column's header.

A sheet saved once by pandas and given another column reads ``Deal ID | Contact ID | Contact
ID | Contact ID.1``.  The read named the repeated "Contact ID" (column C) "Contact ID.1", as
pandas does, and the column literally headed "Contact ID.1" (column D) "Contact ID.1.1":
``columns={"Contact ID.1": "to_id"}`` (or the app's dropdown) read column C, the run linked the
wrong contact with ``success``, and the report showed column C's cells under "Contact ID.1".
A repeat's name now skips every name a header of the row has ("Contact ID.2").
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from app_driver import WAIT, click, upload
from fuzzseeds import seeds

import hubframe as hf
from hubframe.io import sheet_headers
from hubframe.io.cells import clean_headers
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, xlsx_bytes
from hubframe.widgets import HubframeApp

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
TYPES = {"from_type": "deals", "to_type": "contacts"}
#: the repro's sheet: C repeats "Contact ID", D is headed "Contact ID.1" as written
HEADERS = ["Deal ID", "Contact ID", "Contact ID", "Contact ID.1"]
B, C, D, BAD = str(CONTACTS[0]), str(CONTACTS[5]), str(CONTACTS[7]), "1019369999"
ROWS = [[str(DEALS[0]), B, C, D], [str(DEALS[1]), B, C, BAD]]


def _source(kind: str, headers: Sequence[object], rows: Sequence[Sequence[object]]) -> object:
    if kind == "frame":
        return pd.DataFrame([list(r) for r in rows], columns=list(headers), dtype=object)
    if kind == "xlsx":
        return io.BytesIO(xlsx_bytes([list(headers), *rows]))
    lines = [",".join("" if h is None else str(h) for h in headers)]
    lines += [",".join(map(str, r)) for r in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


# --- the names: every header as written keeps its own ------------------------------------------


@pytest.mark.parametrize(
    ("cells", "names"),
    [
        (["a", "a", "a.1"], ["a", "a.2", "a.1"]),
        (["a", "a.1", "a"], ["a", "a.1", "a.2"]),
        (["a", "a", "a.1", "a.1"], ["a", "a.2", "a.1", "a.1.1"]),
        (["a", "a", "a", "a.2"], ["a", "a.1", "a.3", "a.2"]),
        (["a", "a", " a.1 "], ["a", "a.2", "a.1"]),
        (["", "Unnamed: 0"], ["Unnamed: 0.1", "Unnamed: 0"]),
        (["a", "a", "a"], ["a", "a.1", "a.2"]),  # as before: no header is taken
        (["", None, "b"], ["Unnamed: 0", "Unnamed: 1", "b"]),
    ],
)
def test_a_repeat_skips_the_names_headers_have(cells: list[object], names: list[str]) -> None:
    assert clean_headers(cells) == names


_BASES = ("Contact ID", "Contact ID", "Notes")
_SUFFIXES = ("", "", "", ".1", ".2", ".1.1", " ", "\n")


def _random_headers(rng: random.Random) -> list[str]:
    """``Deal ID`` and 3-7 headers of two bases with repeats, literal '.N' names, spaces,
    line breaks and empty cells."""
    out = ["Deal ID"]
    for _ in range(rng.randint(3, 7)):
        out.append("" if rng.random() < 0.1 else rng.choice(_BASES) + rng.choice(_SUFFIXES))
    return out


def _check_every_column(frame: pd.DataFrame, headers: list[str], rows: list[list[str]]) -> None:
    """Each column's cells under the name the read gave it, that name's header as written
    the column's own, and a header written once (cleaned) named exactly so."""
    info = frame.attrs["hubframe"]
    names, written = info["original_columns"], info.get("written_headers") or {}
    assert len(names) == len(headers)
    cleaned = [h.strip().replace("\n", " ") for h in headers]
    for position, (name, header) in enumerate(zip(names, headers, strict=True)):
        assert frame[name].tolist() == [row[position] for row in rows], (headers, name)
        assert written.get(name, name).strip() == header.strip(), (headers, name)
        if cleaned[position] and cleaned.count(cleaned[position]) == 1:
            assert name == cleaned[position], (headers, names)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "frame"])
def test_every_header_maps_to_its_own_column(kind: str) -> None:
    """Random header rows: the column ``columns=`` names is the one written so, and every
    column keeps its cells under its own name."""
    for seed in seeds(40):
        rng = random.Random(seed)
        headers = _random_headers(rng)
        if kind == "csv":
            headers = [h.replace("\n", " ") for h in headers]  # a CSV header is one line
        rows = [
            [str(DEALS[r])] + [str(1019360000 + 10 * c + r) for c in range(1, len(headers))]
            for r in range(2)
        ]
        cleaned = [h.strip().replace("\n", " ") for h in headers]
        once = [h for h in cleaned[1:] if h and cleaned.count(h) == 1]
        if not once:
            continue
        numbered = [h for h in once if h[-1].isdigit()]  # a ".N" name the read may make
        chosen = rng.choice(numbered or once)
        source = _source(kind, [h or None for h in headers] if kind == "xlsx" else headers, rows)
        frame = hf.read_pairs(source, columns={"Deal ID": "from_id", chosen: "to_id"}, **TYPES)
        column = cleaned.index(chosen)
        assert frame["to_id"].tolist() == [row[column] for row in rows], (headers, chosen)
        _check_every_column(frame, headers, rows)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "frame"])
def test_the_dropdown_names_are_the_columns_read(kind: str) -> None:
    """The app lists :func:`sheet_headers`' names: the one written "Contact ID.1" is D's."""
    names = sheet_headers(_source(kind, HEADERS, ROWS))
    assert names == ["Deal ID", "Contact ID", "Contact ID.2", "Contact ID.1"]
    for name, column in (("Contact ID.1", 3), ("Contact ID.2", 2)):
        frame = hf.read_pairs(
            _source(kind, HEADERS, ROWS), columns={"Deal ID": "from_id", name: "to_id"}, **TYPES
        )
        assert frame["to_id"].tolist() == [row[column] for row in ROWS]


# --- end to end: the run, its report, its retry file -------------------------------------------


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    links = sb.associations("deals", "contacts")
    return set(zip(links["from_id"].astype(str), links["to_id"].astype(str), strict=True))


def _report_rows(path: Path) -> list[dict[str, object]]:
    if path.suffix == ".csv":
        table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        return table.to_dict("records")  # type: ignore[return-value]
    sheet = openpyxl.load_workbook(path)["Results"]
    header, *body = list(sheet.iter_rows(values_only=True))
    return [
        {str(h): None if v is None else str(v) for h, v in zip(header, row, strict=True)}
        for row in body
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "frame"])
def test_the_run_links_the_column_written_so(kind: str, tmp_path: Path) -> None:
    frame = hf.read_pairs(
        _source(kind, HEADERS, ROWS),
        columns={"Deal ID": "from_id", "Contact ID.1": "to_id"},
        **TYPES,
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(frame, client_for(sb), progress=False)
        assert result["status"].tolist() == ["success", "failed"]
        assert result["to_id"].tolist() == [D, BAD]
        linked = _linked(sb)
    assert (str(DEALS[0]), D) in linked and (str(DEALS[0]), C) not in linked
    for suffix in (".xlsx", ".csv"):
        shown = _report_rows(hf.export_report(result, tmp_path / f"report{suffix}"))
        assert [r["Contact ID.1"] for r in shown] == [D, BAD], suffix
        assert [r["Contact ID.2"] for r in shown] == [C, C], suffix
        retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
        again = hf.read_pairs(retry, to_type="contacts")
        assert again["to_id"].tolist() == [BAD], suffix  # column D's cell, not column C's
        written = (
            pd.read_csv(retry, header=None, dtype=str, encoding="utf-8-sig")
            if (suffix == ".csv")
            else pd.read_excel(retry, header=None, dtype=str, engine="calamine")
        )
        assert written.iloc[1].tolist() == [str(DEALS[1]), B, C, BAD], suffix


def test_the_app_runs_the_column_picked_in_the_dropdown(app: HubframeApp) -> None:
    body = "\n".join(",".join(r) for r in [HEADERS, *ROWS]).encode() + b"\n"
    click(app, app.connect_button)
    upload(app, "pairs.csv", body)
    offered = [label for label, _ in app.columns["to_id"].options]
    assert "Contact ID.1" in offered and "Contact ID.2" in offered
    app.columns["from_id"].value = "Deal ID"
    app.columns["to_id"].value = "Contact ID.1"
    app.from_type.value, app.to_type.value = "deals", "contacts"
    click(app, app.run_button)
    assert app.wait(WAIT)
    assert app.result["to_id"].astype(str).tolist() == [D, BAD]
    linked = _linked(app.connection.sandbox)
    assert (str(DEALS[0]), D) in linked and (str(DEALS[0]), C) not in linked
    report = next(v for k, v in app.downloads.items() if "report" in k)
    header, first, *_ = openpyxl.load_workbook(io.BytesIO(report))["Results"].iter_rows(
        values_only=True
    )
    assert dict(zip(header, first, strict=True))["Contact ID.1"] == D
