"""The labels job never creates a label the portal has already, however the sheet spells it.

A Hypothesis property: a sheet of labels drawn as an analyst's copies spell them -- case,
spaces, combining marks, zero-width characters, repeats -- is set up twice against a fresh
portal.  After the first run every label the sheet means exists exactly once, spelled with the
characters its first cell shows; the second run creates nothing.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.run.labels import normalize_label
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

WORDS = ["Buyer", "Käufer", "Décideur", "Key contact", "Réviseur final"]


@st.composite
def _spelling(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(WORDS))
    letters = [c.upper() if draw(st.booleans()) else c for c in word]
    text = "".join(letters).replace(" ", draw(st.sampled_from([" ", "  ", "\u00a0"])))
    text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)
    if draw(st.booleans()):  # a character that shows nothing, somewhere inside
        at = draw(st.integers(1, len(text) - 1))
        mark = draw(st.sampled_from(["\u200b", "\u00ad", "\u2060", "\ufeff"]))
        text = text[:at] + mark + text[at:]
    return draw(st.sampled_from(["", " "])) + text


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(_spelling(), min_size=1, max_size=6))
def test_each_label_is_created_once_whatever_the_spelling(cells: list[str]) -> None:
    with Sandbox(seed=None) as sb:
        sb.start()
        client = client_for(sb)
        sheet = pd.DataFrame({"From Type": "deals", "To Type": "contacts", "Label": cells})
        first = hf.configure_labels(sheet, client)
        names = [d.get("label") for d in client.list_labels("deals", "contacts")]
        made = [n for n in names if n]
        meant = {normalize_label(c) for c in cells}
        assert sorted(normalize_label(n) for n in made) == sorted(meant), (cells, made)
        assert all(n == unicodedata.normalize("NFC", n) and n.isprintable() for n in made)
        assert not any(ch in n for n in made for ch in "\u200b\u00ad\u2060\ufeff")
        assert (first["change"] == "create").sum() == len(meant)
        again = hf.configure_labels(sheet, client)
        assert set(again["change"]) == {"exists"}, again[["label", "change"]]
