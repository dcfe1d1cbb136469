"""The labels job's dry run says what its real run does, and the result table what HubSpot
holds: over HTTP against the sandbox.

* Rows of one sheet meet what the rows before them do: a label an earlier row creates (or
  names as its inverse, or as itself both ways) is there for the later ones in the dry run as
  in the real run (before, the dry run planned it twice, or planned a rename or an inverse the
  real run refused);
* a label the portal has with another inverse label than the sheet's is not "there already"
  (``INVERSE_LABEL_DIFFERS``; by type id a rename of its inverse, only when asked);
* no rename's inverse label, and no unpaired label's reverse, reads as a label the reverse
  direction holds (``LABEL_WOULD_REPEAT``): HubSpot would list two labels of one name;
* a created label's type id is the one the labels read back show new under its name, whatever
  HubSpot's answer says;
* a property: random sheets against random portals, the dry run's plan equals the real run's
  outcome, and no direction ends with two labels that read the same.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs import configure_labels
from hubframe.run.labels import normalize_label
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

VERSIONS = ("2026-03", "2026-09", "v4")
OUTCOME = ["change", "status", "error_code"]


def _sheet(rows: list[tuple[str, str, str, str | None, int | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From type": [r[0] for r in rows],
            "To type": [r[1] for r in rows],
            "Label": [r[2] for r in rows],
            "Inverse label": [r[3] for r in rows],
            "Type ID": pd.array([r[4] for r in rows], dtype="Int64"),
        }
    )


def _planned_as_done(plan: pd.DataFrame) -> list[tuple[object, ...]]:
    said = plan[OUTCOME].astype(object).where(plan[OUTCOME].notna(), None)
    said["status"] = said["status"].replace("planned", "success")
    return [tuple(r) for r in said.itertuples(index=False)]


def _held(sb: Sandbox) -> dict[tuple[str, str], list[str]]:
    return {
        d: sorted(str(x) for x in sb.labels(*d)["label"].dropna())
        for d in (("deals", "contacts"), ("contacts", "deals"), ("companies", "companies"))
    }


def _no_two_alike(sb: Sandbox) -> None:
    for direction, names in _held(sb).items():
        folded = [normalize_label(n) for n in names]
        assert len(folded) == len(set(folded)), (direction, names)


# Each: the rows (from, to, label, inverse, type id: "CH" = Champion's), and the outcomes of
# both runs (change, status, code).
SAME_SHEET = {
    "an unpaired label then its reverse": (
        [("deals", "contacts", "Scout", None, None), ("contacts", "deals", "scout", None, None)],
        [("create", "success", None), ("exists", "skipped", "LABEL_EXISTS")],
    ),
    "a paired label then its inverse": (
        [
            ("deals", "contacts", "Buyer", "Bought by", None),
            ("contacts", "deals", "Bought by", "buyer", None),
        ],
        [("create", "success", None), ("exists", "skipped", "LABEL_EXISTS")],
    ),
    "a paired label then its inverse with another inverse": (
        [
            ("deals", "contacts", "Buyer", "Bought by", None),
            ("contacts", "deals", "Bought by", "Seller", None),
        ],
        # "Bought by" paired with "Buyer" by the first row and with "Seller" by the second: a
        # conflict, as two rows of one direction giving one label two inverses are (the first
        # row decided it, and the second was refused as differing from what the first made)
        [(None, "invalid", "CONFLICTING_ROWS"), (None, "invalid", "CONFLICTING_ROWS")],
    ),
    "an inverse label an earlier row creates": (
        [("deals", "contacts", "Scout", None, None), ("contacts", "deals", "Lead", "scout", None)],
        [("create", "success", None), ("create", "invalid", "LABEL_WOULD_REPEAT")],
    ),
    "a rename to a label an earlier row creates": (
        [
            ("deals", "contacts", "Sponsor", None, None),
            ("deals", "contacts", "sponsor", None, "CH"),
        ],
        [("create", "success", None), ("rename", "invalid", "LABEL_WOULD_REPEAT")],
    ),
    "a rename's inverse an earlier row creates": (
        [
            ("contacts", "deals", "Mentor", None, None),
            ("deals", "contacts", "Sponsor", "MENTOR", "CH"),
        ],
        [("create", "success", None), ("rename", "invalid", "LABEL_WOULD_REPEAT")],
    ),
    "a same-object label then the same": (
        [
            ("companies", "companies", "Parent", "Child", None),
            ("companies", "companies", "child", None, None),
        ],
        [("create", "success", None), ("exists", "skipped", "LABEL_EXISTS")],
    ),
    "two labels of one internal name": (  # d_cideur, then d_cideur_2
        [
            ("deals", "contacts", "Décideur", None, None),
            ("deals", "contacts", "Dècideur", None, None),
        ],
        [("create", "success", None), ("create", "success", None)],
    ),
    "a label named as one the other way": (  # contacts -> deals "Mentor" holds "mentor"
        [
            ("contacts", "deals", "Mentor", "Mentee", None),
            ("deals", "contacts", "mentor", "Guide", None),
        ],
        [("create", "success", None), ("create", "success", None)],
    ),
}


@pytest.mark.parametrize("case", list(SAME_SHEET))
@pytest.mark.parametrize("version", VERSIONS)
def test_rows_meet_what_the_rows_before_them_do(case: str, version: str) -> None:
    rows, expected = SAME_SHEET[case]
    with Sandbox(seed="demo") as sb:
        champion = sb.type_id("deals", "contacts", "Champion")
        sheet = _sheet([(*r[:4], champion if r[4] == "CH" else None) for r in rows])
        client = client_for(sb, version)
        before = _held(sb)
        plan = configure_labels(sheet, client, renames=True, dry_run=True)
        assert _held(sb) == before
        done = configure_labels(sheet, client, renames=True)
        assert _planned_as_done(plan) == _planned_as_done(done) == expected, (plan, done)
        _no_two_alike(sb)


def test_two_labels_the_sheet_gives_one_internal_name_are_not_both_sent() -> None:
    """HubSpot takes an internal name once per object pair: the dry run planned both, the real
    run's second create was refused."""
    sheet = pd.DataFrame(
        {
            "From type": ["deals", "contacts"],
            "To type": ["contacts", "deals"],
            "Label": ["Scout", "Lead"],
            "Name": ["scouting", "scouting"],
        }
    )
    with Sandbox(seed="demo") as sb:
        for dry_run in (True, False):
            result = configure_labels(sheet, client_for(sb), dry_run=dry_run)
            assert result["error_code"].tolist()[1] == "CONFLICTING_ROWS", result
            assert '"scouting" is the one row 2 gives' in result.loc[1, "error_message"]
        assert "Lead" not in _held(sb)[("contacts", "deals")]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_label_with_another_inverse_is_not_there_already(version: str) -> None:
    """HubSpot has "Buyer" / "Bought by"; the sheet asks "Buyer" / "Purchased by": it was
    reported there, skipped, and the inverse never looked at."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb, version)
        buyer = sb.add_label("deals", "contacts", "Buyer", "Bought by")
        by_name = _sheet([("deals", "contacts", "Buyer", "Purchased by", None)])
        by_id = _sheet([("deals", "contacts", "buyer", "Purchased by", buyer)])
        for dry_run in (True, False):
            result = configure_labels(by_name, client, renames=True, dry_run=dry_run)
            assert result[OUTCOME].values.tolist() == [
                ["exists", "invalid", "INVERSE_LABEL_DIFFERS"]
            ]
            assert result.loc[0, "type_id"] == buyer
            refused = configure_labels(by_id, client, dry_run=dry_run)
            assert refused.loc[0, "error_code"] == "RENAME_REFUSED"
        assert "Bought by" in _held(sb)[("contacts", "deals")]
        plan = configure_labels(by_id, client, renames=True, dry_run=True)
        assert plan[["change", "status"]].values.tolist() == [["rename", "planned"]]
        done = configure_labels(by_id, client, renames=True)
        assert done[["change", "status"]].values.tolist() == [["rename", "success"]], done
        back = _held(sb)[("contacts", "deals")]
        assert "Purchased by" in back and "Bought by" not in back
        assert "Buyer" in _held(sb)[("deals", "contacts")]  # the label kept its spelling
        again = configure_labels(by_name, client)
        assert again.loc[0, "error_code"] == "LABEL_EXISTS"


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    "row",
    [
        ("deals", "contacts", "Purchaser", "mentor", "BUYER"),  # a rename's new inverse
        ("deals", "contacts", "Mentor", None, None),  # an unpaired label's reverse
    ],
)
def test_no_inverse_or_reverse_label_repeats_one_the_reverse_direction_has(
    row: tuple[str, str, str, str | None, str | None], dry_run: bool
) -> None:
    """contacts -> deals has "Mentor" (a label of its own): renaming "Buyer" with the inverse
    label "mentor", or creating "Mentor" from deals to contacts without one (named so both
    ways), gave contacts -> deals two labels "Mentor" / "mentor"."""
    with Sandbox(seed="demo") as sb:
        buyer = sb.add_label("deals", "contacts", "Buyer", "Bought by")
        sb.add_label("contacts", "deals", "Mentor", "Mentored by")
        before = _held(sb)
        sheet = _sheet([(*row[:4], buyer if row[4] else None)])
        result = configure_labels(sheet, client_for(sb), renames=True, dry_run=dry_run)
        assert result.loc[0, "status"] == "invalid"
        assert result.loc[0, "error_code"] == "LABEL_WOULD_REPEAT", result
        assert '"Mentor" (type id' in result.loc[0, "error_message"]
        assert _held(sb) == before


@pytest.mark.parametrize("fake", ["another label", "the unlabeled type", "the reverse", "none"])
def test_a_created_label_takes_the_type_id_the_portal_shows(fake: str) -> None:
    """HubSpot's answer to a create names the label with a type id it does not hold so: the
    row took that id (an existing label's, the unlabeled type's, the reverse direction's), and
    a limit or association set by it later would land on another type."""
    with Sandbox(seed="demo") as sb:
        wrong = {
            "another label": sb.type_id("deals", "contacts", "Champion"),
            "the unlabeled type": sb.type_id("deals", "contacts"),
            "the reverse": sb.type_id("contacts", "deals", "Champion"),
            "none": 987_654,
        }[fake]
        body = {
            "results": [
                {"category": "USER_DEFINED", "typeId": wrong, "label": "Scout"},
                {"category": "USER_DEFINED", "typeId": wrong + 1, "label": "Scouted by"},
            ]
        }
        sheet = _sheet([("deals", "contacts", "Scout", "Scouted by", None)])
        with FaultProxy(sb, then="replace:" + json.dumps(body), cued=True) as proxy:
            client = HubSpotClient(token=sb.token, base_url=proxy.url, backoff_base=0.01)
            result = configure_labels(sheet, client)
        made = sb.type_id("deals", "contacts", "Scout")
    assert result.loc[0, "status"] == "success" and result.loc[0, "type_id"] == made != wrong
    assert f"gave type id {wrong}" in result.loc[0, "error_message"]


# --- the property -------------------------------------------------------------------------------

DIRECTIONS = [("deals", "contacts"), ("contacts", "deals"), ("companies", "companies")]
WORDS = ["Buyer", "Bought by", "Scout", "Mentor", "Parent", "Child"]


@st.composite
def _word(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(WORDS))
    return draw(st.sampled_from([word, word.lower(), word.upper(), f" {word}", word + "  "]))


@st.composite
def _case(draw: st.DrawFn) -> tuple[list[tuple[str, str, str, str | None]], list[tuple]]:
    portal = draw(
        st.lists(
            st.tuples(
                st.sampled_from(DIRECTIONS),
                st.sampled_from(WORDS),
                st.one_of(st.none(), st.sampled_from(WORDS)),
            ),
            max_size=3,
        )
    )
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(DIRECTIONS),
                _word(),
                st.one_of(st.none(), _word()),
                st.one_of(st.none(), st.integers(0, 5)),  # by type id: the n-th label there
            ),
            min_size=1,
            max_size=5,
        )
    )
    return portal, rows


@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=_case(), renames=st.booleans())
def test_the_dry_run_says_what_the_real_run_does(
    case: tuple[list[tuple], list[tuple]], renames: bool
) -> None:
    portal, rows = case
    with Sandbox(seed=None) as sb:
        sb.start()
        for (f, t), label, inverse in portal:
            held = {normalize_label(x) for x in _held(sb).get((f, t), [])}
            back = {normalize_label(x) for x in _held(sb).get((t, f), [])}
            if normalize_label(label) in held or (inverse or label).lower() in back:
                continue
            if f == t and inverse and normalize_label(inverse) in held | {label.lower()}:
                continue
            sb.add_label(f, t, label, inverse)
        before = _held(sb)
        alike_before = any(
            len({normalize_label(n) for n in names}) < len(names) for names in before.values()
        )
        sheet_rows = []
        for (f, t), label, inverse, nth in rows:
            ids = sb.labels(f, t).dropna(subset=["label"])["type_id"].tolist()
            type_id = ids[nth % len(ids)] if nth is not None and ids else None
            sheet_rows.append((f, t, label, inverse, type_id))
        sheet = _sheet(sheet_rows)
        client = client_for(sb)
        plan = configure_labels(sheet, client, renames=renames, dry_run=True)
        assert _held(sb) == before
        # The one thing a dry run cannot know: which label of the reverse direction an
        # existing label's inverse is (HubSpot's list does not say), so a renamed inverse's old
        # name is still there for the rows after it, and a label of one object to itself may
        # have none (its message says so).
        renamed_back = plan["error_message"].str.contains("its inverse now", na=False)
        if renamed_back.any():
            first = int(renamed_back.to_numpy().argmax())
            pair = {plan.loc[first, "from_type"], plan.loc[first, "to_type"]}
            later = plan.iloc[first + 1 :]
            assume(len(pair) == 2)
            assume(all({r.from_type, r.to_type} != pair for r in later.itertuples()))
        done = configure_labels(sheet, client, renames=renames)
        assert _planned_as_done(plan) == _planned_as_done(done), (sheet, plan, done)
        for pos in plan.index[plan["type_id"].notna()]:
            assert plan.loc[pos, "type_id"] == done.loc[pos, "type_id"]
        if not alike_before:
            _no_two_alike(sb)
        after = _held(sb)
        for row in done.itertuples():  # each label said done is there, under its type id
            if row.status != "success" or row.change != "create":
                continue
            listed = sb.labels(row.from_type, row.to_type)
            names = listed.loc[listed["type_id"] == row.type_id, "label"].tolist()
            assert [normalize_label(n) for n in names] == [normalize_label(row.label)], after
        if (done["status"] == "success").sum() == 0:
            assert after == before


# --- spellings the portal or the sheets already use ----------------------------------------------


def test_a_label_that_could_be_several_is_not_said_to_exist() -> None:
    """The portal holds "Owner" and "owner"; the sheet's "OWNER" was reported there with the
    first one's type id, a guess (a pairs sheet's row so written is refused as ambiguous)."""
    with Sandbox(seed="demo") as sb:
        sb.add_label("deals", "contacts", "Owner")
        sb.add_label("deals", "contacts", "owner")
        before = _held(sb)
        sheet = _sheet([("deals", "contacts", "OWNER", None, None)])
        for dry_run in (True, False):
            result = configure_labels(sheet, client_for(sb), dry_run=dry_run)
            assert result[["status", "error_code"]].values.tolist() == [
                ["invalid", "AMBIGUOUS_LABEL"]
            ]
            assert pd.isna(result.loc[0, "type_id"])
        assert _held(sb) == before


@pytest.mark.parametrize(
    "row",
    [
        ("deals", "contacts", "default", None, None),
        ("deals", "contacts", " Unlabeled ", None, None),
        ("deals", "contacts", "(No label)", None, None),
        ("deals", "contacts", "Scout", "default", None),
        ("deals", "contacts", "Unlabeled", None, "CH"),  # a rename
    ],
)
def test_no_label_is_named_as_sheets_write_the_plain_association(
    row: tuple[str, str, str, str | None, str | None],
) -> None:
    """A labels sheet's "default" or "Unlabeled" was created as a label: every pairs sheet
    row writing it for the plain association was then sent with that label instead."""
    with Sandbox(seed="demo") as sb:
        champion = sb.type_id("deals", "contacts", "Champion")
        sheet = _sheet([(*row[:4], champion if row[4] else None)])
        before = _held(sb)
        for dry_run in (True, False):
            result = configure_labels(sheet, client_for(sb), renames=True, dry_run=dry_run)
            assert result[["status", "error_code"]].values.tolist() == [
                ["invalid", "LABEL_WOULD_REPEAT"]
            ], result
            assert "plain association" in result.loc[0, "error_message"]
        assert _held(sb) == before


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_same_object_rename_never_names_both_sides_alike(dry_run: bool) -> None:
    """companies -> companies lists both names of a paired label ("Referrer" / "Referred"):
    renaming one "Ally" with the inverse label "ally" made two labels "Ally" there."""
    with Sandbox(seed="demo") as sb:
        referrer = sb.add_label("companies", "companies", "Referrer", "Referred")
        before = _held(sb)
        sheet = _sheet([("companies", "companies", "Ally", "ally", referrer)])
        result = configure_labels(sheet, client_for(sb), renames=True, dry_run=dry_run)
        assert result.loc[0, "error_code"] == "LABEL_WOULD_REPEAT", result
        assert _held(sb) == before
