"""``limits --create-labels`` counts toward HubSpot's labels per pair only the labels it creates.

HubSpot holds at most ``MAX_LABELS_PER_PAIR`` labels of one's own per object pair.  Before: the
plan counted every new label the sheet names, also those none of whose rows is sent (a limit
above the object limit HubSpot holds), so a later label was refused ``TOO_MANY_LABELS`` ("there
are 10, 7 of them created by earlier rows") though none of those was created, and its limit row
``UNKNOWN_LABEL``.  Now the labels whose rows are not sent are left out of the count (the plan is
made again without them): the later label is created and its limit set, and the count a refusal
gives is the labels that are there or created.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import MAX_LABELS_PER_PAIR
from hubframe.jobs.limits import limits_after_labels
from hubframe.jobs.new_labels import create_new_labels, plan_new_labels
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

OWN = 3  # labels of one's own deals -> contacts in the demo portal (object limit 25)


def _run(sb: Sandbox, sheet: str, *, dry_run: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    client = client_for(sb)
    frame = hf.read_limits(io.BytesIO(sheet.encode()))
    new = plan_new_labels(frame, client)
    labels = create_new_labels(new, client, dry_run=dry_run)
    return labels, limits_after_labels(frame, client, new, dry_run=dry_run, progress=False)


def _own(sb: Sandbox) -> set[str]:
    listed = sb.labels("deals", "contacts")
    return set(listed.loc[listed["category"] == "USER_DEFINED", "label"].dropna())


@st.composite
def _orders(draw: st.DrawFn) -> list[bool]:
    """Per new label, whether its row is sent: some not sent (often more than the pair has
    room for), some sent, in any order."""
    over = draw(st.integers(0, MAX_LABELS_PER_PAIR))
    kept = draw(st.integers(1, MAX_LABELS_PER_PAIR - 1))
    return list(draw(st.permutations([False] * over + [True] * kept)))


@settings(max_examples=examples(8), deadline=None)
@given(order=_orders(), dry_run=st.booleans())
def test_labels_not_created_leave_room_for_those_created(order: list[bool], dry_run: bool) -> None:
    """``order``: per new label, whether its row is sent (a limit of 2) or not (30, above
    the object limit)."""
    names = [f"{'Kept' if sent else 'Over'} {n}" for n, sent in enumerate(order)]
    rows = [f"deals,contacts,{n},{2 if s else 30}" for n, s in zip(names, order, strict=True)]
    sheet = "From,To,Label,Max\n" + "\n".join(rows) + "\n"
    room = MAX_LABELS_PER_PAIR - OWN
    kept = [n for n, s in zip(names, order, strict=True) if s]
    made, refused = kept[:room], kept[room:]
    with Sandbox(seed="demo") as sb:
        before = _own(sb)
        labels, limits = _run(sb, sheet, dry_run=dry_run)
        assert _own(sb) - before == (set() if dry_run else set(made))
    line = {str(r["label"]): r for r in labels.to_dict("records")}
    done = "planned" if dry_run else "success"
    for name in made:
        assert line[name]["status"] == done, line[name]
    for name in refused:
        assert line[name]["error_code"] == "TOO_MANY_LABELS"
        assert f"there are {MAX_LABELS_PER_PAIR}," in str(line[name]["error_message"])
        assert f"{room} of them created by earlier rows" in str(line[name]["error_message"])
    for name in names:  # not created: no row sent, or (after the room is taken) no room
        if name.startswith("Over"):
            said = (line[name]["status"], line[name]["error_code"])
            assert said in {("skipped", None), ("invalid", "TOO_MANY_LABELS")}, said
    status = dict(zip(limits["label"], limits["status"], strict=True))
    assert [status[n] for n in made] == [done] * len(made)


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_hunt_case(dry_run: bool) -> None:
    rows = [f"deals,contacts,N{i},30" for i in range(1, 8)] + ["deals,contacts,Final,2"]
    sheet = "From,To,Label,Max\n" + "\n".join(rows) + "\n"
    with Sandbox(seed="demo") as sb:
        labels, limits = _run(sb, sheet, dry_run=dry_run)
    assert labels["label"].tolist() == [f"N{i}" for i in range(1, 8)] + ["Final"]
    assert labels["status"].tolist() == ["skipped"] * 7 + ["planned" if dry_run else "success"]
    assert limits["status"].tolist()[-1] == ("planned" if dry_run else "success")
