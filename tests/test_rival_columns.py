"""Columns not read beside the column read for the same thing are held to its cells, row by row.

Before, two kinds of such columns were kept as the analyst's own without a word:

* a deals export's ``Associated Company IDs (Primary)`` = 3030009 beside ``Associated Company
  IDs`` = 3030001: the read kept 3030001 only, and ``sync(..., allow_removals=True)`` removed
  deal->3030009, the very company the sheet names as the deal's primary;
* a second column of one side's object types under another accepted name: a pairs sheet with
  ``Object`` = deals and ``From Type`` = tickets was sent as tickets; a limits sheet with
  ``To`` = contacts and ``To Type`` = companies set a deals->companies limit.

Now a primary id not among the row's ids read, or an object type that is not the row's, stops
the read with a ``HeaderError`` naming both columns, the row and the value; cells that agree
(any spelling of the same id or object) read as before.
"""

from __future__ import annotations

import io
import random
import warnings
from collections.abc import Iterator

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io.aliases import SIDE_ALIASES, STRONG_ALIASES, WEAK_ALIASES
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

PRIMARY = "Associated Company IDs (Primary)"
COMPANIES = "Associated Company IDs"
#: Forms of one id as sheets write it.
FORMS = ("{}", " {} ", "{}.0", "'{}")
#: Spellings of one object type: deals, tickets, contacts, companies.
SPELLINGS = {
    "deals": ("deals", "Deal", "DEALS", "0-3"),
    "tickets": ("tickets", "Ticket", "0-5"),
    "contacts": ("contacts", "Contact", "0-1"),
    "companies": ("companies", "Company", "0-2"),
}


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _export(companies: list[str], primaries: list[str]) -> pd.DataFrame:
    n = len(companies)
    return pd.DataFrame(
        {
            "Record ID": [str(1010001 + i) for i in range(n)],
            "Deal Name": [f"Deal {i}" for i in range(n)],
            COMPANIES: companies,
            PRIMARY: primaries,
        },
        dtype=object,
    )


def _read_export(frame: pd.DataFrame, as_csv: bool) -> pd.DataFrame:
    source: object = frame
    if as_csv:
        source = io.BytesIO(frame.to_csv(index=False).encode())
    return hf.read_pairs(source, from_type="deals")  # type: ignore[arg-type]


# --- the primary column -------------------------------------------------------------------------


def test_a_primary_company_not_listed_stops_the_read_naming_row_cell_and_id() -> None:
    frame = _export(["3030001", "3030002"], ["3030009", "3030002"])
    with pytest.raises(HeaderError) as caught:
        _read_export(frame, as_csv=True)
    message = str(caught.value)
    assert "row 2" in message and PRIMARY in message and "3030009" in message
    assert f'"{COMPANIES}"' in message


def test_primary_ids_in_every_form_among_or_not_among_the_row_ids_seeded() -> None:
    """Seeded: rows of 0-3 companies (;-separated, any form), a primary cell empty, among them
    (in another form) or not: the read refuses exactly when a row's primary is not listed,
    naming the first such row; otherwise the ids read are the listed ones."""
    rng = random.Random(20261207)
    for case in range(120):
        n = rng.randint(1, 6)
        companies, primaries, first_bad = [], [], None
        for row in range(n):
            ids = rng.sample(range(3030001, 3030030), rng.randint(0, 3))
            sep = rng.choice([";", "; ", " ;"])
            companies.append(sep.join(rng.choice(FORMS).format(i) for i in ids))
            choice = rng.random()
            if choice < 0.25 or (not ids and choice < 0.6):
                primaries.append("")
            elif ids and choice < 0.8:
                primaries.append(rng.choice(FORMS).format(rng.choice(ids)))
            else:
                outside = rng.choice([i for i in range(3030001, 3030040) if i not in ids])
                primaries.append(rng.choice(FORMS).format(outside))
                first_bad = row if first_bad is None else first_bad
        frame = _export(companies, primaries)
        as_csv = case % 2 == 0
        if first_bad is None:
            if all(not c for c in companies):
                continue  # no id anywhere: another read's matter
            read = _read_export(frame, as_csv)
            listed = {
                str(int(float(p.strip().lstrip("'"))))
                for c in companies
                for p in c.split(";")
                if p.strip()
            }
            assert set(read["to_id"].dropna()) == listed, (case, companies)
            continue
        with pytest.raises(HeaderError) as caught:
            _read_export(frame, as_csv)
        message = str(caught.value)
        assert PRIMARY in message, (case, message)
        assert f"row {first_bad + 2}" in message, (case, companies, primaries, message)


def test_a_primary_of_an_object_not_read_is_refused_as_before() -> None:
    """Beside companies read, a primary column of companies is judged by its ids; a deals
    export read for its contacts leaves its companies out as the type arguments chose."""
    frame = _export(["3030001"], ["3030009"])
    frame["Associated Contact IDs"] = ["2020001"]
    read = hf.read_pairs(frame, from_type="deals", to_type="contacts")
    assert read["to_id"].tolist() == ["2020001"]


def test_sync_with_removals_keeps_the_primary_the_sheet_lists() -> None:
    """End to end against the sandbox: a primary listed among the row's companies is read and
    kept; one not listed stops the read before anything is sent."""
    with Sandbox(seed=None).start() as sb:
        sb.add_records("deals", [1010001, 1010002])
        sb.add_records("companies", [3030001, 3030002, 3030009])
        sb.associate("deals", 1010001, "companies", 3030009)
        client = client_for(sb)
        bad = _export(["3030001", "3030002"], ["3030009", "3030002"])
        with pytest.raises(HeaderError):
            hf.sync(_read_export(bad, as_csv=True), client, allow_removals=True, progress=False)
        assert ("1010001", "3030009") in _links(sb)
        good = _export(["3030001;3030009", "3030002"], ["3030009.0", "3030002"])
        result = hf.sync(
            _read_export(good, as_csv=True), client, allow_removals=True, progress=False
        )
        assert set(result["status"]) <= {"success", "skipped"}
        assert {("1010001", "3030009"), ("1010001", "3030001")} <= _links(sb)


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    links = sb.associations("deals", "companies")
    return set(zip(links.from_id.astype(str), links.to_id.astype(str), strict=True))


# --- a second column of object types ------------------------------------------------------------


def _type_headers(side: str) -> list[str]:
    """Every accepted name of a side's type column: strong, noted, weak, bare side."""
    field = f"{side}_type"
    strong = [field, *STRONG_ALIASES[field]]
    noted = [f"{strong[1]} (optional)"]
    weak = list(WEAK_ALIASES.get(field, ()))
    return strong + noted + weak + list(SIDE_ALIASES[side])  # type: ignore[index]


def _type_sheet(
    kind: str, side: str, headers: tuple[str, str], cells: list[tuple[str, str]]
) -> pd.DataFrame:
    """A sheet of ``kind`` whose ``side`` types are in two columns (``headers``), and the other
    side's in its own column: pairs of deals/tickets -> contacts, limits of deals -> x."""
    n = len(cells)
    other = "to" if side == "from" else "from"
    columns: dict[str, list[str]] = {
        headers[0]: [a for a, _ in cells],
        headers[1]: [b for _, b in cells],
        f"{other.title()} Type": ["contacts" if other == "to" else "deals"] * n,
    }
    if kind == "pairs":
        columns |= {"From ID": ["1010001"] * n, "To ID": ["2020001"] * n}
    else:
        columns |= {"Max": ["5"] * n}
    return pd.DataFrame(columns, dtype=object)


def _read(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    return hf.read_pairs(frame) if kind == "pairs" else hf.read_limits(frame)


def test_every_pair_of_type_columns_differing_on_a_row_stops_the_read_seeded() -> None:
    """Seeded loop over every pair of accepted names of one side's type column (strong, noted,
    weak, bare From/To), both sides and both jobs: a row where the two name other objects stops
    the read naming both columns and that row; rows that agree (in any spelling) read, with the
    type they name."""
    rng = random.Random(96)
    for kind in ("pairs", "limits"):
        for side in ("from", "to"):
            names = _type_headers(side)
            objects = ["deals", "tickets"] if side == "from" else ["contacts", "companies"]
            for first in names:
                for second in names:
                    if first == second:
                        continue
                    _check_pair(rng, kind, side, (first, second), objects)


def _check_pair(
    rng: random.Random, kind: str, side: str, headers: tuple[str, str], objects: list[str]
) -> None:
    n = rng.randint(1, 5)
    wanted = [rng.choice(objects) for _ in range(n)]
    cells = [(rng.choice(SPELLINGS[o]), rng.choice(SPELLINGS[o])) for o in wanted]
    bad = rng.randrange(n)
    other = objects[1] if wanted[bad] == objects[0] else objects[0]
    differing = list(cells)
    differing[bad] = (cells[bad][0], rng.choice(SPELLINGS[other]))
    if rng.random() < 0.5:  # which column holds the other object does not matter
        differing[bad] = (rng.choice(SPELLINGS[other]), cells[bad][1])
    where = (kind, side, headers)
    with pytest.raises(HeaderError) as caught:
        _read(kind, _type_sheet(kind, side, headers, differing))
    message = str(caught.value)
    if "several columns" not in message:  # two names of one tier: refused as before
        assert all(f'"{h}"' in message for h in headers), (where, message)
        first_bad = next(i for i, (a, b) in enumerate(differing) if _kind(a) != _kind(b))
        assert f"row {first_bad + 2} " in message, (where, differing, message)
    try:
        read = _read(kind, _type_sheet(kind, side, headers, cells))
    except HeaderError as e:
        assert "several columns" in str(e), (where, str(e))
        return
    assert read[f"{side}_type"].tolist() == wanted, (where, cells)


def _kind(spelling: str) -> str:
    return next(o for o, names in SPELLINGS.items() if spelling in names)


def test_an_empty_type_cell_is_held_to_the_type_the_row_takes() -> None:
    """Where the column read is empty the row takes the id column's name's type: a rival cell
    naming that object reads, one naming another stops the read (as does one where nothing
    gives the row a type)."""
    base = {"Deal ID": ["1010001"], "Contact ID": ["2020001"], "From Type": [""]}
    read = hf.read_pairs(pd.DataFrame(base | {"Object": ["Deal"]}, dtype=object))
    assert read["from_type"].tolist() == ["deals"]
    with pytest.raises(HeaderError, match='"Object"'):
        hf.read_pairs(pd.DataFrame(base | {"Object": ["tickets"]}, dtype=object))


def test_a_type_column_chosen_or_a_rival_of_no_objects_reads_as_before() -> None:
    """A type column chosen with ``columns=`` is the analyst's choice; a rival column whose
    cells name no object (a bare "From" of record ids, notes) says nothing of the types."""
    frame = pd.DataFrame(
        {"Object": ["deals"], "From Type": ["tickets"], "From ID": ["1"], "To Type": ["contacts"]}
        | {"To ID": ["2"]},
        dtype=object,
    )
    read = hf.read_pairs(frame, columns={"Object": "from_type"})
    assert read["from_type"].tolist() == ["deals"]
    notes = frame.assign(Object=["see notes"])
    assert hf.read_pairs(notes)["from_type"].tolist() == ["tickets"]


def test_associate_sends_the_type_both_columns_agree_on() -> None:
    """End to end against the sandbox: 'Object' = Deal beside 'From Type' = 0-3 associates the
    deal; 'Object' = deals beside 'From Type' = tickets sends nothing."""
    with Sandbox(seed=None).start() as sb:
        sb.add_records("deals", [1010001])
        sb.add_records("tickets", [1010001])
        sb.add_records("contacts", [2020001])
        client = client_for(sb)
        cells = {"From ID": ["1010001"], "To Type": ["contacts"], "To ID": ["2020001"]}
        with pytest.raises(HeaderError):
            hf.associate(
                hf.read_pairs(
                    pd.DataFrame({"Object": ["deals"], "From Type": ["tickets"]} | cells)
                ),
                client,
                progress=False,
            )
        agree = pd.DataFrame({"Object": ["Deal"], "From Type": ["0-3"]} | cells)
        result = hf.associate(hf.read_pairs(agree), client, progress=False)
        assert result["status"].tolist() == ["success"]
        assert len(sb.associations("deals", "contacts")) == 1
        assert len(sb.associations("tickets", "contacts")) == 0
