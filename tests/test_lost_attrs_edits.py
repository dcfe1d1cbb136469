"""A read frame that lost its ``attrs`` is still checked for cells edited after the read.

``pd.concat`` of two reads drops their ``attrs`` (they differ), and so does a result table
saved as CSV and read back with ``pd.read_csv``.  Such a frame keeps every column the reader
gives, so a job takes it as read; before, it took it with no check: an analyst who fixed a row
in the sheet's own "Deal ID" or "Max" cell saw the new value in the report beside ``success``
while the value read was sent.  The analyst's columns are now found by their headers, as the
reader finds them, each id column judged on the rows of its object's side.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[50:60]]
CONTACTS = [str(i) for i in demo_ids("contacts")[90:100]]
COMPANIES = [str(i) for i in demo_ids("companies")[10:20]]
HEADERS = {"deals": "Deal ID", "contacts": "Contact ID", "companies": "Company ID"}
IDS = {"deals": DEALS, "contacts": CONTACTS, "companies": COMPANIES}
SHAPES = [("deals", "contacts"), ("contacts", "deals"), ("companies", "deals")]


def _read(from_type: str, to_type: str, rows: int, start: int = 0) -> pd.DataFrame:
    sheet = pd.DataFrame(
        {
            HEADERS[from_type]: [int(i) for i in IDS[from_type][start : start + rows]],
            HEADERS[to_type]: [int(i) for i in IDS[to_type][start : start + rows]],
            "Note": [f"n{k}" for k in range(rows)],
        }
    )
    return hf.read_pairs(sheet)


def _links(portal: Sandbox) -> set[tuple[str, str]]:
    table = portal.associations("deals", "contacts")
    return set(zip(table["from_id"].astype(str), table["to_id"].astype(str), strict=True))


def test_a_result_table_read_back_from_csv_and_edited_is_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The analyst re-points a row in the result's own "Deal ID" column: refused, naming the
    row and both values, nothing sent; read back unedited, it runs and links what it names."""
    client = client_for(sandbox)
    planned = hf.associate(_read("deals", "contacts", 3), client, dry_run=True, progress=False)
    planned.to_csv(tmp_path / "result.csv", index=False)
    back = pd.read_csv(tmp_path / "result.csv")
    edited = back.copy()
    edited.loc[2, "Deal ID"] = int(DEALS[7])
    before = _links(sandbox)
    for job in (hf.validate_pairs, lambda f: hf.associate(f, client, progress=False)):
        with pytest.raises(InputError) as caught:
            job(edited)
        message = str(caught.value)
        assert f"'Deal ID' cell of row 4 is '{DEALS[7]}'" in message, message
        assert f"is '{DEALS[2]}'" in message and "Nothing was sent" in message, message
    assert _links(sandbox) == before
    result = hf.associate(back, client, progress=False)
    assert result["status"].eq("success").all(), result[["status", "error_message"]]
    assert {(DEALS[k], CONTACTS[k]) for k in range(3)} <= _links(sandbox)


def test_concatenated_limits_with_a_max_edited_are_refused(sandbox: Sandbox) -> None:
    first = hf.read_limits(
        pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Label": [""], "Max": [4]})
    )
    second = hf.read_limits(
        pd.DataFrame(
            {"From": ["deals"], "To": ["companies"], "Label": [""], "Max": [5], "Why": ["x"]}
        )
    )
    both = pd.concat([first, second], ignore_index=True)
    assert not both.attrs
    client = client_for(sandbox)
    planned = hf.configure_limits(both, client, dry_run=True, progress=False)
    assert planned["status"].eq("planned").all(), planned[["status", "error_message"]]
    both.loc[1, "Max"] = "7"
    with pytest.raises(InputError, match=r"'Max' cell of row 2 is '7'.*is 5"):
        hf.configure_limits(both, client, progress=False)
    assert sandbox.limits("deals", "companies").empty


def test_concatenated_reads_named_by_columns_are_taken_as_read(sandbox: Sandbox) -> None:
    """A read whose ids came from columns named by ``columns=`` ("Opportunity", "Person")
    concatenated with a read of "Deal ID, Contact ID": each part's empty cells in the other's
    columns are not edits, and the frame runs as read."""
    sheet = pd.DataFrame({"Opportunity": [int(DEALS[0])], "Person": [int(CONTACTS[0])]})
    named = hf.read_pairs(
        sheet,
        columns={"Opportunity": "from_id", "Person": "to_id"},
        from_type="deals",
        to_type="contacts",
    )
    both = pd.concat([named, _read("deals", "contacts", 2, start=1)], ignore_index=True)
    assert not both.attrs
    result = hf.associate(both, client_for(sandbox), progress=False)
    assert result["status"].eq("success").all(), result[["status", "error_message"]]
    assert {(DEALS[k], CONTACTS[k]) for k in range(3)} <= _links(sandbox)


@pytest.mark.parametrize("seed", seeds(40))
def test_random_edits_of_concatenated_reads(seed: int) -> None:
    """Reads of the three shapes concatenated, a random id cell of the analyst's columns set to
    another record, the same record in another form, or left: refused exactly when it names
    another record."""
    rng = random.Random(seed)
    parts = [
        _read(*rng.choice(SHAPES), rows=rng.randint(1, 4), start=rng.randint(0, 5))
        for _ in range(rng.randint(2, 3))
    ]
    both = pd.concat(parts, ignore_index=True)
    headers = [h for h in HEADERS.values() if h in both.columns]
    header = rng.choice(headers)
    at = rng.choice([k for k in range(len(both)) if pd.notna(both.loc[k, header])])
    old = str(int(both.loc[at, header]))
    way = rng.choice(["other", "same text", "same float", "left"])
    value: object = {
        "other": str(int(old) + 1),
        "same text": f" {old} ",
        "same float": float(old),
        "left": both.loc[at, header],
    }[way]
    both[header] = both[header].astype(object)
    both.loc[at, header] = value
    if way == "other":
        with pytest.raises(InputError, match=f"'{header}' cell of row"):
            hf.validate_pairs(both)
    else:
        issues = hf.validate_pairs(both)
        assert len(issues.query("severity == 'error'")) == 0, issues


def test_an_unread_id_column_beside_the_one_columns_named_is_no_edit(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A "Deal ID" of an old system's ids beside the HubSpot ids a read took from the column
    ``columns=`` named: concatenated with another such read, or a result read back from CSV,
    the frame is taken as read (it was refused as edited), and an edit of a "Deal ID" cell
    of a row read from it is still refused."""

    def sheet(start: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "Deal ID": [11 + start, 12 + start],
                "HubSpot deal": [int(d) for d in DEALS[start : start + 2]],
                "Contact ID": [int(c) for c in CONTACTS[start : start + 2]],
            }
        )

    named = {"columns": {"HubSpot deal": "from_id", "Contact ID": "to_id"}, "from_type": "deals"}
    sheet(2).to_csv(tmp_path / "second.csv", index=False)
    second = hf.read_pairs(tmp_path / "second.csv", **named)
    both = pd.concat([hf.read_pairs(sheet(0), **named), second], ignore_index=True)
    assert not both.attrs
    assert len(hf.validate_pairs(both).query("severity == 'error'")) == 0
    client = client_for(sandbox)
    planned = hf.associate(both, client, dry_run=True, progress=False)
    planned.to_csv(tmp_path / "planned.csv", index=False)
    back = pd.read_csv(tmp_path / "planned.csv")
    result = hf.associate(back, client, progress=False)
    assert result["status"].eq("success").all(), result[["status", "error_message"]]
    assert {(DEALS[k], CONTACTS[k]) for k in range(4)} <= _links(sandbox)
    mixed = pd.concat([both, _read("deals", "contacts", 2, start=6)], ignore_index=True)
    mixed["Deal ID"] = mixed["Deal ID"].astype(object)
    mixed.loc[4, "Deal ID"] = int(DEALS[9])
    with pytest.raises(
        InputError, match=f"'Deal ID' cell of row 2 of the DataFrame is '{DEALS[9]}'"
    ):
        hf.validate_pairs(mixed)


@pytest.mark.parametrize(
    ("kind", "first", "second", "edit"),
    [
        ("limits", "Max", "Max associations", ("Max", "9")),
        ("pairs", "Label", "Association label", ("Label", "Decision maker")),
        ("pairs", "Deal ID", "Deal Record ID", ("Contact ID", CONTACTS[9])),
    ],
)
def test_reads_spelling_a_header_otherwise_concatenated_are_still_checked(
    kind: str, first: str, second: str, edit: tuple[str, str]
) -> None:
    """Two spellings of one field's header ("Max", "Max associations") in one frame: each
    column is found by its own header (the two together were no mapping the reader makes, so
    nothing was checked, and the value read was sent beside the edited cell)."""
    if kind == "limits":
        base = {"From": ["deals"], "To": ["contacts"], "Label": ["Champion"]}
        parts = [hf.read_limits(pd.DataFrame({**base, name: [2]})) for name in (first, second)]
    else:
        parts = [
            hf.read_pairs(
                pd.DataFrame(
                    {
                        "Deal ID" if name != "Deal Record ID" else name: [int(DEALS[k])],
                        "Contact ID": [int(CONTACTS[k])],
                        name if "abel" in name else "Label": ["Champion"],
                    }
                )
            )
            for k, name in enumerate((first, second))
        ]
    both = pd.concat(parts, ignore_index=True)
    assert not both.attrs
    check = hf.validate_limits if kind == "limits" else hf.validate_pairs
    assert len(check(both).query("severity == 'error'")) == 0
    column, value = edit
    both[column] = both[column].astype(object)
    both.loc[0, column] = value
    with pytest.raises(InputError, match=f"'{column}' cell of row 2 is '{value}'"):
        check(both)
