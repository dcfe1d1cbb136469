"""The pure diff of a sync (hubframe.run.diff): what makes the portal equal a sheet.

The property test applies the diff the way HubSpot applies the calls a sync sends (a label
create also creates the pair's unlabeled type; a pair's archive takes every type; a labels
archive one type) and checks the portal then equals the sheet for every record in scope, and
is unchanged for the others.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.run.diff import Change, Diff, Removal, Wanted, diff

U = 3  # the unlabeled type
DM, CH, PRIMARY = 1001, 1003, 5
Portal = dict[str, dict[str, frozenset[int]]]


def _portal() -> Portal:
    return {
        "1": {"10": frozenset({U, DM}), "11": frozenset({U})},
        "2": {"10": frozenset({U, CH, DM})},
        "9": {"10": frozenset({U})},  # not in scope
    }


def test_rows_are_kept_or_added_and_say_what_the_pair_held() -> None:
    rows = [
        Wanted(0, "1", "10", DM),  # there
        Wanted(1, "1", "11", None),  # the link is there
        Wanted(2, "1", "11", CH),  # the pair is linked, the label is not
        Wanted(3, "1", "12", None),  # a new pair
        Wanted(4, "1", "10", U),  # the unlabeled type by id: the link
    ]
    found = diff(rows, _portal(), ["1"], unlabeled=U)
    assert [found.rows[p].change for p in range(5)] == [
        Change.KEEP, Change.KEEP, Change.ADD, Change.ADD, Change.KEEP,
    ]  # fmt: skip
    assert [found.rows[p].linked_before for p in range(5)] == [True, True, True, False, True]
    assert found.removals == []  # the sheet has every entry of record 1
    assert found.scope_entries == 3  # 1-10 link and label, 1-11 link


def test_a_label_the_sheet_lacks_goes_alone_and_a_pair_it_lacks_goes_whole() -> None:
    rows = [Wanted(0, "1", "10", None), Wanted(1, "2", "11", None)]
    found = diff(rows, _portal(), ["1", "2"], unlabeled=U)
    assert found.removals == [
        Removal("1", "10", DM, link=False),  # the pair stays: only its label goes
        Removal("1", "11", U, link=True),  # not in the sheet at all
        Removal("2", "10", DM, link=False, with_pair=True),
        Removal("2", "10", CH, link=False, with_pair=True),
        Removal("2", "10", U, link=True),
    ]
    assert found.counts() == {Change.ADD: 1, Change.KEEP: 1, Change.REMOVE: 5}
    assert all(r.from_id != "9" for r in found.removals)  # out of scope: untouched


def test_primary_types_and_the_pairs_holding_them_are_held() -> None:
    portal: Portal = {"1": {"10": frozenset({U, PRIMARY, CH}), "11": frozenset({U, PRIMARY})}}
    found = diff([Wanted(0, "1", "11", None)], portal, ["1"], unlabeled=U, protected={PRIMARY})
    assert found.removals == [
        Removal("1", "10", PRIMARY, link=False, held=True),
        Removal("1", "10", CH, link=False),  # the pair stays, so its other label goes alone
        Removal("1", "10", U, link=True, held=True),
        Removal("1", "11", PRIMARY, link=False, held=True),
    ]
    assert found.counts()[Change.REMOVE] == 1
    unprotected = diff([Wanted(0, "1", "11", None)], portal, ["1"], unlabeled=U)
    assert sum(not r.held for r in unprotected.removals) == 4


def test_an_empty_sheet_and_an_empty_portal() -> None:
    assert diff([], {}, [], unlabeled=U).counts() == dict.fromkeys(Change, 0)
    everything = diff([], _portal(), ["1"], unlabeled=U)
    assert [r.link for r in everything.removals] == [False, True, True]
    added = diff([Wanted(7, "5", "10", CH)], {}, ["5"], unlabeled=None)
    assert added.rows[7].change is Change.ADD and not added.rows[7].linked_before


# --- the diff applied: the portal equals the sheet --------------------------------------------

IDS_FROM = st.sampled_from(["1", "2", "3"])
IDS_TO = st.sampled_from(["10", "11", "12", "13"])
TYPES = st.sampled_from([None, U, DM, CH])
PAIRS = st.dictionaries(
    st.tuples(IDS_FROM, IDS_TO), st.frozensets(st.sampled_from([DM, CH]), max_size=2), max_size=8
)


def _apply(portal: Portal, rows: list[Wanted], found: Diff) -> Portal:
    """What HubSpot holds once the sync's calls are applied."""
    out = {f: dict(targets) for f, targets in portal.items()}
    for removal in found.removals:
        if removal.held or removal.with_pair:
            continue
        targets = out.get(removal.from_id, {})
        if removal.link:
            targets.pop(removal.to_id, None)
        else:
            targets[removal.to_id] = targets[removal.to_id] - {removal.type_id}
    for row in rows:
        if found.rows[row.position].change is Change.ADD:
            types = out.setdefault(row.from_id, {}).get(row.to_id, frozenset())
            wanted = {U} if row.type_id in (None, U) else {U, row.type_id}
            out[row.from_id][row.to_id] = types | wanted
    return {f: t for f, t in out.items() if t}


@settings(max_examples=300, deadline=None)
@given(PAIRS, st.lists(st.tuples(IDS_FROM, IDS_TO, TYPES), max_size=10))
def test_applying_the_diff_makes_the_portal_equal_the_sheet(
    links: dict[tuple[str, str], frozenset[int]], sheet: list[tuple[str, str, int | None]]
) -> None:
    portal: Portal = {}
    for (f, t), labels in links.items():
        portal.setdefault(f, {})[t] = labels | {U}
    rows = [Wanted(n, f, t, type_id) for n, (f, t, type_id) in enumerate(sheet)]
    scope = list(dict.fromkeys(f for f, _, _ in sheet))
    found = diff(rows, portal, scope, unlabeled=U)
    after = _apply(portal, rows, found)
    for f in {*portal, *after, *scope}:
        if f not in scope:
            assert after.get(f) == portal.get(f)  # out of scope: untouched
            continue
        wanted: dict[str, set[int]] = {}
        for row in rows:
            if row.from_id == f:
                wanted.setdefault(row.to_id, {U}).update({row.type_id} - {None, U})
        assert after.get(f, {}) == {t: frozenset(v) for t, v in wanted.items()}
    assert found.counts()[Change.REMOVE] == len(found.removals)
