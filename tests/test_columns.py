"""Header matching: aliases, typed headers, explicit columns, missing and ambiguous columns."""

from __future__ import annotations

import pytest

from hubframe.errors import InputError
from hubframe.io import read_pairs
from hubframe.io.aliases import (
    header_score,
)
from hubframe.io.columns import (
    CellSample,
    HeaderError,
    TypeGuess,
    match_headers,
)
from hubframe.validate import validate_pairs


@pytest.mark.parametrize(
    ("headers", "expected", "implied"),
    [
        (["From ID", "To ID"], {"from_id": "From ID", "to_id": "To ID"}, {}),
        (["fromObjectId", "toObjectId"], {"from_id": "fromObjectId", "to_id": "toObjectId"}, {}),
        (
            ["Record ID", "Deal Name", "Associated Contact IDs"],
            {"from_id": "Record ID", "to_id": "Associated Contact IDs"},
            {"to": "contacts"},
        ),
        (
            ["Deal ID", "Contact ID"],
            {"from_id": "Deal ID", "to_id": "Contact ID"},
            {"from": "deals", "to": "contacts"},
        ),
        (
            ["Record ID - Deal", "Line Item IDs"],
            {"from_id": "Record ID - Deal", "to_id": "Line Item IDs"},
            {"from": "deals", "to": "line_items"},
        ),
    ],
)
def test_aliases_and_typed_headers(
    headers: list[str], expected: dict[str, str], implied: dict[str, str]
) -> None:
    to_type = implied.get("to", "contacts")  # an argument the header contradicts stops
    mapping = match_headers(headers, "pairs", from_type="deals", to_type=to_type)
    assert {k: v for k, v in mapping.columns.items() if k.endswith("_id")} == expected
    assert mapping.implied_types == implied


def test_type_argument_picks_between_associated_columns() -> None:
    headers = ["Record ID", "Associated Contact IDs", "Associated Company IDs"]
    mapping = match_headers(headers, "pairs", from_type="deals", to_type="companies")
    assert mapping.columns["to_id"] == "Associated Company IDs"
    with pytest.raises(InputError, match="several columns"):
        match_headers(headers, "pairs", from_type="deals")


def test_same_object_pairs() -> None:
    headers = ["Company ID", "Associated Company IDs"]
    mapping = match_headers(headers, "pairs", from_type="companies", to_type="companies")
    assert mapping.columns == {"from_id": "Company ID", "to_id": "Associated Company IDs"}


def test_strong_alias_beats_weak_one() -> None:
    mapping = match_headers(
        ["Record ID", "From ID", "To ID", "Object Type"], "pairs", to_type="contacts"
    )
    assert mapping.columns["from_id"] == "From ID"
    assert mapping.columns["from_type"] == "Object Type"


def test_duplicate_strong_aliases_are_ambiguous() -> None:
    with pytest.raises(InputError, match="several columns could hold the 'to' record id"):
        match_headers(["From ID", "To ID", "to_id"], "pairs", from_type="deals", to_type="contacts")


def test_missing_required_lists_found_and_accepted() -> None:
    with pytest.raises(InputError) as info:
        match_headers(["Deal", "Notes"], "pairs", source="deals.xlsx")
    text = str(info.value)
    assert text.startswith("deals.xlsx: no column for the 'from' record id")
    assert "Columns found: Deal, Notes" in text and "From ID" in text


def test_limits_columns() -> None:
    mapping = match_headers(["From Object Type", "To Object Type", "Label", "Max"], "limits")
    assert mapping.columns["max_to_object_ids"] == "Max"
    with pytest.raises(InputError, match="limit"):
        match_headers(["From Type", "To Type"], "limits")


LIMIT_HEADERS = [
    ["From", "To", "Label", "Max"],
    ["from", "to", "label", "max"],
    ["From object", "To object", "Label", "Limit"],
    ["From Object", "To Object", "Association label", "Maximum"],
    ["From", "To", "Label", "Max associations"],
    ["FROM", "TO", "Labels", "Association limit"],
]


@pytest.mark.parametrize("headers", LIMIT_HEADERS)
def test_limits_sheets_headed_as_people_write_them(headers: list[str]) -> None:
    mapping = match_headers(headers, "limits")
    assert mapping.columns == {
        "from_type": headers[0],
        "to_type": headers[1],
        "label": headers[2],
        "max_to_object_ids": headers[3],
    }
    assert header_score(headers, "limits") == 4


def _sample(cells: dict[str, list[str]]) -> CellSample:
    return lambda header: cells.get(header, [])


def test_bare_from_to_in_pairs_sheets_are_decided_by_the_cells() -> None:
    ids = match_headers(["From", "To"], "pairs", from_type="deals", to_type="contacts")
    assert ids.columns == {"from_id": "From", "to_id": "To"}  # no cells: ids
    typed = match_headers(
        ["From", "From ID", "To", "To ID"],
        "pairs",
        sample=_sample({"From": ["deals", "Deal"], "To": ["0-1", "contacts", ""]}),
    )
    assert typed.columns == {
        "from_type": "From",
        "from_id": "From ID",
        "to_type": "To",
        "to_id": "To ID",
    }
    numbers = _sample({"From": ["101", "102"], "To": ["201"]})
    by_cells = match_headers(
        ["From", "To", "Label"], "pairs", sample=numbers, from_type="deals", to_type="contacts"
    )
    assert by_cells.columns["from_id"] == "From" and by_cells.columns["to_id"] == "To"


def test_a_bare_header_never_takes_a_column_another_header_holds() -> None:
    sample = _sample({"From": ["Web form", "Referral"]})  # a lead source, not ids or types
    mapping = match_headers(
        ["Deal ID", "Contact ID", "From"], "pairs", sample=sample, from_type="deals"
    )
    assert "From" not in mapping.columns.values()


def test_a_guess_fills_only_a_missing_type() -> None:
    calls: list[str] = []

    def guess(side: str, mapping: object) -> TypeGuess | None:
        calls.append(side)
        return TypeGuess("deals", "file name", "x.csv") if side == "from" else None

    mapping = match_headers(["Record ID", "Contact ID"], "pairs", guess=guess)  # type: ignore[arg-type]
    assert mapping.implied_types == {"from": "deals", "to": "contacts"}
    assert mapping.guessed_types == {"from": TypeGuess("deals", "file name", "x.csv")}
    assert calls == ["from"]  # the to side's type came from its header
    with pytest.raises(HeaderError, match="no column for the 'from' object type"):
        match_headers(["Record ID", "Contact ID"], "pairs", guess=lambda side, m: None)


@pytest.mark.parametrize(
    ("headers", "given", "column", "named"),
    [
        (["Deal ID", "Contact ID"], {"from_type": "companies"}, "Deal ID", "deals"),
        (["Deal ID", "Contact ID"], {"to_type": "tickets"}, "Contact ID", "contacts"),
        (["Deal ID", "Contact Email"], {"to_type": "companies"}, "Contact Email", "contacts"),
        (
            ["Record ID - Deal", "Line Item IDs"],
            {"to_type": "products"},
            "Line Item IDs",
            "line_items",
        ),
    ],
)
def test_a_type_argument_the_id_columns_name_contradicts_stops(
    headers: list[str], given: dict[str, str], column: str, named: str
) -> None:
    """Before: the argument won, and a deal's id was looked up as a company's."""
    wanted = next(iter(given.values()))
    with pytest.raises(HeaderError) as info:
        match_headers(headers, "pairs", **given)
    message = str(info.value)
    assert f'the column "{column}" holds {named}' in message
    assert f'="{wanted}" was given' in message and "Rename the column" in message


def test_type_arguments_that_agree_or_choose_between_columns_read() -> None:
    assert match_headers(["Deal ID", "Contact ID"], "pairs", from_type="deals").implied_types == {
        "from": "deals",
        "to": "contacts",
    }
    headers = ["Record ID", "Associated Contact IDs", "Associated Company IDs"]
    chosen = match_headers(headers, "pairs", from_type="deals", to_type="companies")
    assert chosen.columns["to_id"] == "Associated Company IDs"
    untyped = match_headers(["From ID", "To ID"], "pairs", from_type="companies", to_type="deals")
    assert untyped.implied_types == {}


@pytest.mark.parametrize("how", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (["Deal", "Contact"], "Deal"),
        (["Deals", "Contacts"], "Deals"),
        (["Line Item", "Deal"], "Line Item"),
    ],
)
def test_an_object_name_alone_is_not_an_id_column_and_the_error_says_how(
    headers: list[str], named: str, how: str
) -> None:
    """docs/columns.md said a bare object name ("Deal") was a record id column; it is not (it
    may hold names), and the refusal now says what to name it."""
    import io

    import hubframe as hf
    from hubframe.testing import xlsx_bytes

    rows = [headers, ["3000000001", "4000000001"]]
    source: object = xlsx_bytes(rows)
    if how == "csv":
        source = io.BytesIO("".join(",".join(r) + "\n" for r in rows).encode())
    with pytest.raises(InputError) as info:
        hf.read_pairs(source)
    assert "no column for the 'from' record id" in str(info.value)
    assert f'The column "{named}" names an object' in str(info.value)
    assert f'name it "{named} ID" if it holds record ids' in str(info.value)
    renamed = [[f"{h} ID" for h in headers], rows[1]]
    assert hf.read_pairs(xlsx_bytes(renamed))["to_id"].tolist() == ["4000000001"]


@pytest.mark.parametrize(
    ("headers", "columns", "given", "side", "named"),
    [
        (["Deal ID", "Company ID"], {"Company ID": "to_id"}, {}, "to", "companies"),
        (["Deal ID", "Company ID"], {"to_id": "Company ID"}, {}, "to", "companies"),
        (
            ["Record ID", "Associated Contact IDs", "Associated Company IDs"],
            {"Associated Company IDs": "to_id"},
            {"from_type": "deals"},
            "to",
            "companies",
        ),
        (
            ["Ref", "Deal IDs"],
            {"Deal IDs": "from_id", "Ref": "to_id"},
            {"to_type": "contacts"},
            "from",
            "deals",
        ),
        (["Contact ID", "Ticket ID"], {"Ticket ID": "from_id"}, {}, "from", "tickets"),
    ],
)
def test_an_id_column_chosen_with_columns_gives_the_type_its_header_names(
    headers: list[str], columns: dict[str, str], given: dict[str, str], side: str, named: str
) -> None:
    """``columns={"Company ID": "to_id"}`` asked for the to type its header says (a column
    found by its name gives it).  Now it gives it, noted as a found column's type is (the
    column map only: not a guess)."""
    mapping = match_headers(headers, "pairs", columns=columns, **given)  # type: ignore[arg-type]
    assert mapping.implied_types[side] == named  # type: ignore[index]
    assert mapping.guessed_types == {}


def test_a_type_given_against_a_chosen_id_columns_header_stops_as_for_a_found_one() -> None:
    """Before: ``columns={"Company ID": "to_id"}, to_type="contacts"`` read the company ids as
    contacts without a word; a column found by its name is refused so."""
    headers = ["Deal ID", "Company ID"]
    with pytest.raises(HeaderError) as found:
        match_headers(headers, "pairs", to_type="contacts")
    with pytest.raises(HeaderError) as chosen:
        match_headers(headers, "pairs", columns={"Company ID": "to_id"}, to_type="contacts")
    assert str(chosen.value) == str(found.value)
    assert 'the column "Company ID" holds companies' in str(chosen.value)
    agree = match_headers(headers, "pairs", columns={"Company ID": "to_id"}, to_type="companies")
    assert agree.implied_types == {"from": "deals", "to": "companies"}


def test_a_type_column_against_a_chosen_id_columns_header_is_refused_as_for_a_found_one() -> None:
    """A To Type cell naming another object than the chosen "Company ID" is the row's conflict
    (TYPE_CONFLICT), and an empty one takes the header's type: as for a column found by its
    name.  Before, the empty cell's row had no type."""
    data = b"Deal ID,Company ID,To Type\n1,2,contacts\n3,4,\n5,6,companies\n"
    found = read_pairs(data)
    chosen = read_pairs(data, columns={"Company ID": "to_id"})
    assert chosen["to_type"].tolist() == found["to_type"].tolist()
    assert chosen["to_type"].tolist() == ["contacts", "companies", "companies"]
    issues = validate_pairs(chosen)
    assert issues[["row", "code"]].values.tolist() == [[2, "TYPE_CONFLICT"]]
    assert validate_pairs(found)[["row", "code"]].values.tolist() == [[2, "TYPE_CONFLICT"]]


def test_a_chosen_id_column_naming_no_object_gives_no_type() -> None:
    headers = ["Deal ID", "Ref"]
    with pytest.raises(HeaderError, match="no column for the 'to' object type"):
        match_headers(headers, "pairs", columns={"Ref": "to_id"})
    given = match_headers(headers, "pairs", columns={"Ref": "to_id"}, to_type="tickets")
    assert given.implied_types == {"from": "deals"}
    export = match_headers(
        ["Record ID", "Ref"],
        "pairs",
        columns={"Record ID": "from_id", "Ref": "to_id"},
        to_type="contacts",
        guess=lambda side, m: TypeGuess("deals", "file name", "all-deals.csv"),
    )
    assert export.implied_types == {"from": "deals"}  # the guess, as before
    assert export.guessed_types["from"].reason == "file name"
