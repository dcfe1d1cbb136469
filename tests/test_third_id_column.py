"""A column of record ids beyond the two a sheet's pairs are read from is refused, naming it,
never dropped (hubframe.io.columns.check_unread_columns).

Before: "Deal ID | Contact ID | Company ID" was read as deal -> contact pairs and the "Company
ID" column was kept as a column of the sheet's own, without a word: the companies were never
linked.  So was "From ID | To ID | Contact ID".
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.testing import xlsx_bytes

REPO = Path(__file__).resolve().parent.parent
READERS = ("csv", "xlsx", "frame")


def _source(rows: list[list[Any]], how: str) -> Any:
    if how == "csv":
        source = io.BytesIO("".join(",".join(map(str, r)) + "\n" for r in rows).encode())
        source.name = "links.csv"
        return source
    if how == "xlsx":
        return xlsx_bytes(rows)
    return pd.DataFrame(rows[1:], columns=rows[0]).astype(str)


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(
    ("headers", "unread", "objects"),
    [
        (["Deal ID", "Contact ID", "Company ID"], "Company ID", "companies"),
        (["Deal ID", "Contact ID", "Company ID", "Label"], "Company ID", "companies"),
        (["From Type", "From ID", "To Type", "To ID", "Contact ID"], "Contact ID", "contacts"),
        (["Deal ID", "Contact ID", "Ticket Record ID"], "Ticket Record ID", "tickets"),
        (["Record ID - Deal", "Contact ID", "Company IDs"], "Company IDs", "companies"),
        (["Deal ID", "Associated Contact IDs", "Line Item ID"], "Line Item ID", "line_items"),
    ],
)
def test_a_third_id_column_stops_the_read_naming_it(
    headers: list[str], unread: str, objects: str, how: str
) -> None:
    cells = ["3000000001", "4000000001", "5000000001", ""][: len(headers)]
    if headers[0] == "From Type":
        cells = ["deals", "3000000001", "companies", "5000000001", "4000000001"]
    with pytest.raises(HeaderError) as info:
        hf.read_pairs(_source([headers, cells], how))
    message = str(info.value)
    assert f'the column "{unread}" holds the record ids of {objects}' in message
    assert "would be left out" in message
    assert "columns=" in message  # how to choose, from Python


@pytest.mark.parametrize("how", READERS)
def test_a_third_id_column_left_out_on_purpose_reads(how: str) -> None:
    rows = [["Deal ID", "Contact ID", "Company ID"], ["3000000001", "4000000001", "5000000001"]]
    # both types given: the two columns they name are read, the third is the sheet's own
    typed = hf.read_pairs(_source(rows, how), from_type="deals", to_type="contacts")
    assert typed["to_id"].tolist() == ["4000000001"]
    assert typed["Company ID"].tolist() == ["5000000001"]
    # both id columns chosen with columns=, or one chosen and the other side's type given
    for chosen in (
        hf.read_pairs(_source(rows, how), columns={"Company ID": "to_id", "Deal ID": "from_id"}),
        hf.read_pairs(_source(rows, how), columns={"Company ID": "to_id"}, from_type="deals"),
    ):
        assert chosen[["from_type", "to_type"]].values.tolist() == [["deals", "companies"]]
        assert chosen[["from_id", "to_id"]].values.tolist() == [["3000000001", "5000000001"]]
        assert chosen["Contact ID"].tolist() == ["4000000001"]
    # an empty third column: nothing to leave out (a template's)
    empty = hf.read_pairs(_source([rows[0], [*rows[1][:2], ""]], how))
    assert empty["to_id"].tolist() == ["4000000001"]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(
    ("chosen", "given", "unread", "both"),
    [
        (
            {"Company ID": "to_id"},
            {},
            "Contact ID",
            "{'Contact ID': 'from_id', 'Company ID': 'to_id'}",
        ),
        (
            {"Company ID": "to_id"},
            {"to_type": "companies"},
            "Contact ID",
            "'Contact ID': 'from_id'",
        ),
        (
            {"Contact ID": "from_id"},
            {},
            "Company ID",
            "{'Contact ID': 'from_id', 'Company ID': 'to_id'}",
        ),
        ({"Deal ID": "to_id"}, {"to_type": "deals"}, "Company ID", "'Company ID': 'from_id'"),
    ],
)
def test_one_id_column_chosen_chooses_nothing_among_the_others(
    chosen: dict[str, str], given: dict[str, str], unread: str, both: str, how: str
) -> None:
    """``columns={"Company ID": "to_id"}`` beside "Deal ID" and "Contact ID": the 'from' ids
    were read from "Deal ID" (the first) and "Contact ID" left out without a word, though the
    refusal of the sheet read without ``columns=`` had offered exactly that choice.  Choosing
    one side leaves the other a guess: the read stops, naming the column, and offers a choice
    of both sides (which reads)."""
    rows = [["Deal ID", "Contact ID", "Company ID"], ["3000000001", "4000000001", "5000000001"]]
    with pytest.raises(HeaderError) as info:
        hf.read_pairs(_source(rows, how), columns=chosen, **given)  # type: ignore[arg-type]
    message = str(info.value)
    assert f'the column "{unread}" holds the record ids of' in message
    assert both in message
    offered = ast.literal_eval(message[message.index("columns={") + 8 :].rstrip("."))
    read = hf.read_pairs(_source(rows, how), columns=offered, **given)  # type: ignore[arg-type]
    assert read[["from_id", "to_id"]].values.tolist() == [
        [rows[1][rows[0].index(h)] for h in sorted(offered, key=offered.get)]
    ]


@pytest.mark.parametrize("how", READERS)
def test_types_given_do_not_leave_out_a_column_they_did_not_choose(how: str) -> None:
    """ "From ID | To ID | Contact ID" with deals -> companies given: the types named no column,
    and "Contact ID" would be left out unseen."""
    rows = [["From ID", "To ID", "Contact ID"], ["3000000001", "5000000001", "4000000001"]]
    with pytest.raises(HeaderError, match='"Contact ID" holds the record ids of contacts'):
        hf.read_pairs(_source(rows, how), from_type="deals", to_type="companies")


def test_a_hubspot_export_with_its_association_chosen_reads() -> None:
    """ "Associated Company IDs" beside "Associated Contact IDs": --to contacts picks one, as
    documented; the other is left out on purpose."""
    source = io.BytesIO(
        b"Record ID,Deal Name,Associated Contact IDs,Associated Company IDs\n"
        b"3000000001,Big deal,4000000001;4000000002,5000000001\n"
    )
    source.name = "hubspot-crm-exports-all-deals-2026-11-29.csv"
    pairs = hf.read_pairs(source, to_type="contacts")
    assert pairs["to_id"].tolist() == ["4000000001", "4000000002"]
    assert pairs["from_type"].unique().tolist() == ["deals"]


_OBJECTS = ["Deal", "Contact", "Company", "Ticket", "Line Item", "Quote"]
_PATTERNS = ["{} ID", "{} IDs", "{} Record ID", "{}_id", "{} Object ID"]


@settings(max_examples=150, deadline=None)
@given(
    objects=st.lists(st.sampled_from(_OBJECTS), min_size=3, max_size=4, unique=True),
    patterns=st.lists(st.sampled_from(_PATTERNS), min_size=4, max_size=4),
    extra=st.lists(st.sampled_from(["Notes", "Amount", "Owner"]), max_size=2, unique=True),
)
def test_no_id_column_is_ever_left_out_unseen(
    objects: list[str], patterns: list[str], extra: list[str]
) -> None:
    """Any sheet of three or more columns naming record ids: the read stops (naming a column),
    or every one of them is read -- never a read that keeps one aside."""
    ids = [p.format(o) for o, p in zip(objects, patterns, strict=False)]
    headers = [*ids, *extra]
    frame = pd.DataFrame([[str(3000000001 + i) for i in range(len(headers))]], columns=headers)
    try:
        pairs = hf.read_pairs(frame)
    except HeaderError as exc:
        assert any(f'"{h}"' in str(exc) for h in ids)
        return
    read = pairs.attrs["hubframe"]["column_map"]
    assert all(h in read for h in ids), read  # pragma: no cover - a drop is the defect


def test_the_command_line_names_the_column_and_sends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "third.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ["Deal ID", "Contact ID", "Company ID", "Label"],
                [3000000001, 4000000001, 5000000001, None],
            ]
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "hubframe", "associate", str(path), "--dry-run", "--sandbox"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("hubframe: error")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert '"Company ID" holds the record ids of companies' in errors[0]
    assert "--from deals and --to contacts" in errors[0] and "columns=" not in errors[0]


@pytest.mark.parametrize("how", READERS)
def test_the_other_side_found_by_position_of_the_chosen_sides_object_is_refused(how: str) -> None:
    """``columns={"HubSpot deal": "from_id"}`` with deals given: the 'to' ids were taken from
    "Deal ID" (another system's deal ids: deals linked to deals) and "Contact ID" was left out
    as chosen, without a word.  Now the read stops naming "Contact ID"; choosing both sides
    reads, and a sheet of deals to deals with no other id column reads as before."""
    rows = [["Deal ID", "HubSpot deal", "Contact ID"], ["11", "3000000001", "4000000001"]]
    one = {"columns": {"HubSpot deal": "from_id"}, "from_type": "deals"}
    with pytest.raises(HeaderError, match='"Contact ID" holds the record ids of contacts'):
        hf.read_pairs(_source(rows, how), **one)
    both = {"columns": {"HubSpot deal": "from_id", "Contact ID": "to_id"}, "from_type": "deals"}
    read = hf.read_pairs(_source(rows, how), **both)
    assert (read["to_type"].tolist(), read["to_id"].tolist()) == (["contacts"], ["4000000001"])
    deals = [["HubSpot deal", "Deal ID"], ["3000000001", "3000000002"]]
    read = hf.read_pairs(_source(deals, how), **one)
    assert (read["to_type"].tolist(), read["to_id"].tolist()) == (["deals"], ["3000000002"])


_OBJECTS = {"Deal": "deals", "Contact": "contacts", "Company": "companies", "Ticket": "tickets"}
_PATTERNS = ("{} ID", "Associated {} IDs", "{} Record ID")


@pytest.mark.parametrize("seed", seeds(6))
def test_one_side_chosen_leaves_out_only_what_the_rules_say(seed: int) -> None:
    """Three id columns of three objects, one chosen as a side with ``columns=`` (the other
    side's type given or not): a read leaves out only a column of the chosen side's object,
    one a type given for the other side rules out, or one whose name gives the chosen side;
    a refusal offers a choice of both sides that reads (found by the review's fuzz)."""
    import random

    from hubframe.io.aliases import TYPED_HEADERS, header_key

    rng = random.Random(seed)
    for _ in range(40):
        objects = rng.sample(sorted(_OBJECTS), 3)
        headers = [rng.choice(_PATTERNS).format(o) for o in objects]
        frame = pd.DataFrame([[str(3000000001 + i) for i in range(3)]], columns=headers)
        pick, side = rng.randrange(3), rng.choice(["from_id", "to_id"])
        other_type = "from_type" if side == "to_id" else "to_type"
        given = rng.choice([{}, {other_type: _OBJECTS[objects[(pick + 1) % 3]]}])
        chosen = {headers[pick]: side}
        try:
            read = hf.read_pairs(frame.copy(), columns=chosen, **given)  # type: ignore[arg-type]
        except HeaderError as exc:
            message = str(exc)  # a refusal (no 'from' column, several 'to' columns ...)
            if "choose both id columns with columns={" not in message:
                continue
            offered = ast.literal_eval(message[message.index("columns={") + 8 :].rstrip("."))
            hf.read_pairs(frame.copy(), columns=offered, **given)  # type: ignore[arg-type]
            continue
        used = read.attrs["hubframe"]["column_map"]
        for header in (h for h in headers if h not in used):
            what = _OBJECTS[objects[headers.index(header)]]
            typed = TYPED_HEADERS.get(header_key(header))
            assert (
                what == _OBJECTS[objects[pick]]
                or (given and next(iter(given.values())) != what)
                or (typed is not None and typed.side == side[:-3])
            ), (headers, chosen, given, header)
