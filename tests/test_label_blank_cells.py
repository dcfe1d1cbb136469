"""A label cell made only of characters that show as a blank (the Braille pattern blank U+2800,
the musical null notehead U+1D159), perhaps with spaces and invisible characters around them,
is a label, never an empty cell.

Before: since labels were compared with such blanks as spaces, a cell of them alone was read as
empty, though HubSpot keeps a label so named (its trim leaves U+2800): remove_associations of a
row naming that label removed every association of the pair (the unlabeled link and the other
labels too), sync with allow_removals archived the very label the sheet listed, and associate
linked unlabeled and reported success.  Now such a cell is matched to the portal's labels: the
label matching it is used, several are AMBIGUOUS_LABEL, none UNKNOWN_LABEL -- never unlabeled.
A cell of spaces and characters that show nothing (a word joiner alone) is still empty."""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io.normalize import shows_nothing
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

CONTACT = "4000000401"
DEALS = [str(3_000_000_301 + i) for i in range(8)]
UNLABELED = 3

#: Characters that show as a blank (io/normalize's _BLANK): each a label's name HubSpot keeps.
BLANKS = ["\u2800", "\U0001d159"]
#: Characters that show nothing (a sample of io/normalize's _INVISIBLE) and spaces.
INVISIBLES = ["\u00ad", "\u034f", "\u200b", "\u200d", "\u2060", "\ufe0f", "\ufeff", "\u3164"]
SPACES = [" ", "\u00a0", "\u3000"]
#: The blank labels a portal holds (several match each other as labels are compared).
PORTALS: list[tuple[str, ...]] = [(), ("\u2800",), ("\U0001d159",), ("\u2800\u2800",)]
PORTALS += [("\u2800", "\U0001d159")]


def blank_cell(rng: random.Random) -> str:
    """A cell of at least one blank, with spaces and invisible characters mixed in."""
    chars = [rng.choice(BLANKS)]
    chars += rng.choices(BLANKS + INVISIBLES + SPACES, k=rng.randint(0, 4))
    rng.shuffle(chars)
    return "".join(chars)


def cells(seed: int, n: int = len(DEALS)) -> list[str]:
    rng = random.Random(seed)
    return [blank_cell(rng) for _ in range(n)]


def _frame(labels: Sequence[str]) -> pd.DataFrame:
    deals = DEALS[: len(labels)]
    label = pd.Series(list(labels), dtype=object)
    return pd.DataFrame({"from_id": deals, "to_id": CONTACT, "label": label})


def _pairs(labels: Sequence[str]) -> pd.DataFrame:
    return hf.read_pairs(_frame(labels), from_type="deals", to_type="contacts")


def _held(sb: Sandbox) -> dict[str, set[int]]:
    links = sb.associations("deals", "contacts")
    out: dict[str, set[int]] = {d: set() for d in DEALS}
    for from_id, type_id in zip(links["from_id"].astype(str), links["type_id"], strict=True):
        out.setdefault(from_id, set()).add(int(type_id))
    return out


def _portal(make: Callable[..., Sandbox], names: tuple[str, ...]) -> tuple[Sandbox, list[int]]:
    sb = make(seed="demo")
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", [CONTACT])
    return sb, [sb.add_label("deals", "contacts", name) for name in names]


def _expected(ids: list[int]) -> tuple[str, int | None]:
    """What a blank cell reads as in a portal whose blank labels have ``ids``."""
    if not ids:
        return "UNKNOWN_LABEL", None
    return ("", ids[0]) if len(ids) == 1 else ("AMBIGUOUS_LABEL", None)


# --- the read ---------------------------------------------------------------------------------


def test_a_blank_cell_is_read_as_a_label_in_every_reader() -> None:
    labels = cells(1, 40) + BLANKS + [f" {b} " for b in BLANKS]
    assert not any(shows_nothing(cell) for cell in labels)
    frame = _frame(labels[: len(DEALS)])
    for source in (frame, io.StringIO(frame.to_csv(index=False))):
        read = hf.read_pairs(source, from_type="deals", to_type="contacts")
        assert read["label"].notna().all(), read["label"].tolist()
    many = pd.DataFrame({"from_id": "3000000301", "to_id": CONTACT, "label": labels})
    read = hf.read_pairs(many, from_type="deals", to_type="contacts")
    assert read["label"].notna().all()
    for blank in BLANKS:  # label= for every row
        read = hf.read_pairs(
            frame[["from_id", "to_id"]], from_type="deals", to_type="contacts", label=blank
        )
        assert read["label"].tolist() == [blank] * len(frame)
    limits = pd.DataFrame({"label": labels, "max_to_object_ids": "2"})
    read = hf.read_limits(limits, from_type="deals", to_type="contacts")
    assert read["label"].notna().all(), read["label"].tolist()


def test_a_listed_blank_part_is_a_label() -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": [DEALS[0]],
            "Contact ID": [CONTACT],
            "Labels (;-separated)": ["Champion;\u2800"],
        }
    )
    read = hf.read_pairs(frame)
    assert read["label"].tolist() == ["Champion", "\u2800"]


def test_a_cell_that_shows_nothing_is_still_empty() -> None:
    for cell in ("\u2060", " \u200b ", "\ufe0f\u3164", "\u00a0"):
        assert shows_nothing(cell)
        assert _pairs([cell])["label"].isna().all(), cell


# --- against the portal -----------------------------------------------------------------------


@pytest.mark.parametrize("names", PORTALS)
def test_associate_uses_the_blank_label_or_refuses(
    sandbox_factory: Callable[..., Sandbox], names: tuple[str, ...]
) -> None:
    sb, ids = _portal(sandbox_factory, names)
    code, wanted = _expected(ids)
    labels = cells(len(names) * 7 + 3)
    result = hf.associate(_pairs(labels), client_for(sb), progress=False, preflight=False)
    held = _held(sb)
    for i, (cell, deal) in enumerate(zip(labels, DEALS, strict=True)):
        row = result.iloc[i]
        if wanted is None:
            assert row["status"] == "invalid" and row["error_code"] == code, (cell, row)
            assert held[deal] == set(), (cell, held[deal])
        else:
            assert row["status"] == "success" and row["type_id"] == wanted, (cell, row)
            assert wanted in held[deal], (cell, held[deal])
    client = client_for(sb)  # label= for every row, the same
    frame = _frame(labels)[["from_id", "to_id"]]
    pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts", label=labels[0])
    result = hf.associate(pairs, client, progress=False, preflight=False)
    if wanted is None:
        assert set(result["error_code"]) == {code}, result
    else:
        assert set(result["type_id"]) == {wanted}, result


@pytest.mark.parametrize("names", PORTALS)
def test_remove_takes_off_the_blank_label_only_or_refuses(
    sandbox_factory: Callable[..., Sandbox], names: tuple[str, ...]
) -> None:
    sb, ids = _portal(sandbox_factory, names)
    client = client_for(sb)
    keep = sb.type_id("deals", "contacts", "Decision maker")
    held_ids = [str(t) for t in [keep, *ids]]
    setup = pd.DataFrame(
        [{"from_id": d, "to_id": CONTACT, "type_id": t} for d in DEALS for t in held_ids]
    )
    hf.associate(
        hf.read_pairs(setup, from_type="deals", to_type="contacts"),
        client,
        progress=False,
        preflight=False,
    )
    before = _held(sb)
    assert all(before[d] >= {UNLABELED, keep, *ids} for d in DEALS), before
    code, wanted = _expected(ids)
    labels = cells(len(names) * 11 + 5)
    result = hf.remove_associations(_pairs(labels), client, progress=False)
    after = _held(sb)
    for i, (cell, deal) in enumerate(zip(labels, DEALS, strict=True)):
        row = result.iloc[i]
        if wanted is None:
            assert row["status"] == "invalid" and row["error_code"] == code, (cell, row)
            assert after[deal] == before[deal], (cell, after[deal])
        else:
            assert row["status"] == "success", (cell, row)
            assert after[deal] == before[deal] - {wanted}, (cell, before[deal], after[deal])


@pytest.mark.parametrize("names", PORTALS)
def test_sync_keeps_the_blank_label_listed_or_refuses(
    sandbox_factory: Callable[..., Sandbox], names: tuple[str, ...]
) -> None:
    sb, ids = _portal(sandbox_factory, names)
    client = client_for(sb)
    setup = pd.DataFrame(
        [{"from_id": d, "to_id": CONTACT, "type_id": str(t)} for d in DEALS for t in ids]
    )
    if len(setup):
        hf.associate(
            hf.read_pairs(setup, from_type="deals", to_type="contacts"),
            client,
            progress=False,
            preflight=False,
        )
    before = _held(sb)
    code, wanted = _expected(ids)
    labels = cells(len(names) * 13 + 1)
    result = hf.sync(_pairs(labels), client, progress=False, allow_removals=True)
    after = _held(sb)
    for cell, deal in zip(labels, DEALS, strict=True):
        rows = result[result["from_id"].astype(str) == deal]
        if wanted is None:
            assert code in set(rows["error_code"]), (cell, rows.to_dict("records"))
            assert after[deal] == before[deal], (cell, before[deal], after[deal])
        else:
            assert not rows["error_code"].isin(["UNKNOWN_LABEL", "AMBIGUOUS_LABEL"]).any()
            assert wanted in after[deal] and after[deal] == before[deal], (cell, after[deal])
