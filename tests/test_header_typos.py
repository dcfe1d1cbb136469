"""A header that is a column hubframe reads misspelled stops the read; it is never kept as a
column of the analyst's own while its cells are left out.

Before, a pairs sheet's ``Lable``, ``Lables``, ``Labe1`` or ``Lаbel`` (a Cyrillic ``а``) was
kept as the analyst's column: ``label`` came back empty, with no word, and ``hubframe
associate`` made unlabeled associations.  A limits sheet ``From,To,Lable,Max`` set the limit
of every deal -> contact association to 500 (the label's untouched), status ``success``; so did
``Typ ID`` or ``Type`` over a type id.  Now a header one typo away from an alias (4 letters or
more), written with letters of another script or full-width ones, or with ``1``/``0`` for
``l``/``o``, and a header of association types in other words (``Type #``, ``Association Type
Number``; a bare ``Type`` over type ids), stops the read with a ``HeaderError`` naming it and
what it looks like, when it holds a cell that could be such a value.  Ordinary columns of the
analyst's own read as before.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.io.aliases import (
    PROPERTY_HEADERS,
    SIDE_KEYS,
    STRONG_ALIASES,
    STRONG_KEYS,
    TYPED_HEADERS,
    WEAK_KEYS,
    alias_field,
    header_key,
)
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEAL, CONTACT = "12345678901", "98765432101"
#: A cell each field's misspelled column holds.
CELLS = {
    "label": "Decision maker",
    "category": "USER_DEFINED",
    "type_id": "1001",
    "max_to_object_ids": "500",
}
#: Letters of other scripts that look like the Latin ones, and full-width letters.
LOOKALIKES = {
    "a": "аα",
    "e": "еε",
    "o": "оο",
    "p": "рρ",
    "c": "с",
    "y": "у",
    "i": "іι",
    "x": "х",
    "T": "ТΤ",
    "M": "МΜ",
    "A": "АΑ",
    "C": "С",
    "I": "І",
    "L": "Ｌ",
}
DIGITS = {"l": "1", "o": "0", "L": "1", "O": "0"}


def _known(header: str) -> bool:
    key = header_key(header)
    tables = (STRONG_KEYS, WEAK_KEYS, SIDE_KEYS, TYPED_HEADERS, PROPERTY_HEADERS)
    return alias_field(header) is not None or any(key in table for table in tables)


def _typo(alias: str, rng: random.Random) -> str:
    """``alias`` with one letter left out, doubled, changed, or swapped with its neighbour."""
    spots = [i for i, c in enumerate(alias) if c.isalpha()]
    i = rng.choice(spots)
    how = rng.choice(["delete", "insert", "change", "swap"])
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if how == "delete":
        return alias[:i] + alias[i + 1 :]
    if how == "insert":
        return alias[:i] + letter + alias[i:]
    if how == "change":
        return alias[:i] + (letter if letter != alias[i].lower() else "q") + alias[i + 1 :]
    j = i + 1 if i + 1 < len(alias) and alias[i + 1].isalpha() else i - 1
    if j < 0 or not alias[j].isalpha() or alias[i] == alias[j]:
        return alias[:i] + alias[i + 1 :]
    a, b = sorted((i, j))
    return alias[:a] + alias[b] + alias[a] + alias[b + 1 :]


def _lookalike(alias: str, rng: random.Random) -> str:
    """``alias`` with letters written as look-alikes of another script, full-width, or as
    digits."""
    table = {**LOOKALIKES, **DIGITS} if rng.random() < 0.3 else LOOKALIKES
    spots = [i for i, c in enumerate(alias) if c in table]
    chosen = rng.sample(spots, k=min(len(spots), rng.randint(1, 2)))
    out = list(alias)
    for i in chosen:
        out[i] = rng.choice(table[out[i]])
    return "".join(out)


def _variants(field: str, seed: int) -> list[str]:
    """A typo and a look-alike spelling of every alias of ``field`` (4 letters or more for a
    typo) that no table reads as a header."""
    rng = random.Random(seed)
    out: list[str] = []
    for alias in (*STRONG_ALIASES[field], field):
        if len(header_key(alias)) >= 4:
            out.append(_typo(alias, rng))
        if any(c in LOOKALIKES for c in alias):
            out.append(_lookalike(alias, rng))
    return [v for v in dict.fromkeys(out) if header_key(v) != "" and not _known(v) and not _ed(v)]


def _ed(header: str) -> bool:
    """One word ending in "ed" ("typed" from "typeId"): a word of its own, read as before
    (:data:`ORDINARY`)."""
    return header.isalpha() and header.endswith("ed")


def _pairs(header: str, cell: str) -> io.BytesIO:
    return io.BytesIO(f"Deal ID,Contact ID,{header}\n{DEAL},{CONTACT},{cell}\n".encode())


def _limits(header: str, cell: str, field: str) -> io.BytesIO:
    if field == "max_to_object_ids":  # beside the limit read: which one was meant?
        return io.BytesIO(f"From,To,Max,{header}\ndeals,contacts,25,{cell}\n".encode())
    return io.BytesIO(f"From,To,{header},Max\ndeals,contacts,{cell},500\n".encode())


def _refused(read: object) -> str:
    assert callable(read)
    with pytest.raises(HeaderError) as caught:
        read()
    return str(caught.value)


@pytest.mark.parametrize("header", ["Lable", "Lables", "Labe1", "L\u0430bel", "Ｌａｂｅｌ"])
def test_a_misspelled_label_header_stops_a_pairs_read(header: str) -> None:
    message = _refused(lambda: hf.read_pairs(_pairs(header, "Decision maker")))
    assert f'"{header}"' in message and '"Label' in message and "misspelled" in message, message
    assert "without their labels" in message, message


@pytest.mark.parametrize("header", ["Lable", "Lables", "L\u0430bel", "Labe1"])
def test_a_misspelled_label_header_stops_a_limits_read(header: str) -> None:
    message = _refused(
        lambda: hf.read_limits(_limits(header, "Decision maker", "label"))  # type: ignore[arg-type]
    )
    assert f'"{header}"' in message and "misspelled" in message, message
    assert "whole object pair" in message, message


@pytest.mark.parametrize(
    ("header", "looks"),
    [
        ("Typ ID", '"Type ID" misspelled'),
        ("Tpye ID", '"Type ID" misspelled'),
        ("Type", "association types"),
        ("Type #", "association types"),
        ("Type number", "association types"),
        ("Association Type Number", "association types"),
        ("Assoc type no.", "association types"),
        ("Categroy", '"Category" misspelled'),
    ],
)
def test_a_type_id_or_category_header_in_other_words_stops_the_read(
    header: str, looks: str
) -> None:
    cell = "USER_DEFINED" if "ateg" in header else "1001"
    message = _refused(lambda: hf.read_pairs(_pairs(header, cell)))
    assert f'"{header}"' in message and looks in message, message


def test_a_word_of_a_header_misspelled_stops_the_read() -> None:
    message = _refused(lambda: hf.read_pairs(_pairs("Contact Lable", "Champion")))
    assert '"Contact Lable"' in message and "misspelled" in message, message


def test_a_misspelled_header_beside_the_column_read_stops_the_read() -> None:
    sheet = f"Deal ID,Contact ID,Label,Lable\n{DEAL},{CONTACT},Champion,Decision maker\n"
    message = _refused(lambda: hf.read_pairs(io.BytesIO(sheet.encode())))
    assert '"Lable"' in message and '"Label"' in message, message


@pytest.mark.parametrize("seed", seeds(6))
@pytest.mark.parametrize("field", ["label", "category", "type_id"])
def test_every_alias_misspelled_stops_a_pairs_read(field: str, seed: int) -> None:
    for header in _variants(field, seed):
        message = _refused(lambda h=header: hf.read_pairs(_pairs(h, CELLS[field])))
        assert f'"{header}"' in message, (header, message)


@pytest.mark.parametrize("seed", seeds(6))
@pytest.mark.parametrize("field", ["label", "category", "type_id", "max_to_object_ids"])
def test_every_alias_misspelled_stops_a_limits_read(field: str, seed: int) -> None:
    for header in _variants(field, seed):
        if header_key(header) in ("mx", "ma"):  # "Max" less a letter: no column named
            continue
        message = _refused(
            lambda h=header: hf.read_limits(_limits(h, CELLS[field], field))  # type: ignore[arg-type]
        )
        assert f'"{header}"' in message, (header, message)


@pytest.mark.parametrize("field", ["label", "type_id"])
def test_an_empty_or_yes_no_misspelled_column_reads_as_before(field: str) -> None:
    for cell in ("", "yes", "x"):
        frame = hf.read_pairs(_pairs("Lable" if field == "label" else "Typ ID", cell))
        assert frame["from_id"].tolist() == [DEAL]


#: Columns of the analyst's own, with cells such columns hold: none is a column hubframe reads.
ORDINARY = {
    "Notes": ["call back Tuesday", "1200", "Decision maker"],
    "Owner": ["Ana Souza", "1001"],
    "Stage": ["Closed won", "3"],
    "Deal Stage": ["appointmentscheduled"],
    "Amount": ["1200", "1001"],
    "Table": ["A4", "12"],
    "Cable": ["HDMI"],
    "Level": ["3", "Gold"],
    "Labels used elsewhere?": ["yes", "no"],
    "Labelled by": ["Ana"],
    "Label printed?": ["yes"],
    "Deal Type": ["newbusiness", "1001"],
    "Type": ["Prospect", "Customer"],
    "Types": ["Partner"],
    "Typed by": ["Ana"],
    "Priority": ["1", "high"],
    "Lead Status": ["Open"],
    "Close Date": ["2025-01-31"],
    "Region": ["EMEA"],
    "Tags": ["vip"],
    "Comments": ["ok"],
    "Company Name": ["Acme"],
    "Pipeline": ["default"],
    "Limitations": ["none"],
    "Catalog": ["A12"],
    "Lab": ["Berlin"],
    "Label color": [],
    "Stamp": ["1001"],
    "Maximo": ["x"],
    "Form": ["Contact us"],
    "HubSpot Owner ID": ["41234567"],
    "Deal Stage ID": ["1234567"],
    "Portal ID": ["4412345"],
    "Row ID": ["1", "2"],
    # one typo from an alias, but words of their own ("Type ID", "Record ID", "To ID")
    "Typed": ["Ana"],
    "Labeled": ["Ana", "2025-01-31"],
    "Recorded": ["2025-01-31"],
    "Targeted": ["2025-01-31"],
    "Void": ["2025-01-31", "no"],
}


@pytest.mark.parametrize("header", sorted(ORDINARY))
def test_ordinary_columns_read_as_before(header: str) -> None:
    cells = ORDINARY[header] or [""]
    body = "".join(f"{DEAL},{CONTACT},{c}\n" for c in cells)
    frame = hf.read_pairs(io.BytesIO(f"Deal ID,Contact ID,{header}\n{body}".encode()))
    assert header in frame.columns and frame["label"].isna().all()


@pytest.mark.parametrize(
    "header", sorted(h for h in ORDINARY if h not in ("Type", "Types", "Typed by"))
)
def test_ordinary_columns_of_a_limits_sheet_read_as_before(header: str) -> None:
    cells = [c for c in ORDINARY[header] if not c.isdigit()] or ["x"]
    body = "".join(f"deals,contacts,Decision maker,5,{c}\n" for c in cells)
    frame = hf.read_limits(io.BytesIO(f"From,To,Label,Max,{header}\n{body}".encode()))
    assert frame["label"].tolist() == ["Decision maker"] * len(cells)


_WORDS = [
    *("notes", "owner", "stage", "amount", "table", "cable", "level", "region", "status"),
    *("date", "name", "source", "deal", "contact", "company", "reason", "checked", "by"),
    *("priority", "tags", "comment", "value", "old", "new", "fixed", "review", "team", "city"),
]


@pytest.mark.parametrize("seed", seeds(8))
def test_ordinary_headers_of_common_words_read_as_before(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        words = rng.sample(_WORDS, k=rng.randint(1, 2))
        header = " ".join(w.capitalize() for w in words)
        if _known(header):
            continue
        cell = rng.choice(["x", "call back", "Acme Ltd", "EMEA", "", "2025-01-31"])
        frame = hf.read_pairs(_pairs(header, cell))
        assert header in frame.columns, header


LIMIT_SHEETS = {
    "misspelled label": "From,To,Lable,Max\ndeals,contacts,Decision maker,500\n",
    "look-alike label": "From,To,L\u0430bel,Max\ndeals,contacts,Decision maker,500\n",
    "misspelled type id": "From,To,Typ ID,Max\ndeals,contacts,1001,500\n",
    "type": "From,To,Type,Max\ndeals,contacts,1001,500\n",
    "type of labels": "From,To,Type,Max\ndeals,contacts,Decision maker,500\n",
}


@pytest.mark.parametrize("name", sorted(LIMIT_SHEETS))
def test_a_limits_run_sets_no_limit_for_the_whole_object_pair(name: str, tmp_path: Path) -> None:
    path = tmp_path / "limits.csv"
    path.write_text(LIMIT_SHEETS[name], encoding="utf-8")
    sb = Sandbox(seed="demo").start()
    try:
        before = sb.limits("deals", "contacts").to_dict("records")
        with pytest.raises(HeaderError):
            hf.configure_limits(path, client_for(sb))
        assert sb.limits("deals", "contacts").to_dict("records") == before
    finally:
        sb.stop()
