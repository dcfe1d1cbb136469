"""An undo takes back what it is given, and no label it is not given.

A run linked a deal and a contact with two labels.  ``undo(result.iloc[[0]])`` (the first
row only) removed the pair whole, with the label of the row the analyst kept; so did an undo
after someone added a label to the pair by hand.  A pair the run linked now goes whole only
when it holds no label the undo does not take back; otherwise the row's own label goes
alone, and a row of the plain link is left in place, naming the labels that keep it.  Rows
of two labels whose pair goes whole are one removal: the second repeats the first, and says so
(it said "same records and association type").
"""

from __future__ import annotations

import pandas as pd
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

LABELS = ["", "Champion", "Decision maker", "Budget holder"]
DEAL, CONTACT = str(demo_ids("deals")[7]), str(demo_ids("contacts")[70])


def _held(sb: Sandbox) -> tuple[bool, set[str]]:
    """Whether the pair is linked, and its labels."""
    links = sb.associations("deals", "contacts")
    mine = links[(links["from_id"].astype(str) == DEAL) & (links["to_id"].astype(str) == CONTACT)]
    types = sb.labels("deals", "contacts")
    names = dict(zip(types["type_id"], types["label"], strict=True))
    labels = {str(names[t]) for t in mine["type_id"].astype(int) if pd.notna(names.get(t))}
    return len(mine) > 0, labels


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    labels=st.lists(st.sampled_from(LABELS), min_size=1, max_size=4, unique=True),
    version=st.sampled_from(["2026-03", "v4"]),
)
def test_an_undo_removes_no_label_it_is_not_given(
    data: st.DataObject, labels: list[str], version: str
) -> None:
    undone = data.draw(st.sets(st.sampled_from(range(len(labels))), min_size=1), "undone")
    spare = [lab for lab in LABELS[1:] if lab not in labels]
    extra = data.draw(st.sampled_from([None, *spare]), "extra")
    sheet = pd.DataFrame(
        {"Deal ID": DEAL, "Contact ID": CONTACT, "Association label": labels}, dtype=object
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, api_version=version)
        result = hf.associate(sheet, client, record_existing=True, progress=False)
        assert set(result["status"]) == {"success"}
        if extra is not None:  # a label added by hand after the run
            sb.associate("deals", DEAL, "contacts", CONTACT, sb.type_id("deals", "contacts", extra))
        taken = result.iloc[sorted(undone)]
        report = hf.undo(taken, client, progress=False)
        linked, held = _held(sb)
    kept = {lab for n, lab in enumerate(labels) if lab and n not in undone}
    remaining = kept | ({extra} if extra else set())
    assert held == remaining, (labels, undone, extra, report)
    assert linked == bool(remaining)
    for n, status, message in zip(
        sorted(undone), report["status"], report["error_message"], strict=True
    ):
        if labels[n] or not remaining:
            # its label alone, or the pair whole (once: another row's removal of it repeats)
            assert status in ("success", "duplicate"), (n, message)
            # rows of two labels repeat one whole removal: not "the same association type"
            assert status != "duplicate" or "whole association" in message, message
        else:  # the plain link, kept for the labels the undo was not given
            assert status == "skipped" and message.startswith("Left in place"), message
            assert all(f'"{lab}"' in message for lab in remaining)


def test_two_labels_of_a_pair_removed_whole_are_one_removal_said_so() -> None:
    sheet = pd.DataFrame(
        {"Deal ID": DEAL, "Contact ID": CONTACT, "Association label": ["Champion", "Budget holder"]}
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = hf.associate(sheet, client, record_existing=True, progress=False)
        report = hf.undo(result, client, progress=False)
        assert _held(sb) == (False, set())
    assert report["status"].tolist() == ["success", "duplicate"]
    message = str(report["error_message"].iloc[1])
    assert "Repeats row 2" in message and "whole association" in message, message
