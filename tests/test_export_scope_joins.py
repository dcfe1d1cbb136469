"""A sync of an export edited by joining frames keeps the export's scope or says it is lost.

Before, an export whose row was added the usual pandas way (``pd.concat([edited, new])``) lost
its scope without a word: pandas drops ``attrs`` when the frames joined do not carry the same
ones (so do ``pd.merge`` and the concat of two exports, and ``pd.DataFrame(frame)`` does not
copy them), the sync took the records still named in the frame as its scope, and a record
whose rows were all deleted kept its associations in HubSpot, with no warning and no result
row; the same edit made with ``.loc`` removed them.  A frame was never warned of ("a frame
built in Python is not an export's").  Now a sync with removals of a frame in an export's
layout that carries no scope warns (``NoExportScope``, as for a ``.csv``), naming what is lost,
what the run removes and how to keep the scope; no scope is made up: a frame built from
scratch with the export's columns has nothing removed of a record it does not name.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.io.scope import NoExportScope
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = ["2049000001", "2049000002", "2049000003", "2049000004"]  # the export's
OTHERS = ["2049000005", "2049000006"]  # a second export's
CONTACTS = [str(i) for i in demo_ids("contacts")[60:72]]
KW: dict[str, Any] = {"progress": False}
Edit = Callable[[pd.DataFrame, pd.DataFrame, random.Random], pd.DataFrame]


def _portal(sb: Sandbox) -> None:
    """Deal 0 with two contacts, deals 1 and 2 with one each, deal 3 with none; the other
    export's deals with one each."""
    sb.add_records("deals", DEALS + OTHERS)
    for deal, contact in [(0, 0), (0, 1), (1, 2), (2, 3)]:
        sb.associate("deals", DEALS[deal], "contacts", CONTACTS[contact], None)
    for n, deal in enumerate(OTHERS):
        sb.associate("deals", deal, "contacts", CONTACTS[10 + n], None)


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    mine = found[found["from_id"].astype(str).isin(DEALS + OTHERS)]
    return {(str(f), str(t)) for f, t in zip(mine["from_id"], mine["to_id"], strict=True)}


def _row(deal: str, contact: str) -> dict[str, str]:
    return {"from_type": "deals", "from_id": deal, "to_type": "contacts", "to_id": contact}


def _new(rng: random.Random) -> pd.DataFrame:
    """A row to add, as an analyst types it: a frame of its own (no attrs)."""
    return pd.DataFrame([_row(DEALS[3], rng.choice(CONTACTS[4:10]))])


# --- the edits: (export after its edits so far, the other export, rng) -> the frame ---------


def _concat(frame: pd.DataFrame, _: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    return pd.concat([frame, _new(rng)], ignore_index=rng.random() < 0.5)


def _concat_first(frame: pd.DataFrame, _: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    return pd.concat([_new(rng), frame], ignore_index=True)


def _two_exports(frame: pd.DataFrame, other: pd.DataFrame, _: random.Random) -> pd.DataFrame:
    return pd.concat([frame, other], ignore_index=True)


def _merge(frame: pd.DataFrame, _: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    notes = pd.DataFrame({"to_id": CONTACTS, "note": [f"n{k}" for k in range(len(CONTACTS))]})
    return frame.merge(notes, on="to_id", how="left")


def _rebuilt(frame: pd.DataFrame, _: pd.DataFrame, __: random.Random) -> pd.DataFrame:
    return pd.DataFrame(frame)


def _loc(frame: pd.DataFrame, _: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    edited = frame.copy()
    label = int(edited.index.max()) + 1 if len(edited) else 0
    edited.loc[label] = pd.Series(_row(DEALS[3], rng.choice(CONTACTS[4:10])))
    return edited


def _sort(frame: pd.DataFrame, _: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    return frame.sort_values(rng.choice(["to_id", "from_id"]), ascending=rng.random() < 0.5)


def _filter(frame: pd.DataFrame, _: pd.DataFrame, __: random.Random) -> pd.DataFrame:
    return frame[frame["from_id"] != "0"]


def _copy(frame: pd.DataFrame, _: pd.DataFrame, __: random.Random) -> pd.DataFrame:
    return frame.copy()


def _reset(frame: pd.DataFrame, _: pd.DataFrame, __: random.Random) -> pd.DataFrame:
    return frame.reset_index(drop=True)


def _split_joined(frame: pd.DataFrame, _: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    """Its own rows concatenated back: the attrs are the same, pandas keeps them."""
    cut = rng.randrange(len(frame) + 1)
    return pd.concat([frame.iloc[:cut], frame.iloc[cut:]])


EDITS: dict[str, Edit] = {
    "concat": _concat,
    "concat new first": _concat_first,
    "two exports": _two_exports,
    "merge": _merge,
    "pd.DataFrame": _rebuilt,
    ".loc": _loc,
    "sort": _sort,
    "filter": _filter,
    "copy": _copy,
    "reset_index": _reset,
    "own rows joined": _split_joined,
}
#: the edits docs/sync.md says keep the export's scope ("the usual edits")
KEEP = {".loc", "sort", "filter", "copy", "reset_index", "own rows joined"}


def _sync(frame: pd.DataFrame, client: hf.HubSpotClient) -> list[str]:
    """Sync with removals; the NoExportScope warnings said."""
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        hf.sync(frame, client, allow_removals=True, **KW)
    return [str(w.message) for w in said if issubclass(w.category, NoExportScope)]


def _expected(
    before: set[tuple[str, str]], frame: pd.DataFrame, warned: bool
) -> set[tuple[str, str]]:
    """The portal after the sync: the named records as the frame lists them; a record of the
    export it no longer names emptied when the scope was kept, kept as it was when warned; any
    other record as it was (no scope is made up)."""
    named = set(frame["from_id"].astype(str))
    listed = {(str(f), str(t)) for f, t in zip(frame["from_id"], frame["to_id"], strict=True)}
    untouched = {(f, t) for f, t in before if f not in named and (warned or f not in DEALS)}
    return listed | untouched


def _check(sb: Sandbox, frame: pd.DataFrame, *, deleted: str) -> bool:
    """Sync ``frame`` and check the portal against it; whether the scope was said lost."""
    client = client_for(sb)
    before = _links(sb)
    said = _sync(frame, client)
    warned = bool(said)
    assert len(said) <= 1, said
    assert _links(sb) == _expected(before, frame, warned), (said, frame.to_string())
    if warned:
        assert "pd.concat" in said[0] and "clear its to_id" in said[0], said
        assert any((deleted, t) in _links(sb) for t in CONTACTS), "said kept, not kept"
    return warned


@pytest.mark.parametrize("name", list(EDITS))
def test_each_edit_keeps_the_scope_or_says_it_is_lost(name: str) -> None:
    """Deal 2's one row deleted, then the edit: its association removed, or warned of."""
    rng = random.Random(name)
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        export = hf.read_associations(client, "deals", "contacts", DEALS, **KW)
        other = hf.read_associations(client, "deals", "contacts", OTHERS, **KW)
        edited = EDITS[name](export[export["from_id"] != DEALS[2]], other, rng)
        warned = _check(sb, edited, deleted=DEALS[2])
    assert warned == (name not in KEEP), name


@pytest.mark.parametrize("seed", seeds(10))
def test_chains_of_edits_never_narrow_the_scope_without_a_word(seed: int) -> None:
    """A few edits in a row from the list, one random record's rows deleted first."""
    rng = random.Random(seed)
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        export = hf.read_associations(client, "deals", "contacts", DEALS, **KW)
        other = hf.read_associations(client, "deals", "contacts", OTHERS, **KW)
        deleted = rng.choice(DEALS[:3])
        frame = export[export["from_id"] != deleted]
        chain = rng.choices(list(EDITS), k=rng.randint(1, 3))
        for name in chain:
            frame = EDITS[name](frame, other, rng)
        warned = _check(sb, frame, deleted=deleted)
    assert warned or set(chain) <= KEEP, chain


@pytest.mark.parametrize("how", ["dict rows", "literal"])
def test_a_frame_built_with_the_exports_columns_has_no_scope_made_up(how: str) -> None:
    """Warned as a frame with no scope; a record it never named keeps what it has."""
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        export = hf.read_associations(client, "deals", "contacts", DEALS, **KW)
        frame = export[export["from_id"] == DEALS[0]]
        if how == "dict rows":
            frame = pd.DataFrame(frame.to_dict("records"))
        else:
            frame = pd.DataFrame([_row(DEALS[0], CONTACTS[0])])
            frame["label"], frame["category"], frame["type_id"] = "", "", pd.NA
        before = _links(sb)
        said = _sync(frame, client)
        assert len(said) == 1 and "frame's rows list (1)" in said[0], said
        gone = {(DEALS[0], CONTACTS[1])} if how == "literal" else set()
        assert _links(sb) == before - gone


def test_without_removals_nothing_is_said() -> None:
    with Sandbox(seed="demo") as sb:
        _portal(sb)
        client = client_for(sb)
        export = hf.read_associations(client, "deals", "contacts", DEALS, **KW)
        joined = pd.concat([export, _new(random.Random(0))])
        with warnings.catch_warnings():
            warnings.simplefilter("error", NoExportScope)
            hf.sync(joined, client, **KW)
            hf.sync(joined, client, allow_removals=True, scope=DEALS, **KW)
