"""Follow-ups of the refused id lists beside label lists, and of the names a repeated header gets.

A row of ids ``2020001;2020002`` beside ``Labels (;-separated)`` = ``Champion;Champion`` (or
``Champion; Champion ``) was refused as ambiguous, though every reading gives each contact
``Champion``: a label written more than once, as the label lookup compares labels (case
counts, spacing does not), is one label.  ``Champion;champion`` stays refused: a portal may
hold both.  A retry workbook hubframe wrote (its mark) with such a row of several labels, as
an earlier version wrote them, is refused saying so and how to split the row.

A header row ``Deal ID | Contact ID | Contact ID | contact id.1`` named the repeat (column C)
``Contact ID.1``: ``columns={"CONTACT ID.1": "to_id"}`` matched it by its key and read column
C, not the column written ``contact id.1`` (D).  A repeat's name now skips the keys of the
headers written too, a ``columns=`` name several columns share by key is refused, and
``read_ids(column=...)`` refuses a name several headers share by key (it read the last).
"""

from __future__ import annotations

import io
import random
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds
from openpyxl.packaging.custom import StringProperty

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.cells import clean_headers
from hubframe.io.columns import HeaderError
from hubframe.io.ids import read_ids
from hubframe.io.retrymark import MARK_NAME, RETRY_MARK
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, xlsx_bytes

DEAL = "1010001"
CONTACTS = ["2020001", "2020002", "2020003"]
LABEL_HEADER = "Labels (;-separated)"
REFUSED = "several ';'-separated ids beside several labels"
OLD_RETRY = "a retry file hubframe wrote: one written by an earlier version"
TYPES = {"from_type": "deals", "to_type": "contacts"}


def _read(rows: list[list[str]], how: str, **kwargs: Any) -> pd.DataFrame:
    header, *body = rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if how == "frame":
            return hf.read_pairs(pd.DataFrame(body, columns=header, dtype=object), **kwargs)
        if how == "xlsx":
            return hf.read_pairs(io.BytesIO(xlsx_bytes(rows)), **kwargs)
        text = "\n".join(",".join(f'"{c}"' for c in row) for row in rows) + "\n"
        return hf.read_pairs(text.encode(), **kwargs)


# --- one label written more than once beside several ids -----------------------------------------

#: spellings of one label as the lookup compares labels: spaces around and doubled, a no-break
#: space, an invisible zero-width space, an accent typed as a letter and a combining mark
_SAME = {
    "Champion": ["Champion", " Champion", "Champion ", "Cham\u200bpion"],
    "Decision maker": [
        "Decision maker",
        "Decision  maker",
        "Decision\u00a0maker",
        " Decision maker ",
    ],
    "Entscheidungsträger": ["Entscheidungsträger", "Entscheidungstra\u0308ger"],
}
#: labels the lookup keeps apart: the case differs
_APART = [("Champion", "champion"), ("Decision maker", "Decision Maker"), ("Scout", "Champion")]


@pytest.mark.parametrize("how", ["csv", "xlsx", "frame"])
def test_one_label_written_several_times_reads_beside_several_ids(how: str) -> None:
    """Several ids beside a cell of one label's spellings: each id with each part, in order."""
    for seed in seeds(30):
        rng = random.Random(seed)
        label = rng.choice(sorted(_SAME))
        parts = [rng.choice(_SAME[label]) for _ in range(rng.randint(2, 4))]
        ids = rng.sample(CONTACTS, rng.randint(2, 3))
        cell = rng.choice([";", "; ", " ;"]).join(parts) + rng.choice(["", ";"])
        pairs = _read([["Deal ID", "Contact IDs", LABEL_HEADER], [DEAL, ";".join(ids), cell]], how)
        assert pairs["to_id"].astype(str).tolist() == [i for i in ids for _ in parts], cell
        assert pairs["label"].tolist() == [p.strip() for _ in ids for p in parts], cell


@pytest.mark.parametrize("how", ["csv", "xlsx", "frame"])
@pytest.mark.parametrize(("one", "other"), _APART)
def test_labels_the_lookup_keeps_apart_stay_refused(how: str, one: str, other: str) -> None:
    rows = [["Deal ID", "Contact IDs", LABEL_HEADER], [DEAL, "2020001;2020002", f"{one}; {other}"]]
    with pytest.raises(InputError, match=REFUSED) as caught:
        _read(rows, how)
    assert OLD_RETRY not in str(caught.value)  # no retry file


def test_the_run_links_each_contact_with_the_label(tmp_path: Path) -> None:
    """End to end against a portal holding 'Champion' and 'champion': each contact gets
    'Champion' (the repeat is a duplicate row), never 'champion'; 'Champion;champion' is
    refused before anything is sent."""
    path = tmp_path / "pairs.csv"
    with Sandbox(seed=None) as sb:
        sb.add_records("deals", [int(DEAL)])
        sb.add_records("contacts", [int(c) for c in CONTACTS])
        champion = sb.add_label("deals", "contacts", "Champion")
        sb.add_label("deals", "contacts", "champion")
        path.write_text(
            f'Deal ID,Contact IDs,{LABEL_HEADER}\n{DEAL},"2020001;2020002","Champion; Champion "\n'
        )
        result = hf.associate(path, client_for(sb), progress=False)
        assert result["status"].tolist() == ["success", "duplicate", "success", "duplicate"]
        links = sb.associations("deals", "contacts")
        labeled = links[links["category"] == "USER_DEFINED"]
        assert sorted(zip(labeled["to_id"].astype(str), labeled["type_id"], strict=True)) == [
            ("2020001", champion),
            ("2020002", champion),
        ]
        path.write_text(
            f'Deal ID,Contact IDs,{LABEL_HEADER}\n{DEAL},"2020003;2020002","Champion;champion"\n'
        )
        sb.reset_request_log()
        with pytest.raises(InputError, match=REFUSED):
            hf.associate(path, client_for(sb), progress=False)
        assert not sb.request_log()["method"].isin(["POST", "PUT", "DELETE"]).any()


# --- a retry file of an earlier version ----------------------------------------------------------

_OLD_ROWS = [
    ["Deal ID", "Contact IDs", LABEL_HEADER],
    [DEAL, "2020001;2020002", "Champion;Decision maker"],
    ["1010002", "2020003", "Champion"],
]


def _workbook(path: Path, marked: bool) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Retry"
    for row in _OLD_ROWS:
        sheet.append(row)
    if marked:  # as hubframe.report.overwrite.mark_retry marks a retry workbook
        props: Any = book
        props.custom_doc_props.append(StringProperty(name=MARK_NAME, value=RETRY_MARK))
    book.save(path)
    return path


@pytest.mark.parametrize("sheet", [None, "Retry", "*"])
def test_an_old_retry_workbook_is_refused_saying_how_to_split_it(
    tmp_path: Path, sheet: str | None
) -> None:
    path = _workbook(tmp_path / "retry.xlsx", marked=True)
    with pytest.raises(InputError, match=REFUSED) as caught:
        hf.read_pairs(path, sheet=sheet)
    said = str(caught.value)
    assert OLD_RETRY in said and "every label on every id" in said
    assert "one row per id, each with all the row's labels" in said


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_sheet_without_the_mark_is_refused_as_any_sheet(tmp_path: Path, suffix: str) -> None:
    if suffix == ".xlsx":
        path = _workbook(tmp_path / "pairs.xlsx", marked=False)
    else:
        path = tmp_path / "pairs.csv"
        pd.DataFrame(_OLD_ROWS[1:], columns=_OLD_ROWS[0]).to_csv(path, index=False)
    with pytest.raises(InputError, match=REFUSED) as caught:
        hf.read_pairs(path)
    assert OLD_RETRY not in str(caught.value)


# --- a repeated header's name and the names columns= gives ----------------------------------------


@pytest.mark.parametrize(
    ("cells", "names"),
    [
        (
            ["Deal ID", "Contact ID", "Contact ID", "contact id.1"],
            ["Deal ID", "Contact ID", "Contact ID.2", "contact id.1"],
        ),
        (["a", "a", "A 1"], ["a", "a.2", "A 1"]),
        (["a", "a", "A-1", "a_2"], ["a", "a.3", "A-1", "a_2"]),
        (["", "unnamed 0"], ["Unnamed: 0.1", "unnamed 0"]),
    ],
)
def test_a_repeat_skips_the_keys_of_the_headers_written(cells: list[str], names: list[str]) -> None:
    assert clean_headers(cells) == names


_BASES = ("Contact ID", "contact id", "Contact ID")
_SUFFIXES = ("", "", "", ".1", ".2", " 1", "-1", ".1.1")


def _variant(text: str, rng: random.Random) -> str:
    """``text`` with another case, spaces and punctuation: the same header key."""
    out = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)
    out = out.replace(" ", rng.choice([" ", "", "_", "  "])).replace(
        ".", rng.choice([".", " ", "_"])
    )
    return rng.choice(["", " "]) + out


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


@pytest.mark.parametrize("how", ["csv", "xlsx", "frame"])
def test_a_name_by_key_reads_the_column_written_so_or_is_refused(how: str) -> None:
    """Header rows with repeats, literal '.N' names and case and spacing variants: a
    ``columns=`` name alike a written header but for case, spaces or punctuation reads the one
    column written so, or is refused when several are."""
    refused = 0
    for seed in seeds(60):
        rng = random.Random(seed)
        headers = ["Deal ID"] + [
            rng.choice(_BASES) + rng.choice(_SUFFIXES) for _ in range(rng.randint(2, 6))
        ]
        rows = [headers] + [
            [str(1010001 + r)] + [str(2020000 + 10 * c + r) for c in range(1, len(headers))]
            for r in range(2)
        ]
        target = rng.randrange(1, len(headers))
        name = _variant(headers[target], rng)
        alike = [n for n, h in enumerate(headers) if _key(h) == _key(name)]
        try:
            pairs = _read(rows, how, columns={"Deal ID": "from_id", name: "to_id"}, **TYPES)
        except HeaderError as error:
            refused += 1
            assert name in headers or len(alike) > 1, (headers, name, str(error))
            continue
        picked = alike[0] if name not in headers else headers.index(name)
        assert len(alike) == 1 or name in headers, (headers, name)
        assert pairs["to_id"].tolist() == [row[picked] for row in rows[1:]], (headers, name)
    assert refused  # the loop meets both outcomes


@pytest.mark.parametrize("how", ["csv", "xlsx", "frame"])
def test_the_repro_sheet_reads_column_d(how: str) -> None:
    rows = [
        ["Deal ID", "Contact ID", "Contact ID", "contact id.1"],
        [DEAL, "2020001", "2020002", "2020003"],
    ]
    for name in ("CONTACT ID.1", "Contact Id.1", "contact id.1"):
        pairs = _read(rows, how, columns={name: "to_id"}, to_type="contacts")
        assert pairs["to_id"].tolist() == ["2020003"], name


def test_a_name_two_made_names_share_by_key_is_refused() -> None:
    """``Contact ID`` and ``contact id`` each repeated: 'Contact ID.1' and 'contact id.1'
    are the read's names; 'CONTACT ID.1' could be either."""
    rows = [
        ["Deal ID", "Contact ID", "Contact ID", "contact id", "contact id"],
        [DEAL, "2020001", "2020002", "2020003", "2020004"],
    ]
    with pytest.raises(HeaderError, match=r"a name that matches 2 columns \(column 3, column 5\)"):
        _read(rows, "csv", columns={"CONTACT ID.1": "to_id"}, to_type="contacts")
    assert _read(rows, "csv", columns={"contact id.1": "to_id"}, to_type="contacts")[
        "to_id"
    ].tolist() == ["2020004"]


def test_read_ids_refuses_a_name_several_headers_share_by_key() -> None:
    sheet = b"Contact ID,contact-id,Notes\n2020001,2020002,x\n"
    with pytest.raises(
        HeaderError, match=r"could be any of the columns 'Contact ID', 'contact-id'"
    ):
        read_ids(sheet, column="CONTACT ID ")
    assert read_ids(sheet, column="contact-id") == ["2020002"]
    assert read_ids(b"Contact ID,Notes\n2020001,x\n", column="contact id") == ["2020001"]
