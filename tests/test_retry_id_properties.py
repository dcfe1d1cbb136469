"""A retry file of a run that read a side by a unique property reads back as that property.

``hubframe associate s.csv --to-id-property code --retry-file retry.csv``: the sheet's "Contact
ID" column holds customer codes, looked up to contacts.  The retry file kept the sheet's layout
and nothing said the column held codes, so ``hubframe associate retry.csv`` (as the command
line advises) sent the codes as record ids: the contacts whose *id* equals a code were linked,
other records, without a word (emails and domains failed ``BAD_ID``).  The retry file now marks
the column (``Contact ID [id property: code]``), the reader reads the mark back, and the retry
links the records the first run meant, from Python and from the command line, ``.csv`` and
``.xlsx``, by email, domain or a custom property, on one side or both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import read_pairs
from hubframe.io.aliases import header_key, marked_header, property_mark
from hubframe.run.lookup import id_properties
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

CONTACTS = [str(4300000001 + i) for i in range(4)]  # C1..C4
COMPANIES = [str(4400000001 + i) for i in range(4)]  # K1..K4


@dataclass(frozen=True)
class Side:
    object_type: str
    ids: list[str]
    values: dict[str, list[str]]  # property -> each record's value


def _sides() -> dict[str, Side]:
    """Codes that are other records' ids: read as ids, they name the wrong records."""
    contact_codes = [CONTACTS[2], "C-0002", CONTACTS[1], CONTACTS[0]]
    company_codes = ["K-0001", COMPANIES[2], "00042", COMPANIES[0]]
    return {
        "from": Side(
            "contacts",
            CONTACTS,
            {"email": [f"c{i}@example.test" for i in range(4)], "code": contact_codes},
        ),
        "to": Side(
            "companies",
            COMPANIES,
            {"domain": [f"k{i}.example.test" for i in range(4)], "code": company_codes},
        ),
    }


SIDES = _sides()
#: Which records each row names: row 2 names C4 (missing at first), row 3 names K4 (missing).
ROWS = [(0, 0), (3, 1), (2, 3)]


def _portal(sb: Sandbox, *, later: bool) -> None:
    """The records C1-C3 and K1-K3 (``later``: C4 and K4, which the analyst adds)."""
    for side in SIDES.values():
        sb.add_unique_property(side.object_type, "code")
        which = [3] if later else [0, 1, 2]
        props = [{p: v[i] for p, v in side.values.items()} for i in which]
        sb.add_records(side.object_type, [side.ids[i] for i in which], props)


def _sheet(props: dict[str, str]) -> pd.DataFrame:
    cells: dict[str, list[str]] = {}
    for name, side in SIDES.items():
        prop = props.get(name)
        at = 0 if name == "from" else 1
        held = side.values[prop] if prop else side.ids
        header = "Contact ID" if name == "from" else "Company ID"
        cells[header] = [held[row[at]] for row in ROWS]
    return pd.DataFrame(cells)


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("contacts", "companies")
    return set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


def _wanted(rows: list[tuple[int, int]]) -> set[tuple[str, str]]:
    return {(CONTACTS[a], COMPANIES[b]) for a, b in rows}


GRID = [
    {"from": "email"},
    {"from": "code"},
    {"to": "domain"},
    {"to": "code"},
    {"from": "email", "to": "code"},
    {"from": "code", "to": "domain"},
    {"from": "code", "to": "code"},
]


def _arguments(props: dict[str, str]) -> dict[str, str]:
    return {f"{side}_id_property": prop for side, prop in props.items()}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("props", GRID, ids=lambda p: "-".join(f"{k}:{v}" for k, v in p.items()))
def test_the_retry_file_of_a_run_by_property_links_the_same_records(
    tmp_path: Path, suffix: str, props: dict[str, str]
) -> None:
    with Sandbox(seed=None) as sb:
        _portal(sb, later=False)
        client = client_for(sb)
        pairs = read_pairs(_sheet(props), **_arguments(props))
        first = hf.associate(pairs, client, progress=False)
        assert first["status"].tolist() == ["success", "failed", "failed"]
        assert _links(sb) == _wanted(ROWS[:1])
        retry = hf.export_retry(first, tmp_path / f"retry{suffix}")
        _portal(sb, later=True)  # the analyst creates the missing records
        again = read_pairs(retry)  # alone, as the retry file is documented to be run
        assert id_properties(again) == props
        second = hf.associate(again, client, progress=False)
        assert second["status"].tolist() == ["success", "success"]
        assert _links(sb) == _wanted(ROWS)
        # The same arguments given again agree with the marks.
        assert id_properties(read_pairs(retry, **_arguments(props))) == props


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("props", GRID[1:6:2], ids=lambda p: "-".join(p))
def test_the_command_line_retry_file_links_the_same_records(
    tmp_path: Path, suffix: str, props: dict[str, str]
) -> None:
    sheet = tmp_path / "pairs.csv"
    _sheet(props).to_csv(sheet, index=False)
    retry = tmp_path / f"retry{suffix}"
    flags = [a for side, prop in props.items() for a in (f"--{side}-id-property", prop)]
    with Sandbox(seed=None) as sb:
        _portal(sb, later=False)
        where = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        assert main(["associate", str(sheet), *flags, "--retry-file", str(retry), *where]) == 1
        _portal(sb, later=True)
        assert main(["associate", str(retry), *where]) == 0
        assert _links(sb) == _wanted(ROWS)


def test_a_retry_of_the_retry_file_keeps_one_mark(tmp_path: Path) -> None:
    props = {"to": "code"}
    with Sandbox(seed=None) as sb:
        _portal(sb, later=False)
        client = client_for(sb)
        first = hf.associate(read_pairs(_sheet(props), **_arguments(props)), client, progress=False)
        retry = hf.export_retry(first, tmp_path / "retry.csv")
        second = hf.associate(read_pairs(retry), client, progress=False)  # fails again
        assert second["status"].tolist() == ["failed", "failed"]
        again = hf.export_retry(second, tmp_path / "again.csv")
        header = pd.read_csv(again, dtype=str).columns.tolist()
        assert header == ["Contact ID", "Company ID [id property: code]"]
        _portal(sb, later=True)
        third = hf.associate(read_pairs(again), client, progress=False)
        assert third["status"].tolist() == ["success", "success"]
        assert _links(sb) == _wanted(ROWS)


def test_a_header_that_says_the_property_is_kept_as_it_is(tmp_path: Path) -> None:
    """ "Contact email" reads back as email by itself: the retry file keeps the sheet's header."""
    frame = pd.DataFrame({"Deal ID": ["1", "2"], "Contact email": ["a@x.test", "b@x.test"]})
    result = read_pairs(frame).assign(status="failed")
    back = pd.read_csv(hf.export_retry(result, tmp_path / "r.csv"), dtype=str)
    assert back.columns.tolist() == ["Deal ID", "Contact email"]


def test_a_header_that_says_another_property_is_marked(tmp_path: Path) -> None:
    """ "Contact email" read by ``to_id_property="code"``: read back alone it would be emails."""
    frame = pd.DataFrame({"Deal ID": ["1", "2"], "Contact email": ["a", "b"]})
    result = read_pairs(frame, to_id_property="code").assign(status="failed")
    retry = hf.export_retry(result, tmp_path / "r.csv")
    assert pd.read_csv(retry, dtype=str).columns.tolist() == [
        "Deal ID",
        "Contact email [id property: code]",
    ]
    assert id_properties(read_pairs(retry)) == {"to": "code"}


def test_a_mark_the_argument_contradicts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Deal ID,Contact ID [id property: code]\n1,4200000001\n")
    with pytest.raises(InputError, match=r"code.*email|email.*code"):
        read_pairs(path, to_id_property="email")
    assert id_properties(read_pairs(path, to_id_property=" code ")) == {"to": "code"}


@pytest.mark.parametrize(
    "header", ["Association label [id property: code]", "Notes [id property: x]"]
)
def test_a_mark_on_a_column_of_no_record_ids_is_refused(tmp_path: Path, header: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"Deal ID,Contact ID,{header}\n1,2,Decision maker\n")
    if header.startswith("Notes"):  # a column of the analyst's own: not read, left alone
        assert id_properties(read_pairs(path)) == {}
        return
    with pytest.raises(InputError, match="id property"):
        read_pairs(path)


def test_a_mark_naming_no_property_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Deal ID,Contact ID [id property: ]\n1,2\n")
    with pytest.raises(InputError, match="names no property"):
        read_pairs(path)


_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
_HEADERS = st.sampled_from(["Contact ID", "To ID", "Associated Contact IDs", "Contact email"])


@settings(max_examples=examples(60), deadline=None)
@given(header=_HEADERS, name=_NAMES, again=_NAMES)
def test_a_marked_header_reads_as_its_header_with_the_property(
    header: str, name: str, again: str
) -> None:
    marked = marked_header(header, name)
    assert property_mark(marked) == (header, name)
    assert header_key(marked) == header_key(header)
    assert marked_header(marked_header(header, again), name) == marked  # one mark, the last
    frame = pd.DataFrame({"Deal ID": ["1"], marked: ["v"]})
    pairs = read_pairs(frame, to_type="contacts")
    assert id_properties(pairs) == {"to": name}
    assert pairs.attrs["hubframe"]["column_map"][marked] == "to_id"
