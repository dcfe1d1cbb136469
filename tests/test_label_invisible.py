"""Labels that differ from another only by characters that show nothing are that label.

Before, only Unicode's format characters (category Cf: zero-width space, joiners...) were
ignored; the other default-ignorable code points were kept: "Champion\\ufe0f" (a variation
selector), "Champion\\u034f" (the combining grapheme joiner), "Cham\\u180bpion" (a Mongolian
free variation selector) were created beside "Champion" as new labels no sheet could tell
apart, and a pairs cell holding one was UNKNOWN_LABEL.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io.labels import read_labels
from hubframe.io.normalize import normalize_label
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

#: Default-ignorable code points that are not format characters, and some that are.
IGNORABLE = [
    "\ufe0f", "\ufe00", "\U000e0100", "\u034f", "\u180b", "\u180c", "\u180d", "\u180f",
    "\u115f", "\u3164", "\uffa0", "\u17b4", "\u200b", "\u2060", "\ufeff", "\u00ad",
]  # fmt: skip
DEAL, CONTACT = str(demo_ids("deals")[0]), str(demo_ids("contacts")[3])


@st.composite
def spelled(draw: st.DrawFn, label: str = "Champion") -> str:
    out = list(label)
    for _ in range(draw(st.integers(1, 3))):
        out.insert(draw(st.integers(0, len(out))), draw(st.sampled_from(IGNORABLE)))
    return "".join(out)


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


@settings(max_examples=examples(40), deadline=None)
@given(text=spelled())
def test_an_ignorable_character_anywhere_compares_as_nothing(text: str) -> None:
    assert normalize_label(text) == normalize_label("Champion")


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=spelled())
def test_such_a_label_is_the_existing_one_in_every_job(portal: Sandbox, text: str) -> None:
    client = client_for(portal)
    before = portal.labels("deals", "contacts")
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT], "Label": [text]})
    pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
    made = hf.configure_labels(pairs, client, dry_run=False)
    assert made["change"].tolist() == ["exists"], made[["label", "change", "status"]]
    assert portal.labels("deals", "contacts").equals(before)
    linked = hf.associate(pairs, client, dry_run=True, progress=False)
    assert linked["status"].tolist() == ["planned"], linked[["status", "error_message"]]
    assert linked["type_id"].tolist() == [1003]


def test_a_new_emoji_label_keeps_its_presentation(portal: Sandbox) -> None:
    """Labels compare without variation selectors, but a new label is created as its cell
    shows it: an emoji's U+FE0F kept (dropped, "❤️ Fan" became the text-style "❤ Fan")."""
    sheet = pd.DataFrame({"From type": ["deals"], "To type": ["contacts"], "Label": ["❤️ Fan"]})
    made = hf.configure_labels(sheet, client_for(portal))
    assert made["change"].tolist() == ["create"], made
    assert "❤️ Fan" in set(portal.labels("deals", "contacts")["label"].dropna())
    again = pd.DataFrame({"From type": ["deals"], "To type": ["contacts"], "Label": ["❤ Fan"]})
    assert hf.configure_labels(again, client_for(portal))["change"].tolist() == ["exists"]


@st.composite
def nothing_shown(draw: st.DrawFn) -> str:
    """A cell of only characters that show nothing, with spaces maybe."""
    parts = draw(st.lists(st.sampled_from([*IGNORABLE, " ", "\u00a0"]), min_size=1, max_size=5))
    if all(p in " \u00a0" for p in parts):
        parts.append(draw(st.sampled_from(IGNORABLE)))
    return "".join(parts)


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cell=nothing_shown())
def test_a_label_cell_showing_nothing_is_empty_in_every_reader(portal: Sandbox, cell: str) -> None:
    """ "\\u2060" alone was the label "" (compared): configure_labels planned creating a label
    "", associate refused the row naming a label it could not show.  Empty is what the cell
    shows, so the row is unlabeled, as an empty cell."""
    client = client_for(portal)
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT], "Label": [cell]})
    pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
    assert pairs["label"].isna().all(), repr(pairs["label"].tolist())
    assert hf.configure_labels(pairs, client, dry_run=True).empty
    linked = hf.associate(pairs, client, dry_run=True, progress=False)
    assert linked["status"].tolist() == ["planned"], linked[["status", "error_message"]]
    listed = sheet.rename(columns={"Label": "Labels (; separated)"})
    listed["Labels (; separated)"] = f"Champion;{cell}"
    split = hf.read_pairs(listed, from_type="deals", to_type="contacts")
    assert split["label"].tolist() == ["Champion"]
    labels = pd.DataFrame(
        {
            "From type": ["deals"],
            "To type": ["contacts"],
            "Label": ["Gold"],
            "Inverse label": [cell],
        }
    )
    assert read_labels(labels)["inverse_label"].isna().all()
    with pytest.raises(hf.InputError, match="label= is empty"):
        hf.read_pairs(sheet, from_type="deals", to_type="contacts", label=cell)


@settings(max_examples=examples(30), deadline=None)
@given(text=spelled(), cell=nothing_shown())
def test_a_label_with_something_shown_is_kept_as_typed(text: str, cell: str) -> None:
    """Only cells that show nothing become empty: a label with hidden characters keeps them
    (they are compared away, and a new label drops only format characters)."""
    sheet = pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT], "Label": [text + cell]})
    read = hf.read_pairs(sheet, from_type="deals", to_type="contacts")["label"].tolist()
    assert read == [(text + cell).strip(" \u00a0\ufeff\u200b")]


#: Words whose zero-width non-joiner (U+200C) or joiner (U+200D) is part of their spelling.
JOINED = [
    "\u062a\u0635\u0645\u06cc\u0645\u200c\u06af\u06cc\u0631\u0646\u062f\u0647",  # Persian
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, a verb's prefix kept apart
    "\u0915\u094d\u200d\u0937",  # Devanagari, a half form
    "\U0001f469\u200d\U0001f4bb Tech lead",  # woman technologist: one emoji
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 Family",  # one emoji of three
]


@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(word=st.sampled_from(JOINED), hidden=st.sampled_from(["", "\u200b", "\u2060", "\u00ad"]))
def test_a_new_label_keeps_its_joiners(portal: Sandbox, word: str, hidden: str) -> None:
    """A new label drops what shows nothing (a zero-width space, a word joiner, a soft hyphen)
    but keeps U+200C and U+200D, which change how the word is written.  Before, they were
    dropped: HubSpot got a Persian word with its letters joined, two emoji for one, while the
    result said the label as typed.  Compared, the label with or without them is one label."""
    client = client_for(portal)
    cell = word + hidden
    sheet = pd.DataFrame({"From type": ["deals"], "To type": ["contacts"], "Label": [cell]})
    made = hf.configure_labels(sheet, client)  # created once, then found (the portal is shared)
    assert made["change"].tolist() in (["create"], ["exists"]), made
    assert made["status"].tolist() != ["failed"], made
    held = set(portal.labels("deals", "contacts")["label"].dropna())
    assert word in held, [ascii(h) for h in held if normalize_label(h) == normalize_label(word)]
    bare = word.replace("\u200c", "").replace("\u200d", "")
    assert bare not in held or bare == word
    pairs = hf.read_pairs(
        pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT], "Label": [bare]}),
        from_type="deals",
        to_type="contacts",
    )
    assert hf.configure_labels(pairs, client, dry_run=True)["change"].tolist() == ["exists"]
    linked = hf.associate(pairs, client, dry_run=True, progress=False)
    assert linked["status"].tolist() == ["planned"], linked[["status", "error_message"]]
