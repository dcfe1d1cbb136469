"""HubSpot's own property columns of ids in an export are no pairs left out.

Every record has default properties naming HubSpot users ("Created by user ID", "Updated by
user ID", "Shared user IDs", "Record source user ID", ...), so every "all properties" export
carries them; an export also has "Merged Deal IDs" (the records merged into this one, which no
longer exist) and a companies export "Parent Company ID".  The unread id column rule (a column
naming a standard object's ids beside the two read stops the read, fed3fa0/86809fb) took users
for such an object and those properties for left-out pairs: a plain deals export ``Record ID,
Deal Name, Deal Stage, Deal owner, Associated Contact IDs, Created by user ID`` was refused.
Users associate with nothing (HubSpot lists no association type of theirs): a column naming
them is never a pair column left out, nor a rival of ``Record ID``; HubSpot's own property
labels of ids are read past.  The rule still stops "Primary Contact ID" beside "Contact ID",
"Contact Record ID", "Record ID - Company", and look-alikes of the labels an analyst wrote.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.constants import OBJECT_TYPES_BY_NAME
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

USER_HEADERS = [
    "Created by user ID",
    "Updated by user ID",
    "Shared user IDs",
    "Last modified by user ID",
    "Record creation source user ID",
    "Record source user ID",
    "Closed by user ID",
    "Sequence enrolled by user ID",
    "Deal split user IDs",
    "HubSpot user ID",
    "Assigned user ID",
    "User ID",
    "Deal owner (user ID)",
]
PROPERTY_HEADERS = ["Merged Deal IDs", "Merged Contact IDs", "Merged Company IDs"]
PARENT = "Parent Company ID"
#: The object whose ids each property column holds.
HELD = {
    "Merged Deal IDs": "deals",
    "Merged Contact IDs": "contacts",
    "Merged Company IDs": "companies",
}

#: object -> (its name property, its owner property, the association column, its object)
EXPORTS = {
    "deals": ("Deal Name", "Deal owner", "Associated Contact IDs", "contacts"),
    "contacts": ("First Name", "Contact owner", "Associated Company IDs", "companies"),
    "companies": ("Company name", "Company owner", "Associated Contact IDs", "contacts"),
    "tickets": ("Ticket name", "Ticket owner", "Associated Contact IDs", "contacts"),
}
FROM_IDS = ["2040000001", "2040000002", "2040000003"]
TO_CELLS = ["1019360001;1019360002", "1019360003", "1019360004"]
EXPECTED = [
    ("2040000001", "1019360001"),
    ("2040000001", "1019360002"),
    ("2040000002", "1019360003"),
    ("2040000003", "1019360004"),
]


def _export(
    tmp_path: Path, object_type: str, extra: list[str], fmt: str, order: list[str] | None = None
) -> Path:
    """HubSpot's export of ``object_type`` with the ``extra`` property columns (digits)."""
    name, owner, association, _ = EXPORTS[object_type]
    headers = ["Record ID", name, owner, association, *extra]
    if order is not None:
        headers = ["Record ID", *order]
    rows = [
        [
            {
                "Record ID": record,
                name: f"Record {i}",
                owner: "Anna Schmidt",
                association: cells,
            }.get(h, str(45678901 + i) if "user" in h.lower() else str(3120000001 + i))
            for h in headers
        ]
        for i, (record, cells) in enumerate(zip(FROM_IDS, TO_CELLS, strict=True))
    ]
    path = tmp_path / f"hubspot-crm-exports-all-{object_type}-2026-11-29.{fmt}"
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([headers, *rows])
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(headers)
        for row in rows:  # ids as numbers, as Excel keeps them
            sheet.append([int(v) if v.isdigit() else (v or None) for v in row])
        book.save(path)
    return path


def _pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    return [(str(f), str(t)) for f, t in zip(frame["from_id"], frame["to_id"], strict=True)]


def _reads(path: Path, object_type: str, header: str | None = None) -> None:
    """``path`` reads as the export's pairs; or, where ``header`` holds ids of the associated
    object and is no property of the export's own records (a deals export's "Merged Contact
    IDs"), it is refused naming that column: it may be the analyst's column of that object."""
    if header is not None and HELD.get(header) == EXPORTS[object_type][3] != object_type:
        with pytest.raises(HeaderError) as caught:
            hf.read_pairs(path)
        assert f'"{header}"' in str(caught.value)
        return
    frame = hf.read_pairs(path)
    assert _pairs(frame) == EXPECTED
    assert set(frame["from_type"]) == {object_type}
    assert set(frame["to_type"]) == {EXPORTS[object_type][3]}


@pytest.mark.parametrize("object_type", sorted(EXPORTS))
@pytest.mark.parametrize("header", USER_HEADERS + PROPERTY_HEADERS)
def test_an_export_with_a_property_column_of_ids_reads(
    tmp_path: Path, header: str, object_type: str
) -> None:
    _reads(_export(tmp_path, object_type, [header], "csv"), object_type, header)


@pytest.mark.parametrize("header", USER_HEADERS + PROPERTY_HEADERS)
def test_an_xlsx_export_with_a_property_column_of_ids_reads(tmp_path: Path, header: str) -> None:
    object_type = sorted(EXPORTS)[(USER_HEADERS + PROPERTY_HEADERS).index(header) % 4]
    _reads(_export(tmp_path, object_type, [header], "xlsx"), object_type, header)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_companies_export_with_its_parent_company_reads(tmp_path: Path, fmt: str) -> None:
    _reads(_export(tmp_path, "companies", [PARENT, "Merged Company IDs"], fmt), "companies")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_hunters_deals_export_reads(tmp_path: Path, fmt: str) -> None:
    """The sheet of the report: every default user property beside Deal Stage."""
    order = ["Deal Name", "Deal Stage", "Deal owner", "Associated Contact IDs"]
    order += ["Created by user ID", "Updated by user ID"]
    _reads(_export(tmp_path, "deals", [], fmt, order=order), "deals")


@pytest.mark.parametrize("header", USER_HEADERS + PROPERTY_HEADERS + [PARENT])
def test_an_analysts_sheet_with_a_property_column_reads(tmp_path: Path, header: str) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(f"Deal ID,Contact ID,{header}\n2040000001,1019360001,45678901\n")
    if HELD.get(header) == "contacts":  # a second column of contacts: read past, it may be
        with pytest.raises(HeaderError):  # the pairs a sync then removes
            hf.read_pairs(path)
        return
    frame = hf.read_pairs(path)
    assert _pairs(frame) == [("2040000001", "1019360001")]
    assert (set(frame["from_type"]), set(frame["to_type"])) == ({"deals"}, {"contacts"})
    assert header in frame.columns


def test_a_users_column_is_no_rival_of_the_records_own_ids(tmp_path: Path) -> None:
    path = tmp_path / "hubspot-crm-exports-all-deals-2026-11-29.csv"
    path.write_text("Record ID,User ID,Associated Contact IDs\n2040000001,45678901,1019360001\n")
    assert _pairs(hf.read_pairs(path)) == [("2040000001", "1019360001")]


def test_a_users_column_alone_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("User ID,Contact ID\n45678901,1019360001\n")
    frame = hf.read_pairs(path)
    assert _pairs(frame) == [("45678901", "1019360001")]
    assert set(frame["from_type"]) == {"users"}


PROTECTED = ["Primary Contact ID", "Contact Record ID", "Record ID - Company"]
#: An analyst's look-alikes of HubSpot's labels: judged as any column of a standard object's ids.
LOOKALIKES = ["Merged Contact ID", "Parent Company IDs", "Merged Contacts ID (new)"]


@pytest.mark.parametrize("header", PROTECTED + LOOKALIKES)
def test_a_second_column_of_a_standard_objects_ids_is_still_refused(
    tmp_path: Path, header: str
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(
        f"Deal ID,Contact ID,Created by user ID,{header}\n"
        "2040000001,1019360001,45678901,1019360009\n"
    )
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(path)
    assert f'"{header}"' in str(caught.value)


@pytest.mark.parametrize("header", ["Primary Contact ID", "Secondary Contact ID"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_users_and_a_second_contact_column_is_still_refused(
    tmp_path: Path, header: str, fmt: str
) -> None:
    path = _export(tmp_path, "deals", ["Created by user ID", header, "Shared user IDs"], fmt)
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(path)
    assert f'"{header}"' in str(caught.value)


@pytest.mark.parametrize("seed", seeds(6))
def test_property_columns_mixed_into_exports_never_stop_the_read(tmp_path: Path, seed: int) -> None:
    """Exports of any object and format, their property columns of ids in any number and
    order among the others, read with their pairs; one of them beside a second column of the
    associated object's ids stops the read naming that column."""
    rng = random.Random(seed)
    for attempt in range(6):
        object_type = rng.choice(sorted(EXPORTS))
        name, owner, association, _ = EXPORTS[object_type]
        kept = [h for h in PROPERTY_HEADERS if HELD[h] != association_object(object_type)]
        pool = USER_HEADERS + kept + ([PARENT] if object_type == "companies" else [])
        extra = rng.sample(pool, rng.randint(1, 5))
        order = [name, owner, association, *extra, "Create Date"]
        rng.shuffle(order)
        fmt = rng.choice(["csv", "xlsx"])
        where = tmp_path / f"{attempt}"
        where.mkdir()
        if rng.random() < 0.25:
            other = f"Primary {EXPORTS[object_type][3][:-1].replace('companie', 'company')} ID"
            order.insert(rng.randint(0, len(order)), other)
            with pytest.raises(HeaderError) as caught:
                hf.read_pairs(_export(where, object_type, [], fmt, order=order))
            assert f'"{other}"' in str(caught.value), (order, str(caught.value))
        else:
            frame = hf.read_pairs(_export(where, object_type, [], fmt, order=order))
            assert _pairs(frame) == EXPECTED, order
            assert set(frame["from_type"]) == {object_type}, order


def association_object(object_type: str) -> str:
    return EXPORTS[object_type][3]


@pytest.mark.parametrize(
    ("header", "types"),
    [
        (PARENT, ("contacts", "companies")),
        (PARENT, ("deals", "companies")),
        ("Merged Company IDs", ("contacts", "companies")),
        ("Merged Contact IDs", ("companies", "contacts")),
    ],
)
def test_a_property_column_of_the_other_sides_ids_stops_a_sync(
    sandbox_factory: Callable[..., Sandbox], header: str, types: tuple[str, str]
) -> None:
    """An analyst's `Contact ID | Company ID | Parent Company ID` (no export: its records are
    contacts, and the column holds companies): read past, a sync with removals took each
    contact's link to its parent company away.  Such a column is refused as any unread column
    of the other side's ids, nothing sent."""
    from_type, to_type = types
    ids = {"contacts": "1019360001", "deals": "2040000001", "companies": "3120000001"}
    other = "3120000009" if to_type == "companies" else "1019360009"
    sb = sandbox_factory(seed=None)
    sb.add_records(from_type, [ids[from_type]])
    sb.add_records(to_type, [ids[to_type], other])
    sb.associate(from_type, ids[from_type], to_type, ids[to_type])
    sb.associate(from_type, ids[from_type], to_type, other)
    head = [f"{OBJECT_TYPES_BY_NAME[t].singular.title()} ID" for t in types]
    sheet = pd.DataFrame({head[0]: [ids[from_type]], head[1]: [ids[to_type]], header: [other]})
    with pytest.raises(HeaderError) as caught:
        hf.sync(sheet, client_for(sb), allow_removals=True, progress=False)
    assert f'"{header}"' in str(caught.value)
    assert len(sb.associations(from_type, to_type)) == 2
