"""Rows of one record pair are one pair however their objects are spelled.

A custom object is written by its type id (``2-7350001``) or its name (``p_installations``,
``p24681357_installations``); the reader keeps each as written, while it writes a standard object
one way (``0-3``, ``deal`` -> ``deals``).  Before: the repeats and conflicts of pair rows were
keyed by the type as written, so ``deals/0-3`` for one pair was ``duplicate DUPLICATE_ROW`` but
``2-7350001``/``p_installations`` for one pair was sent and reported ``success`` twice (also by
``validate --online``, which knows the spellings name one object), and a ``CONFLICTING_ROWS``
check was dodged by spelling the object another way.

The property: a sheet mixing spellings of standard and custom objects, in both directions, gets
the statuses (and the rows a repeat or a conflict names) of the same sheet with one spelling
per object, from validation with a client, associate and remove_associations (dry runs: one
sandbox serves every example) and a sync's dry run.  Real runs are checked on the hunt's sheet.
2026-09's labels lists name no object type ids: there two names of one object agree (offline
too), and the custom object schemas list says which name is which type id; where it cannot be
read, a name's rows are refused, never guessed one object or two.  Against the demo sandbox
over HTTP on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs import sync
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import PORTAL_ID
from hubframe.testing import client_for, demo_ids, without_schemas

ID, NAME, LONG = "2-7350001", "p_installations", f"p{PORTAL_ID}_installations"
LABEL = "Installer"
D1, D2 = (str(i) for i in demo_ids("deals")[:2])
I1, I2 = (str(i) for i in demo_ids("installations")[:2])
C1 = str(demo_ids("contacts")[0])
COLUMNS = ["from_type", "from_id", "to_type", "to_id", "label", "type_id", "category"]

#: Each object's spellings; the first is the one the canonical sheet writes.
SPELLINGS: dict[str, tuple[str, ...]] = {
    "deal": ("deals", "0-3", "deal"),
    "contact": ("contacts", "0-1", "Contact"),
    "installation": (ID, NAME, LONG),
}


def spellings(version: str) -> dict[str, tuple[str, ...]]:
    """Each object's spellings under ``version`` (every version: the schemas list tells a
    name's type id where the labels lists do not, as on 2026-09)."""
    return SPELLINGS


@pytest.fixture(scope="module")
def portal() -> Iterator[tuple[Sandbox, int]]:
    """The demo portal with a label from deals to installations (its type id); deal D1 is
    linked to installation I1 (so removals and syncs have something to find)."""
    with Sandbox(seed="demo") as sb:
        type_id = sb.add_label("deals", ID, LABEL)
        sb.associate("deals", D1, ID, I1)
        yield sb, type_id


def templates(type_id: int) -> list[tuple[str, str, str, str, str, str, str]]:
    """Rows by object (spelled later): both directions, unlabeled, by label, by type id, and
    rows asking one type two ways (a label with another type id, a type id with another
    category: CONFLICTING_ROWS against the plain rows)."""
    tid, other = str(type_id), "1014"
    out: list[tuple[str, str, str, str, str, str, str]] = []
    for deal in (D1, D2):
        for inst in (I1, I2):
            out += [
                ("deal", deal, "installation", inst, "", "", ""),
                ("deal", deal, "installation", inst, LABEL, "", ""),
                ("deal", deal, "installation", inst, "", tid, ""),
                ("deal", deal, "installation", inst, LABEL, other, ""),
                ("deal", deal, "installation", inst, "", tid, "HUBSPOT_DEFINED"),
                ("installation", inst, "deal", deal, "", "", ""),
            ]
    out += [
        ("contact", C1, "installation", I1, "", "", ""),
        ("installation", I1, "contact", C1, "", "", ""),
        ("deal", D1, "contact", C1, "Champion", "", ""),
        ("contact", C1, "deal", D1, "", "", ""),
    ]
    return out


def sheet(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    raw = pd.DataFrame(rows, columns=COLUMNS).replace("", pd.NA)
    return hf.read_pairs(raw)


def spelled(rows: list[tuple[str, ...]], picks: list[tuple[int, int]], version: str) -> Any:
    """The rows with each object written by the spelling ``picks`` chooses (index modulo the
    object's spellings); picks of 0 give the canonical sheet."""
    names = spellings(version)
    out = []
    for row, (f, t) in zip(rows, picks, strict=True):
        from_type = names[row[0]][f % len(names[row[0]])]
        to_type = names[row[2]][t % len(names[row[2]])]
        out.append((from_type, row[1], to_type, *row[3:]))
    return out


def by_row(issues: pd.DataFrame) -> dict[int, list[tuple[str, str]]]:
    """Validation issues per row: (code, message) of the repeat and conflict issues, code only
    of the others (their messages may name the object as written)."""
    out: dict[int, list[tuple[str, str]]] = {}
    for row, code, message in zip(issues["row"], issues["code"], issues["message"], strict=True):
        said = message if code in ("DUPLICATE_ROW", "CONFLICTING_ROWS") else ""
        out.setdefault(int(row), []).append((str(code), str(said)))
    return {row: sorted(found) for row, found in out.items()}


def statuses(result: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Per row: status, error code, and the message of a repeat or a conflict (which row)."""
    out = []
    for status, code, message in zip(
        result["status"], result["error_code"], result["error_message"], strict=True
    ):
        code = "" if pd.isna(code) else str(code)
        said = str(message) if code in ("DUPLICATE_ROW", "CONFLICTING_ROWS") else ""
        out.append((str(status), code, said))
    return out


def outcomes(frame: pd.DataFrame, client: HubSpotClient) -> dict[str, Any]:
    """What validation with a client and every pairs job's dry run say of each row."""
    quiet: dict[str, Any] = {"dry_run": True, "progress": False}
    return {
        "validate": by_row(hf.validate_pairs(frame, client)),
        "associate": statuses(hf.associate(frame, client, **quiet)),
        "remove": statuses(hf.remove_associations(frame, client, **quiet)),
        "sync": statuses(sync(frame, client, **quiet)),
    }


picks_of = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=2, max_size=7)


@pytest.mark.parametrize("version", ["2026-03", "v4", "2026-09"])
@settings(max_examples=examples(8), deadline=None)
@given(data=st.data())
def test_spellings_of_one_object_get_the_canonical_sheets_statuses(
    portal: tuple[Sandbox, int], version: str, data: st.DataObject
) -> None:
    sb, type_id = portal
    pool = templates(type_id)
    picks = data.draw(picks_of, label="spellings")
    chosen = data.draw(
        st.lists(st.sampled_from(pool), min_size=len(picks), max_size=len(picks)), label="rows"
    )
    # a repeat of an earlier row, spelled its own way, in most examples
    if data.draw(st.booleans(), label="repeat"):
        chosen[-1] = chosen[data.draw(st.integers(0, len(chosen) - 2), label="of")]
    client = client_for(sb, version)
    canonical = outcomes(sheet(spelled(chosen, [(0, 0)] * len(chosen), version)), client)
    mixed = outcomes(sheet(spelled(chosen, picks, version)), client)
    for job, found in canonical.items():
        assert mixed[job] == found, (job, spelled(chosen, picks, version))


HUNT = [
    ("deals", D2, "contacts", C1, "", "", ""),
    ("0-3", D2, "contacts", C1, "", "", ""),
    (NAME, I2, "deals", D2, "", "", ""),
    (ID, I2, "deals", D2, "", "", ""),
    (LONG, I2, "0-3", D2, "", "", ""),
]


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_the_hunts_sheet_sends_one_pair_once(version: str) -> None:
    """The real runs: rows 4 and 5 repeat row 3 (``Repeats row 3``), as row 2 repeats row 1,
    and one request creates the pair; removing the same sheet removes it once."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, version)
        done = hf.associate(sheet(HUNT), client, progress=False)
        assert done["status"].tolist() == ["success", "duplicate", "success", *["duplicate"] * 2]
        assert done["error_code"].tolist()[3:] == ["DUPLICATE_ROW"] * 2
        assert all("row 4" in str(m) for m in done["error_message"].tolist()[3:]), done
        links = sb.associations(ID, "deals")
        assert links.loc[links["from_id"] == I2, "to_id"].tolist() == [D2]
        gone = hf.remove_associations(sheet(HUNT), client, progress=False)
        assert gone["status"].tolist() == ["success", "duplicate", "success", *["duplicate"] * 2]
        links = sb.associations(ID, "deals")
        assert links.loc[links["from_id"] == I2].empty


def test_two_names_are_one_object_offline() -> None:
    """Without a portal: two names of one custom object (``p_installations``,
    ``p<portal>_installations``) name one object (HubSpot takes either in the portal), so the
    later row repeats the first; a name and a type id cannot be known to be one object
    offline and are not guessed: a run or ``validate --online`` finds it."""
    names = hf.validate_pairs(sheet([HUNT[2], HUNT[4]]))
    assert names["code"].tolist() == ["DUPLICATE_ROW"] and names["row"].tolist() == [3]
    assert "repeats row 2" in names["message"].iloc[0]
    assert hf.validate_pairs(sheet([HUNT[2], HUNT[3]])).empty


def test_a_conflict_spelled_two_ways_is_found_online(portal: tuple[Sandbox, int]) -> None:
    """One label asked with two type ids, the object written by its name and its type id: both
    rows CONFLICTING_ROWS with a client (offline the spellings cannot be told one)."""
    sb, type_id = portal
    rows = [
        ("deals", D2, NAME, I2, LABEL, str(type_id), ""),
        ("deals", D2, ID, I2, LABEL, "1014", ""),
    ]
    found = hf.validate_pairs(sheet(rows), client_for(sb))
    assert found["code"].tolist() == ["CONFLICTING_ROWS"] * 2, found
    result = hf.associate(sheet(rows), client_for(sb), dry_run=True, progress=False)
    assert result["error_code"].tolist() == ["CONFLICTING_ROWS"] * 2


@pytest.mark.parametrize("version", ["2026-03", "v4", "2026-09"])
def test_limits_spelled_two_ways_repeat(version: str) -> None:
    """Limits rows: one limit through two spellings asking the same is sent once, the later a
    repeat naming the first (2026-09 too: the schemas list tells the name's type id).
    :func:`hubframe.run.spelling.one_spelling`: kept as the class's check."""
    other = ID
    rows = pd.DataFrame(
        [("deals", NAME, "", "5"), ("0-3", other, "", "5")], columns=["From", "To", "Label", "Max"]
    ).replace("", pd.NA)
    with Sandbox(seed="demo") as sb:
        result = hf.configure_limits(hf.read_limits(rows), client_for(sb, version), progress=False)
    assert result["status"].tolist() == ["success", "duplicate"], result
    assert "row 2" in str(result["error_message"].iloc[1])


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_labels_spelled_two_ways_are_one_label(version: str) -> None:
    """Label rows: one new label through two spellings of its object is created once, the
    later row ``LABEL_EXISTS``, as for a standard object spelled two ways (right already)."""
    rows = pd.DataFrame(
        [("deals", NAME, "Fitter"), ("0-3", ID, "Fitter")], columns=["From", "To", "Label"]
    )
    with Sandbox(seed="demo") as sb:
        result = hf.configure_labels(rows, client_for(sb, version))
        made = sb.labels("deals", ID)
    assert made["label"].tolist().count("Fitter") == 1, made
    assert result["status"].tolist() == ["success", "skipped"], result
    assert result["error_code"].iloc[1] == "LABEL_EXISTS"


def test_a_name_and_a_type_id_are_not_guessed_one_on_2026_09(portal: tuple[Sandbox, int]) -> None:
    """2026-09's labels lists name no object type ids: with the schemas list read, a name and
    a type id of one pair are one pair (the later row a repeat); where the list fails, the
    name's row is refused naming it (``BAD_OBJECT_TYPE``), never sent as another object nor
    taken for a repeat by guess."""
    sb, _ = portal
    rows = sheet([HUNT[2], HUNT[3]])
    client = client_for(sb, "2026-09")
    found = hf.validate_pairs(rows, client)
    assert found["code"].tolist() == ["DUPLICATE_ROW"] and found["row"].tolist() == [3]
    planned = hf.associate(rows, client, dry_run=True, progress=False)
    assert planned["status"].tolist() == ["planned", "duplicate"]
    unread = without_schemas(client_for(sb, "2026-09"))
    found = hf.validate_pairs(rows, unread)
    assert found["code"].tolist() == ["BAD_OBJECT_TYPE"] and found["value"].tolist() == [NAME]
    planned = hf.associate(rows, unread, dry_run=True, progress=False)
    assert planned["status"].tolist() == ["invalid", "planned"]
