"""Columns whose names say they hold what hubframe reads -- labels, type ids, categories, limits
-- are read or refused, never left out unseen (hubframe.io.columns).

Before: a label column whose header carried a note or another word ("Label (optional)",
"Contact label", "Label to apply") was neither read nor refused: every pair was associated
without its label, and in a limits sheet a limit meant for the "Primary" label was set for every
deal -> company association.  Only the fixed list LABEL_LOOKALIKES stopped a read.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import RESERVED_COLUMNS
from hubframe.io.columns import HeaderError
from hubframe.testing import xlsx_bytes

REPO = Path(__file__).resolve().parent.parent
READERS = ("csv", "xlsx", "frame")
DEAL, CONTACT, LABEL = "3000000001", "4000000001", "Decision maker"


def _csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(f'"{c}"' if "," in c else c for c in row) + "\n" for row in rows)


def _source(rows: list[list[Any]], how: str) -> Any:
    """The sheet as an analyst uploads it: a CSV file, an Excel workbook, or a DataFrame."""
    if how == "csv":
        source = io.BytesIO(_csv_text([[str(c) for c in r] for r in rows]).encode())
        source.name = "sheet.csv"
        return source
    if how == "xlsx":
        return xlsx_bytes(rows)
    return pd.DataFrame(rows[1:], columns=rows[0]).astype(str)


def _pairs(header: str, cell: str, how: str, **kwargs: Any) -> pd.DataFrame:
    return hf.read_pairs(
        _source([["Deal ID", "Contact ID", header], [DEAL, CONTACT, cell]], how), **kwargs
    )


def _limits(headers: list[str], cells: list[Any], how: str, **kwargs: Any) -> pd.DataFrame:
    return hf.read_limits(_source([headers, cells], how), **kwargs)


# --- a note on how to fill the column: read as the column it names -------------------------------

NOTED_LABELS = [
    "Label (optional)",
    "Association label (exact)",
    "Association label (optional)",
    "Labels (;-separated)",
    "Label name (exact)",
    "Label (required)",
    "Optional label",
    "associationLabel (optional)",
    "LABEL - OPTIONAL",
    "Label [if any]",
]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize("header", NOTED_LABELS)
def test_a_label_header_with_a_note_on_filling_it_is_read(header: str, how: str) -> None:
    pairs = _pairs(header, LABEL, how)
    assert pairs["label"].tolist() == [LABEL]
    assert pairs.attrs["hubframe"]["column_map"][header] == "label"
    assert pairs[header].tolist() == [LABEL]  # the analyst's column is kept as it was


@pytest.mark.parametrize("how", READERS)
def test_a_limits_sheet_reads_its_noted_columns(how: str) -> None:
    """Before: the limit for the "Primary" label was planned for every deal -> company
    association."""
    headers = ["From", "To", "Label (optional)", "Type ID (optional)", "Max (required)"]
    limits = _limits(headers, ["deals", "companies", "Primary", "", "3"], how)
    assert limits["label"].tolist() == ["Primary"]
    assert limits["max_to_object_ids"].tolist() == [3]
    column_map = limits.attrs["hubframe"]["column_map"]
    assert column_map["Type ID (optional)"] == "type_id"
    assert column_map["Max (required)"] == "max_to_object_ids"


def test_two_columns_noted_alike_are_several_candidates() -> None:
    with pytest.raises(HeaderError, match="several columns could hold the association label"):
        hf.read_pairs(
            _source(
                [
                    ["Deal ID", "Contact ID", "Label (optional)", "Labels (exact)"],
                    [DEAL, CONTACT, "A", "B"],
                ],
                "xlsx",
            )
        )


# --- other words: refused, naming the column and how to read it ----------------------------------

OTHER_LABELS = [
    "Contact label",
    "Deal label",
    "HubSpot label",
    "Label to apply",
    "New label",
    "Labels - Contact",
    "Deal-Contact label",
    "Label - deal to contact",
    "Label (old)",
    "Which label?",
    "dealLabel",
]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize("header", OTHER_LABELS)
def test_a_label_header_in_other_words_stops_the_read_naming_it(header: str, how: str) -> None:
    with pytest.raises(HeaderError) as info:
        _pairs(header, LABEL, how)
    message = str(info.value)
    assert f'the column "{header}" may hold association labels' in message
    assert "associated without their labels" in message
    assert 'Name it "Label"' in message and f"columns={{{header!r}: 'label'}}" in message
    chosen = _pairs(header, LABEL, how, columns={header: "label"})
    assert chosen["label"].tolist() == [LABEL]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize("header", ["Contact label", "New label", "Label (optional)"])
def test_a_second_label_column_beside_the_one_read_stops_the_read(header: str, how: str) -> None:
    """ "Label" and "New label": which the analyst meant is not clear, and one would be left
    out."""
    rows = [["Deal ID", "Contact ID", "Label", header], [DEAL, CONTACT, "Champion", LABEL]]
    with pytest.raises(HeaderError) as info:
        hf.read_pairs(_source(rows, how))
    assert f'"{header}" may hold association labels too' in str(info.value)
    assert 'read from "Label"' in str(info.value)


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(
    ("header", "cell", "what"),
    [
        ("Contact label", "Primary", "association labels"),
        ("New label", "Primary", "association labels"),
        ("Label type ID", "5", "association type ids"),
        ("Association type id (HubSpot)", "5", "association type ids"),
    ],
)
def test_a_limits_sheet_refuses_a_label_or_type_it_does_not_read(
    header: str, cell: str, what: str, how: str
) -> None:
    """Before: the limit was set for the whole object pair instead of the label."""
    with pytest.raises(HeaderError) as info:
        _limits(["From", "To", header, "Max"], ["deals", "companies", cell, "3"], how)
    message = str(info.value)
    assert f'the column "{header}" may hold {what}' in message
    assert "the limits set for the whole object pair instead of the label" in message


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize("header", ["New limit", "Max (new)", "Limit (old)", "newMax"])
def test_a_second_limit_column_stops_the_read(header: str, how: str) -> None:
    """ "Max" and "New limit": the limits of one would be set, the other's left out."""
    with pytest.raises(HeaderError, match=f'"{re_escape(header)}" may hold limits too'):
        _limits(["From", "To", "Label", "Max", header], ["deals", "contacts", "", "3", "5"], how)
    with pytest.raises(HeaderError, match="may hold limits too"):
        _limits(["From", "To", "Max", header], ["deals", "contacts", "3", "remove"], how)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(
    ("header", "role"),
    [("Label type ID", "type_id"), ("Association category (HubSpot)", "category")],
)
def test_type_ids_and_categories_named_otherwise_stop_a_pairs_read(
    header: str, role: str, how: str
) -> None:
    cell = "5" if role == "type_id" else "USER_DEFINED"
    with pytest.raises(HeaderError, match=f'column "{re_escape(header)}" may hold association'):
        _pairs(header, cell, how)
    chosen = _pairs(header, cell, how, columns={header: role})
    assert chosen.attrs["hubframe"]["column_map"][header] == role


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize("header", ["Role in deal", "Deal Contact Role", "Company role on deal"])
def test_role_headers_beyond_the_fixed_list_stop_the_read(header: str, how: str) -> None:
    with pytest.raises(HeaderError, match=f'"{header}" may hold association labels'):
        _pairs(header, LABEL, how)


def _kept(header: str) -> str:
    """The name a column of the sheet is kept under (hubframe's own names get "(original)")."""
    return f"{header} (original)" if header in RESERVED_COLUMNS else header


# --- the analyst's own columns still read --------------------------------------------------------

OWN_COLUMNS = [
    ("Notes", "call back about the label"),
    ("Label printed?", "yes"),
    ("Label printed?", "FALSE"),
    ("Labelled by", "Ann"),
    ("Buying Role", "Decision maker"),
    ("Employment Role", "Engineer"),
    ("Deal Type", "newbusiness"),
    ("Ticket category", "Billing"),
    ("Associated Company", "Acme"),
    ("Amount", "1200"),
    ("New label", ""),  # a template's column left empty: nothing to leave out
    ("error_message", "label not found"),  # hubframe's own, in a result read back
]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(("header", "cell"), OWN_COLUMNS)
def test_the_analysts_own_columns_still_read(header: str, cell: str, how: str) -> None:
    pairs = _pairs(header, cell, how)
    assert pairs["label"].isna().all()
    assert header not in pairs.attrs["hubframe"]["column_map"]
    assert pairs[_kept(header)].tolist() == [cell]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("Limit reason", "contract says so"),
        ("Notes", "max 3 please"),
        ("Current max", "2"),  # hubframe's own (a dry run's current_max): what is, not what to do
        ("limit_change", "sets a limit of 3 (none now)"),
        ("Label printed?", "no"),
    ],
)
def test_a_limits_sheets_own_columns_still_read(header: str, cell: str, how: str) -> None:
    limits = _limits(
        ["From", "To", "Label", "Max", header], ["deals", "contacts", "", "3", cell], how
    )
    assert limits["max_to_object_ids"].tolist() == [3]
    assert limits[_kept(header)].tolist() == [cell]


# --- the class: any header mentioning labels is read or refused ----------------------------------

_BEFORE = ["", "New ", "Contact ", "Deal ", "HubSpot ", "Association ", "Assoc. ", "Optional "]
_WORD = ["Label", "label", "LABEL", "Labels", "labels"]
_AFTER = ["", " (optional)", " (exact)", " to apply", " - contact", " name", " (new)", "*", "(s)"]
_HARMLESS = ["Notes", "Amount", "Owner", "Deal Stage", "Buying Role", "Deal Type", "Close Date"]


@settings(max_examples=200, deadline=None)
@given(
    before=st.sampled_from(_BEFORE),
    word=st.sampled_from(_WORD),
    after=st.sampled_from(_AFTER),
    others=st.lists(st.sampled_from(_HARMLESS), max_size=3, unique=True),
    how=st.sampled_from(["frame", "csv"]),
)
def test_labels_under_any_header_mentioning_them_are_read_or_refused(
    before: str, word: str, after: str, others: list[str], how: str
) -> None:
    header = f"{before}{word}{after}".strip()
    rows = [
        ["Deal ID", "Contact ID", *others, header],
        [DEAL, CONTACT, *["x"] * len(others), LABEL],
    ]
    try:
        pairs = hf.read_pairs(_source(rows, how))
    except HeaderError as exc:
        assert f'"{header}"' in str(exc)
        return
    assert pairs["label"].tolist() == [LABEL]  # never left out
    assert pairs.attrs["hubframe"]["column_map"][header] == "label"


@settings(max_examples=100, deadline=None)
@given(
    others=st.lists(
        st.sampled_from([*_HARMLESS, "Label printed?", "Employment Role"]), unique=True
    ),
    cell=st.sampled_from(["x", "yes", "", "Some text, here", "2026-01-01"]),
)
def test_harmless_extra_columns_never_stop_a_read(others: list[str], cell: str) -> None:
    cells = ["no" if o == "Label printed?" else cell for o in others]
    rows = [["Deal ID", "Contact ID", "Label", *others], [DEAL, CONTACT, LABEL, *cells]]
    pairs = hf.read_pairs(_source(rows, "frame"))
    assert pairs["label"].tolist() == [LABEL]
    assert [pairs[o].iloc[0] for o in others] == cells


# --- the command line --------------------------------------------------------------------------


def _hubframe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubframe", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_the_command_line_names_the_column_and_reads_noted_ones(tmp_path: Path) -> None:
    refused = tmp_path / "refused.xlsx"
    refused.write_bytes(
        xlsx_bytes([["Deal ID", "Contact ID", "Contact label"], [DEAL, CONTACT, LABEL]])
    )
    proc = _hubframe("validate", str(refused))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("hubframe: error")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert '"Contact label" may hold association labels' in errors[0]
    assert 'Name it "Label"' in errors[0] and "columns=" not in errors[0]

    limits = tmp_path / "limits.xlsx"
    limits.write_bytes(
        xlsx_bytes(
            [["From", "To", "Label (optional)", "Max"], ["deals", "companies", "Primary", 3]]
        )
    )
    proc = _hubframe("limits", str(limits), "--dry-run", "--sandbox")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'row 2: deals -> companies "Primary": sets a limit of 3' in proc.stdout


CELLS = {
    "Company ID": "3120000006",
    "Deal ID": DEAL,
    "Contact ID": CONTACT,
    "Domain": "acme.example.com",
    "Company domain": "acme.example.com",
    "Contact email": "ann@example.com",
    "Email": "ann@example.com",
}
LEFT_OUT = [  # (headers, the column left out): a lookup column of an object neither side is
    (["Company ID", "Domain", "Contact email"], "Contact email"),
    (["Company ID", "Company domain", "Contact email"], "Contact email"),
    (["Deal ID", "Contact email", "Company domain"], "Company domain"),
    (["Contact email", "Deal ID", "Company domain"], "Company domain"),
]
KEPT = [  # a side's own property beside its id, two lookup columns that are the sides, or a
    # lookup column of another object beside two id columns (context: the ids are the sides)
    ["Deal ID", "Email", "Contact ID"],
    ["Contact ID", "Email", "Company ID"],
    ["Contact ID", "Domain"],
    ["Contact email", "Company domain"],
    ["Deal ID", "Contact ID", "Company domain"],
    ["Company ID", "Deal ID", "Email"],
    ["Deal ID", "Company ID", "Contact email"],
]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize(("headers", "left"), LEFT_OUT)
def test_a_lookup_column_of_another_object_stops_the_read(
    headers: list[str], left: str, how: str
) -> None:
    """ "Company ID, Domain, Contact email": "Domain" (the company's own) was read as the 'to'
    side and "Contact email" left out without a word -- companies were associated with
    companies.  A lookup column naming an object neither side is now stops the read."""
    rows = [headers, [CELLS[h] for h in headers]]
    with pytest.raises(HeaderError, match=f'the column "{left}" names'):
        hf.read_pairs(_source(rows, how))
    chosen = {"from_id": headers[0], "to_id": left}
    types = {"Company ID": "companies", "Deal ID": "deals", "Contact email": "contacts"}
    to_type = "contacts" if "email" in left else "companies"
    pairs = hf.read_pairs(  # chosen: read as told
        _source(rows, how), columns=chosen, from_type=types[headers[0]], to_type=to_type
    )
    assert pairs["to_id"].tolist() == [CELLS[left]]


@pytest.mark.parametrize("how", READERS)
@pytest.mark.parametrize("headers", KEPT)
def test_a_sides_own_lookup_column_is_its_property(headers: list[str], how: str) -> None:
    rows = [headers, [CELLS[h] for h in headers]]
    assert len(hf.read_pairs(_source(rows, how))) == 1
