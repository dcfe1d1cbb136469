"""Rows that mean one association type and ask for different things: none of them is sent.

A label can be written many ways that HubSpot reads as one (``Champion``, ``champion ``,
``CHAMPION``, ``Cham\\u200bpion``) or by its type id.  Two rows meaning one label must be
caught as one, whichever way each is written: rows asking for different limits are all
``CONFLICTING_ROWS`` and the portal's limit stays as it was (sending the first would choose one
of the analyst's two instructions without a word); rows asking for the same thing are sent once.
A Hypothesis property draws such sheets and runs them against a sandbox.
"""

from __future__ import annotations

import random
from typing import NamedTuple

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

LABELS = ["Champion", "Decision maker"]
ASKS = ["2", "3", "remove"]


@st.composite
def _row(draw: st.DrawFn) -> tuple[str, str, str]:
    """(the label meant, how the row names it -- 'label:<text>' or 'type id' --, the limit)."""
    label = draw(st.sampled_from(LABELS))
    if draw(st.integers(0, 3)) == 0:
        return label, "type id", draw(st.sampled_from(ASKS))
    letters = [c.upper() if draw(st.booleans()) else c for c in label]
    text = "".join(letters).replace(" ", draw(st.sampled_from([" ", "  ", "\u00a0"])))
    if draw(st.booleans()):
        at = draw(st.integers(1, len(text) - 1))
        text = text[:at] + draw(st.sampled_from(["\u200b", "\u00ad"])) + text[at:]
    text = draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "]))
    return label, f"label:{text}", draw(st.sampled_from(ASKS))


def _limits(sb: Sandbox) -> dict[int, int]:
    table = sb.limits("deals", "contacts")
    return {
        int(t): int(m) for t, m in zip(table["type_id"], table["max_to_object_ids"], strict=True)
    }


def _sheet(sb: Sandbox, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From object": "Deals",
            "To object": "Contacts",
            "Label": [how[6:] if how.startswith("label:") else "" for _, how, _ in rows],
            "Type ID": [
                str(sb.type_id("deals", "contacts", label)) if how == "type id" else ""
                for label, how, _ in rows
            ],
            "Max associations": [ask for _, _, ask in rows],
        }
    )


class _Meant(NamedTuple):
    """A label's limit before and after a run, and the rows of the sheet meaning the label."""

    before: int | None
    after: int | None
    rows: list[int]


def _configured(rows: list[tuple[str, str, str]]) -> tuple[pd.DataFrame, dict[str, _Meant]]:
    """The limits run of ``rows`` on a demo portal, and what became of each label's limit."""
    with Sandbox(seed="demo") as sb:
        before = _limits(sb)
        result = hf.configure_limits(
            hf.read_limits(_sheet(sb, rows)), client_for(sb), progress=False
        )
        after = _limits(sb)
        ids = {label: sb.type_id("deals", "contacts", label) for label in LABELS}
    meant = {
        label: _Meant(
            before.get(type_id),
            after.get(type_id),
            [n for n, (m, _, _) in enumerate(rows) if m == label],
        )
        for label, type_id in ids.items()
    }
    return result, meant


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_row(), min_size=1, max_size=6))
def test_rows_meaning_one_label_are_one_whatever_the_spelling(
    rows: list[tuple[str, str, str]],
) -> None:
    result, meant = _configured(rows)
    for label, (before, after, mine) in meant.items():
        asks = {rows[n][2] for n in mine}
        statuses = result["status"].iloc[mine].tolist()
        if len(asks) > 1:  # a conflict: every row held back, the portal untouched
            assert statuses == ["invalid"] * len(mine), (label, rows, statuses)
            assert set(result["error_code"].iloc[mine]) == {"CONFLICTING_ROWS"}
            assert after == before
        elif mine:  # one instruction, sent at most once (a removal of no limit: none)
            assert set(statuses[1:]) <= {"duplicate", "skipped"}, (label, rows, statuses)
            assert statuses[0] in {"success", "skipped"}, (label, rows, statuses)
            assert statuses.count("success") <= 1, (label, rows, statuses)
            ask = asks.pop()
            assert after == (None if ask == "remove" else int(ask))


def test_a_label_and_its_type_id_asking_for_different_limits_send_nothing() -> None:
    with Sandbox(seed="demo") as sb:
        before = _limits(sb)
        sb.reset_request_log()
        rows = [("Champion", "label:Champion", "2"), ("Champion", "type id", "7")]
        result = hf.configure_limits(
            hf.read_limits(_sheet(sb, rows)), client_for(sb), progress=False
        )
        assert result["status"].tolist() == ["invalid", "invalid"]
        said = result["error_message"].tolist()
        assert "row 3" in said[0] and "row 2" in said[1] and "neither is sent" in said[0]
        log = sb.request_log()
        assert log[log["method"] != "GET"].empty
        assert _limits(sb) == before


def test_labels_the_portal_tells_apart_by_case_are_not_one() -> None:
    """A portal may hold 'Champion' and 'champion' as two labels: each row's exact spelling names
    its own, and two limits for them are no conflict."""
    with Sandbox(seed="demo") as sb:
        lower = sb.add_label("deals", "contacts", "champion")
        rows = [("Champion", "label:Champion", "2"), ("champion", "label:champion", "7")]
        result = hf.configure_limits(
            hf.read_limits(_sheet(sb, rows)), client_for(sb), progress=False
        )
        assert result["status"].tolist() == ["success", "success"]
        assert _limits(sb)[sb.type_id("deals", "contacts", "Champion")] == 2
        assert _limits(sb)[lower] == 7


def test_a_repeat_of_a_row_not_sent_does_not_say_it_was_sent() -> None:
    """A repeat follows its first row; when that row is invalid or failed, the repeat's message
    must not say the pair was sent (it said "it is sent once")."""
    deal, contact = str(demo_ids("deals")[0]), str(demo_ids("contacts")[0])
    sheet = pd.DataFrame(
        {
            "Deal ID": [deal, deal, "99999", "99999", deal, deal],
            "Contact ID": [contact] * 6,
            "Association label": ["Champoin", "Champoin", "", "", "champion", "Champion"],
        }
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(hf.read_pairs(sheet), client_for(sb), progress=False)
    statuses = result["status"].tolist()
    assert statuses == ["invalid", "duplicate", "failed", "duplicate", "success", "duplicate"]
    for n, first in ((1, 2), (3, 4), (5, 6)):  # (result row, sheet row of its first)
        said = result["error_message"].iloc[n]
        assert f"row {first}" in said and "not sent again" in said, said
        assert "sent once" not in said


@given(asks=st.dictionaries(st.integers(0, 50), st.one_of(st.none(), st.integers(0, 3))))
def test_differing_names_a_row_asking_something_else_for_every_row_of_a_conflict(
    asks: dict[int, int | None],
) -> None:
    from hubframe.run.rows import differing

    found = differing(asks)
    if len({a for a in asks.values() if a is not None}) < 2:
        assert found == {}
        return
    assert set(found) == set(asks)
    for pos, other in found.items():
        assert asks[other] is not None and asks[other] != asks[pos]
        earlier = [p for p in asks if p != other and asks[p] is not None and asks[p] != asks[pos]]
        assert all(list(asks).index(other) < list(asks).index(p) for p in earlier)  # the first


BAD_ASKS = ["1,000", "2.5", "zwei", "0", "10001", "5 max"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(_row(), min_size=1, max_size=5),
    bad=st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(BAD_ASKS)), max_size=2),
    at=st.randoms(use_true_random=False),
)
def test_a_limit_not_read_holds_back_every_row_of_its_label(
    rows: list[tuple[str, str, str]], bad: list[tuple[str, str]], at: random.Random
) -> None:
    """A row whose limit is not read (``1,000``: 1000 meant?) beside rows of the same label
    asking a limit: the readable rows were sent, as if the sheet asked them alone (the limit 5
    set where the analyst may have meant 1,000).  Every row of that label is held back: the
    unread one BAD_LIMIT, the others CONFLICTING_ROWS naming it; the portal's limit stays."""
    for label, ask in bad:
        rows.insert(at.randint(0, len(rows)), (label, f"label:{label}", ask))
    result, meant = _configured(rows)
    for label, (before, after, mine) in meant.items():
        if not any(rows[n][2] in BAD_ASKS for n in mine):
            continue
        statuses = result["status"].iloc[mine].tolist()
        assert statuses == ["invalid"] * len(mine), (label, rows, statuses)
        for n in mine:
            want = "BAD_LIMIT" if rows[n][2] in BAD_ASKS else "CONFLICTING_ROWS"
            assert result["error_code"].iloc[n] == want, (label, rows, n)
        assert after == before, (label, rows)
