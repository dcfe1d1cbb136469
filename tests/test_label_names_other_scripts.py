"""New labels of other scripts get internal names HubSpot has not given yet.

HubSpot names a label once per object pair; hubframe makes a new label's name from its text
(letters, digits and underscores), so every Cyrillic, Greek, Persian or Chinese label is named
``label``, the next ``label_2``...  HubSpot does not list names: a run guesses the names the
pair's labels hold from their text.  It counted each guess once, so with two such labels in
the portal the third was given ``label_2``, which HubSpot refused ("An association label named
'label_2' already exists"): the row failed, and every later label of that script with it.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

import hubframe as hf
from hubframe.jobs.labels import names_given
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from tests.fuzzseeds import seeds

WORDS = [
    "Решение",
    "Куратор",
    "Συνεργάτης",
    "\u062a\u0635\u0645\u06cc\u0645\u200c\u06af\u06cc\u0631\u0646\u062f\u0647",
    "決定者",
    "担当者",
    "Décideur",
    "Dècideur",
    "\U0001f469\u200d\U0001f4bb",
    "Spender",
    "मालिक",
]


def test_names_given_counts_every_label_so_named() -> None:
    assert names_given(["Решение", "Куратор", "決定者"]) == {"label", "label_2", "label_3"}
    assert names_given(["Décideur", "Dècideur", "Spender"]) == {"d_cideur", "d_cideur_2", "spender"}


@pytest.mark.parametrize("seed", seeds(4))
def test_labels_made_over_several_runs_are_all_created(seed: int) -> None:
    rng = random.Random(seed)
    words = rng.sample(WORDS, 7)
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        done: list[str] = []
        while len(done) < len(words):
            batch = words[len(done) : len(done) + rng.randint(1, 3)]
            sheet = pd.DataFrame(
                {"From type": "deals", "To type": "companies", "Label": batch}, dtype=object
            )
            planned = hf.configure_labels(sheet, client, dry_run=True)
            assert planned["status"].tolist() == ["planned"] * len(batch), planned
            made = hf.configure_labels(sheet, client)
            assert made["status"].tolist() == ["success"] * len(batch), made["error_message"]
            assert made["change"].tolist() == ["create"] * len(batch)
            done += batch
        held = set(sb.labels("deals", "companies")["label"].dropna())
        assert set(words) <= held
