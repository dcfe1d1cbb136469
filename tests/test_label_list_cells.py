"""A label column whose header says its cells hold lists (``Labels (;-separated)``,
``Labels (comma separated)``) is split as the header says, as ``;``-separated id cells are.

Before: the header was read as the label column (docs/columns.md) but its cells were not split,
so ``hubframe labels`` created one label literally named "Decision maker; Champion" and
``associate`` then applied it.  Now a pairs or limits sheet gives one row per label of such a
cell (each with the sheet's row number), and a header without such a note keeps every cell as
one label (a label may hold a ``;``).
"""

from __future__ import annotations

import io

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = str(demo_ids("deals")[0]), str(demo_ids("contacts")[5])
HEADERS = {
    "Labels (;-separated)": ";",
    "Labels (semicolon separated)": ";",
    "Label (;-separated, optional)": ";",
    "labels (comma-separated)": ",",
    "Association labels (comma separated)": ",",
}
_WORD = st.text(alphabet="abcdefghij XYZ", min_size=1, max_size=8).filter(lambda s: s.strip())


@settings(max_examples=examples(60), deadline=None)
@given(
    header=st.sampled_from(sorted(HEADERS)),
    labels=st.lists(_WORD, min_size=1, max_size=4),
    spaces=st.sampled_from(["", " ", "  "]),
    trailing=st.booleans(),
    kind=st.sampled_from(["pairs", "limits"]),
)
def test_a_list_header_gives_one_row_per_label(
    header: str, labels: list[str], spaces: str, trailing: bool, kind: str
) -> None:
    sep = HEADERS[header]
    cell = (sep + spaces).join(labels) + (sep if trailing else "")
    if kind == "pairs":
        sheet = f'Deal ID,Contact ID,"{header}"\n{DEAL},{CONTACT},"{cell}"\n{DEAL},{CONTACT},One\n'
        frame = hf.read_pairs(io.BytesIO(sheet.encode()))
    else:
        sheet = f'From,To,"{header}",Max\ndeals,contacts,"{cell}",3\ndeals,contacts,One,2\n'
        frame = hf.read_limits(io.BytesIO(sheet.encode()))
    assert frame["label"].tolist() == [w.strip() for w in labels] + ["One"]
    assert frame["row"].tolist() == [2] * len(labels) + [3]


@pytest.mark.parametrize("header", ["Label", "Association label", "Label (optional)", "Labels"])
def test_a_header_without_a_list_note_keeps_the_cell_whole(header: str) -> None:
    sheet = f"Deal ID,Contact ID,{header}\n{DEAL},{CONTACT},Decision maker; Champion\n"
    assert hf.read_pairs(io.BytesIO(sheet.encode()))["label"].tolist() == [
        "Decision maker; Champion"
    ]


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_labels_then_associate_applies_each_label(sandbox: Sandbox, version: str) -> None:
    sheet = f"Deal ID,Contact ID,Labels (;-separated)\n{DEAL},{CONTACT},Sponsor; Scout\n"
    client = client_for(sandbox, version)
    made = hf.configure_labels(io.BytesIO(sheet.encode()), client)
    assert list(zip(made["label"], made["status"], strict=True)) == [
        ("Sponsor", "success"),
        ("Scout", "success"),
    ]
    done = hf.associate(io.BytesIO(sheet.encode()), client, progress=False)
    assert done["status"].tolist() == ["success", "success"]
    listed = set(sandbox.labels("deals", "contacts")["label"].dropna())
    assert not any(";" in name for name in listed)
    links = sandbox.associations("deals", "contacts")
    applied = set(links.loc[links["from_id"].astype(str) == DEAL, "type_id"].astype(int))
    wanted = {sandbox.type_id("deals", "contacts", n) for n in ("Sponsor", "Scout")}
    assert wanted <= applied


@pytest.mark.parametrize("kind", ["labels", "pairs"])
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_placeholder_label_is_created_and_its_line_says_so(
    sandbox: Sandbox, kind: str, dry_run: bool
) -> None:
    """A pairs sheet reads "N/A" as the label it names (docs/columns.md), so a labels run
    creates it like any other -- the two agree -- and its line says plainly what it made."""
    words = ["N/A", "None", "NULL", "n/a ", "-"]
    if kind == "labels":
        sheet = "From type,To type,Label\n" + "".join(f"deals,contacts,{w}\n" for w in words)
    else:
        sheet = "Deal ID,Contact ID,Label\n" + "".join(f"{DEAL},{CONTACT},{w}\n" for w in words)
    made = hf.configure_labels(io.BytesIO(sheet.encode()), client_for(sandbox), dry_run=dry_run)
    status = "planned" if dry_run else "success"
    created = made[made["status"] == status]
    assert sorted(created["label"].str.strip()) == sorted({"N/A", "None", "NULL", "-"})
    for message in created["error_message"]:
        assert "is created as a label named so" in str(message)


def _codes(pairs: object) -> list[tuple[int, str]]:
    issues = hf.validate_pairs(pairs)  # type: ignore[arg-type]
    return [(int(r), str(c)) for r, c in issues[["row", "code"]].values]


def _xlsx(cells: list[str]) -> bytes:
    """A sheet of one row per label cell: an openpyxl formula cell for each one that starts
    with '=' (written with no value), text otherwise."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID", "Labels (;-separated)"])
    for cell in cells:
        ws.append([int(DEAL), int(CONTACT), cell])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("source", ["csv", "xlsx text"])
def test_a_part_of_a_list_starting_with_an_equals_sign_is_a_label(source: str) -> None:
    """ "=SUM(A1)" in "Champion;=SUM(A1)" is text, as a whole text cell "=SUM(A1)" is: it was
    refused as "a formula whose value was never computed ... open the file in Excel", advice
    that cannot fix it."""
    cell = "Champion;=SUM(A1);#N/A"
    if source == "csv":
        data = f'Deal ID,Contact ID,"Labels (;-separated)"\n{DEAL},{CONTACT},"{cell}"\n'.encode()
        pairs = hf.read_pairs(io.BytesIO(data))
    else:
        from hubframe.testing import xlsx_bytes

        pairs = hf.read_pairs(
            xlsx_bytes([["Deal ID", "Contact ID", "Labels (;-separated)"], [DEAL, CONTACT, cell]])
        )
    assert pairs["label"].tolist() == ["Champion", "=SUM(A1)", "#N/A"]
    assert "FORMULA_ERROR" not in {code for _, code in _codes(pairs)}


@pytest.mark.parametrize("source", ["csv", "xlsx formula"])
def test_a_formula_holding_the_separator_is_refused_once_not_split(source: str) -> None:
    """A formula without a value whose text holds ';' (a European Excel's argument separator)
    was split into "labels": "=VLOOKUP(A2" refused, "L!A:B", "2" and "0)" sent as labels."""
    formula = "=VLOOKUP(A2;L!A:B;2;0)"
    if source == "csv":
        data = f'Deal ID,Contact ID,"Labels (;-separated)"\n{DEAL},{CONTACT},"{formula}"\n'
        pairs = hf.read_pairs(io.BytesIO(data.encode()))
    else:
        pairs = hf.read_pairs(_xlsx([formula, "Champion"]))
    assert pairs["label"].tolist()[0] == formula
    assert len(pairs) == (1 if source == "csv" else 2)
    assert _codes(pairs) == [(2, "FORMULA_ERROR")]
