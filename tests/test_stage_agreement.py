"""Validate offline, validate online, the dry run and the real run say the same of every row,
and every success is what the portal holds (type id and category).

Four ways they parted, each tested as a class, in the three API versions, under each sandbox
profile:

* a category cell with no label and no type id was ignored: the row was sent as the pair's
  unlabeled type and the result reported the cell's category (which may not be that type's);
  now a category other than the unlabeled type's is ``LABEL_TYPE_MISMATCH`` (offline already
  where it is known: a pair of standard objects), and a result's category is the one sent;
* a sheet giving one record pair several type ids without labels (1001 and 1003, or 1003 and
  the unlabeled 3) was refused ``CONFLICTING_ROWS``, though they are distinct associations: a
  conflict is one association type given two ways only;
* ``label=`` for every row beside a cell that differs only in case, in a portal holding both
  "Champion" and "champion": the row was sent as the cell's label, not the argument's;
* ``AMBIGUOUS_LABEL`` between a user "Primary" and HubSpot's blamed invisible characters; it
  now says they differ in category and that a category cell tells them apart.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.constants import HUBSPOT_DEFINED
from hubframe.io.normalize import canonical_category
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import COMPANY_IDS, CONTACT_IDS, DEAL_IDS, INSTALLATION_IDS
from hubframe.testing import client_for

pytestmark = pytest.mark.profiles

VERSIONS = ("2026-03", "2026-09", "v4")
CUSTOM = "2-7350001"
IDS: dict[str, Sequence[int]] = {
    "deals": DEAL_IDS,
    "contacts": CONTACT_IDS,
    "companies": COMPANY_IDS,
    CUSTOM: INSTALLATION_IDS,
}
#: Object pairs: standard ones (their unlabeled type is HubSpot's) and a custom object's.
PAIRS = (
    ("deals", "contacts"),
    ("contacts", "deals"),
    ("companies", "contacts"),
    ("deals", CUSTOM),
    (CUSTOM, "contacts"),
)
CATEGORIES = ("HUBSPOT_DEFINED", "USER_DEFINED", "user defined", "INTEGRATOR_DEFINED")
STANDARD = {"deals", "contacts", "companies"}


class Stages:
    """What each stage said of a sheet's rows: errors by position offline and online, the dry
    run's and the real run's result tables."""

    def __init__(self, sb: Sandbox, sheet: pd.DataFrame, version: str, **read: Any) -> None:
        client = client_for(sb, version)
        pairs = hf.read_pairs(sheet, **read)
        self.offline = _errors(hf.validate_pairs(pairs))
        self.online = _errors(hf.validate_pairs(pairs, client))
        self.dry = hf.associate(pairs, client, dry_run=True, progress=False)
        self.real = hf.associate(pairs, client, progress=False)

    def status(self, row: int) -> tuple[str, str | None]:
        code = self.real["error_code"].iloc[row]
        return str(self.real["status"].iloc[row]), None if pd.isna(code) else str(code)


def _errors(issues: pd.DataFrame) -> dict[int, set[str]]:
    errors = issues[issues["severity"] == "error"]
    found: dict[int, set[str]] = {}
    for position, code in zip(errors["position"], errors["code"], strict=True):
        found.setdefault(int(position), set()).add(str(code))
    return found


def _held(sb: Sandbox, f: str, t: str, from_id: str, to_id: str) -> set[tuple[int, str]]:
    links = sb.associations(f, t)
    mine = links[(links["from_id"] == from_id) & (links["to_id"] == to_id)]
    return set(zip(mine["type_id"].astype(int), mine["category"].astype(str), strict=True))


def _unlabeled(sb: Sandbox, f: str, t: str) -> tuple[int, str]:
    types = sb.labels(f, t)
    unlabeled = types[types["label"].isna()]
    defined = unlabeled[unlabeled["category"] == HUBSPOT_DEFINED]
    first = (defined if len(defined) else unlabeled).iloc[0]
    return int(first["type_id"]), str(first["category"])


def assert_agree(sb: Sandbox, stages: Stages, sides: Sequence[tuple[str, str]]) -> None:
    """Offline errors are online errors; a row online validate refuses is refused by both runs
    alike (or is the repeat of one, which shares its fate); a dry run's plan is what the real
    run did; a success is held as reported."""
    dry, real = stages.dry, stages.real
    for row, (f, t) in enumerate(sides):
        said = f"row {row}: {real.iloc[row].to_dict()}"
        assert stages.offline.get(row, set()) <= stages.online.get(row, set()), said
        status = real["status"].iloc[row]
        assert (status == "invalid") <= (row in stages.online), said
        assert (row in stages.online) <= (status in ("invalid", "duplicate")), said
        if dry["status"].iloc[row] != "planned":
            assert (
                dry[["status", "error_code"]]
                .iloc[row]
                .equals(real[["status", "error_code"]].iloc[row])
            ), said
        else:
            for column in ("label", "category", "type_id", "action"):
                assert str(dry[column].iloc[row]) == str(real[column].iloc[row]), said
        if real["status"].iloc[row] != "success":
            continue
        held = _held(sb, f, t, str(real["from_id"].iloc[row]), str(real["to_id"].iloc[row]))
        type_id, category = real["type_id"].iloc[row], real["category"].iloc[row]
        if pd.isna(type_id):  # sent as the default: the pair's unlabeled type
            type_id = _unlabeled(sb, f, t)[0]
        assert int(type_id) in {held_id for held_id, _ in held}, said
        if not pd.isna(category):
            assert (int(type_id), str(category)) in held, said


# --- 1. a category cell alone -------------------------------------------------------------------


def _alone_sheet() -> tuple[pd.DataFrame, list[tuple[str, str]], list[str]]:
    rows, sides, categories = [], [], []
    for n, ((f, t), category) in enumerate((p, c) for p in PAIRS for c in CATEGORIES):
        rows.append((f, str(IDS[f][n % len(IDS[f])]), t, str(IDS[t][n]), "", category))
        sides.append((f, t))
        categories.append(category)
    columns = ["From Type", "From ID", "To Type", "To ID", "Label", "Category"]
    return pd.DataFrame(rows, columns=columns), sides, categories


@pytest.mark.parametrize("version", VERSIONS)
def test_a_category_alone_is_sent_only_when_it_is_the_unlabeled_types(
    sandbox: Sandbox, version: str
) -> None:
    sheet, sides, categories = _alone_sheet()
    wanted = {pair: _unlabeled(sandbox, *pair)[1] for pair in PAIRS}
    stages = Stages(sandbox, sheet, version)
    assert_agree(sandbox, stages, sides)
    for row, ((f, t), category) in enumerate(zip(sides, categories, strict=True)):
        agrees = canonical_category(category) == wanted[(f, t)]
        status = stages.status(row)
        if agrees:
            assert status == ("success", None), (row, category)
            assert stages.real["category"].iloc[row] == wanted[(f, t)]
            assert stages.real["action"].iloc[row] == "associate_default"
        else:
            assert status == ("invalid", "LABEL_TYPE_MISMATCH"), (row, category)
            message = str(stages.real["error_message"].iloc[row])
            assert wanted[(f, t)] in message and str(canonical_category(category)) in message
        known = {f, t} <= STANDARD  # offline knows the unlabeled type of standard pairs
        assert ("LABEL_TYPE_MISMATCH" in stages.offline.get(row, set())) == (known and not agrees)


def test_a_result_shows_no_category_cell_that_was_not_sent(sandbox: Sandbox) -> None:
    """Rows sent as the default show the unlabeled type's category, never the cell's spelling
    of another; rows not sent keep their cells."""
    sheet = pd.DataFrame(
        {
            "Deal ID": [str(DEAL_IDS[1]), str(DEAL_IDS[2]), str(DEAL_IDS[3])],
            "Contact ID": [str(CONTACT_IDS[1]), str(CONTACT_IDS[2]), "x"],
            "Category": ["hubspot defined", "", "USER_DEFINED"],
        }
    )
    real = Stages(sandbox, sheet, "2026-03").real
    assert real["status"].tolist() == ["success", "success", "invalid"]
    assert real["category"].astype(object).where(real["category"].notna(), None).tolist() == [
        HUBSPOT_DEFINED,
        None,
        "USER_DEFINED",
    ]


# --- 2. several type ids for one record pair ----------------------------------------------------

WAYS = ("type id", "type id + category", "type id + wrong category", "label", "label + type id")


@st.composite
def _typed_rows(draw: st.DrawFn, types: list[tuple[int, str, str | None]]) -> list[Any]:
    """Rows on one record pair: (type drawn, way it is written)."""
    rows = []
    for _ in range(draw(st.integers(2, 5))):
        type_id, category, label = draw(st.sampled_from(types))
        ways = [w for w in WAYS if label is not None or not w.startswith("label")]
        rows.append(((type_id, category, label), draw(st.sampled_from(ways))))
    return rows


def _cells(row: Any) -> tuple[str, str, str]:
    """(label, type id, category) cells of a drawn row."""
    (type_id, category, label), way = row
    other = "USER_DEFINED" if category == HUBSPOT_DEFINED else HUBSPOT_DEFINED
    return (
        label if way.startswith("label") else "",
        str(type_id) if "type id" in way else "",
        {"type id + category": category, "type id + wrong category": other}.get(way, ""),
    )


def _conflicting(cells: list[tuple[str, str, str]]) -> set[int]:
    """The oracle: rows giving one association type two ways -- the same label with another
    type id or category, or the same type id with another category (rows giving neither a
    type id nor a category are never in conflict)."""
    found = set()
    for i, (label, type_id, category) in enumerate(cells):
        for j, (label2, type_id2, category2) in enumerate(cells):
            if i == j or not (type_id or category) or not (type_id2 or category2):
                continue
            same_label = label and label == label2 and (type_id, category) != (type_id2, category2)
            same_type = type_id and type_id == type_id2 and category != category2
            if same_label or same_type:
                found.add(i)
    return found


def _deal_contact_types(sb: Sandbox) -> list[tuple[int, str, str | None]]:
    types = sb.labels("deals", "contacts")
    return [
        (int(i), str(c), None if pd.isna(lab) else str(lab))
        for i, c, lab in zip(types["type_id"], types["category"], types["label"], strict=True)
    ]


@pytest.mark.parametrize("version", VERSIONS)
@settings(
    max_examples=examples(6),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_several_type_ids_for_one_record_pair_are_distinct_associations(
    sandbox_factory: Any, version: str, data: st.DataObject
) -> None:
    sb = sandbox_factory(seed="demo")
    rows = data.draw(_typed_rows(_deal_contact_types(sb)))
    cells = [_cells(r) for r in rows]
    deal, contact = str(DEAL_IDS[40]), str(CONTACT_IDS[200])
    sheet = pd.DataFrame(
        [(deal, contact, *c) for c in cells],
        columns=["Deal ID", "Contact ID", "Label", "Type ID", "Category"],
    )
    stages = Stages(sb, sheet, version)
    assert_agree(sb, stages, [("deals", "contacts")] * len(rows))
    conflicting = _conflicting(cells)
    held = {type_id for type_id, _ in _held(sb, "deals", "contacts", deal, contact)}
    for n, ((type_id, _, _), way) in enumerate(rows):
        status, code = stages.status(n)
        said = (n, cells, status, code)
        if n in conflicting:
            assert (status, code) == ("invalid", "CONFLICTING_ROWS"), said
        elif way == "type id + wrong category":
            assert status in ("invalid", "duplicate"), said
        else:
            assert status in ("success", "duplicate") and code != "CONFLICTING_ROWS", said
            assert type_id in held, said


@pytest.mark.parametrize("version", VERSIONS)
def test_two_labeled_type_ids_and_the_unlabeled_one_are_all_sent(
    sandbox: Sandbox, version: str
) -> None:
    """The hunt's sheets: 1001 and 1003, and 1003 and the unlabeled 3, by type id alone."""
    deal, contact = str(DEAL_IDS[30]), str(CONTACT_IDS[199])
    ids = [
        sandbox.type_id("deals", "contacts", "Decision maker"),
        sandbox.type_id("deals", "contacts", "Champion"),
        sandbox.type_id("deals", "contacts", None),
    ]
    sheet = pd.DataFrame({"Deal ID": deal, "Contact ID": contact, "Type ID": [str(i) for i in ids]})
    stages = Stages(sandbox, sheet, version)
    assert_agree(sandbox, stages, [("deals", "contacts")] * 3)
    assert stages.real["status"].tolist() == ["success"] * 3
    assert set(ids) <= {i for i, _ in _held(sandbox, "deals", "contacts", deal, contact)}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_label_and_its_type_id_on_one_record_pair_are_repeats(
    sandbox: Sandbox, version: str
) -> None:
    """By label, then by that label's type id: one association, sent once, the other row a
    repeat of it -- not a conflict, and not a second association."""
    deal, contact = str(DEAL_IDS[31]), str(CONTACT_IDS[198])
    champion = sandbox.type_id("deals", "contacts", "Champion")
    sheet = pd.DataFrame(
        {
            "Deal ID": deal,
            "Contact ID": contact,
            "Label": ["Champion", "", "(no label)", ""],
            "Type ID": ["", str(champion), "", str(sandbox.type_id("deals", "contacts", None))],
        }
    )
    stages = Stages(sandbox, sheet, version)
    assert_agree(sandbox, stages, [("deals", "contacts")] * 4)
    statuses = [stages.status(n) for n in range(4)]
    assert statuses[0] == ("success", None) and statuses[2] == ("success", None)
    assert statuses[1] == statuses[3] == ("duplicate", "DUPLICATE_ROW")


def test_one_type_id_with_two_categories_still_conflicts() -> None:
    sheet = pd.DataFrame(
        {
            "Deal ID": ["1", "1", "2", "2"],
            "Contact ID": ["5", "5", "6", "6"],
            "Type ID": ["1003", "1003", "", ""],
            "Category": ["USER_DEFINED", "HUBSPOT_DEFINED", "USER_DEFINED", "HUBSPOT_DEFINED"],
        }
    )
    issues = hf.validate_pairs(hf.read_pairs(sheet, from_type="deals", to_type="contacts"))
    codes = issues.groupby("row")["code"].agg(set).to_dict()
    assert "CONFLICTING_ROWS" in codes[2] and "CONFLICTING_ROWS" in codes[3]
    # rows 4 and 5 name the unlabeled type (no label, no type id): the USER_DEFINED one is
    # refused for its category first, the other is left alone
    assert codes[4] == {"LABEL_TYPE_MISMATCH"} and 5 not in codes


# --- 3. label= beside a cell differing in case --------------------------------------------------

ARGUMENTS = ("Champion", "champion")
WRITTEN = ("", "Champion", "champion", "CHAMPION", " champion ", "cHaMpIoN")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("argument", ARGUMENTS)
def test_label_for_every_row_is_what_every_row_is_sent_as(
    sandbox: Sandbox, version: str, argument: str
) -> None:
    sandbox.add_label("deals", "contacts", "champion")
    wanted = sandbox.type_id("deals", "contacts", argument)
    sheet = pd.DataFrame(
        {
            "Deal ID": [str(DEAL_IDS[n]) for n in range(len(WRITTEN))],
            "Contact ID": [str(CONTACT_IDS[n + 100]) for n in range(len(WRITTEN))],
            "Label": list(WRITTEN),
        }
    )
    stages = Stages(sandbox, sheet, version, label=argument)
    assert_agree(sandbox, stages, [("deals", "contacts")] * len(WRITTEN))
    assert stages.real["status"].tolist() == ["success"] * len(WRITTEN)
    assert stages.real["type_id"].astype(int).tolist() == [wanted] * len(WRITTEN)
    assert stages.real["label"].tolist() == [argument] * len(WRITTEN)


# --- 4. the message of a label named alike twice ------------------------------------------------


def test_a_user_primary_beside_hubspots_is_told_apart_by_category(sandbox: Sandbox) -> None:
    sandbox.add_label("deals", "companies", "Primary")
    sheet = pd.DataFrame(
        {
            "Deal ID": [str(DEAL_IDS[1]), str(DEAL_IDS[2]), str(DEAL_IDS[3])],
            "Company ID": [str(COMPANY_IDS[11]), str(COMPANY_IDS[12]), str(COMPANY_IDS[13])],
            "Label": ["Primary", "Primary", "Primary"],
            "Category": ["", "USER_DEFINED", "HUBSPOT_DEFINED"],
        }
    )
    stages = Stages(sandbox, sheet, "2026-03")
    assert_agree(sandbox, stages, [("deals", "companies")] * 3)
    assert stages.status(0) == ("invalid", "AMBIGUOUS_LABEL")
    assert stages.status(1) == ("success", None) and stages.status(2) == ("success", None)
    message = str(stages.real["error_message"].iloc[0])
    assert "does not show" not in message and "invisible" not in message
    assert "HUBSPOT_DEFINED" in message and "USER_DEFINED" in message
    assert "category" in message.lower()


def test_labels_alike_but_for_hidden_characters_keep_their_message(sandbox: Sandbox) -> None:
    composed = "Décideur"
    sandbox.add_label("deals", "contacts", composed)
    sandbox.add_label("deals", "contacts", unicodedata.normalize("NFD", composed))
    sheet = pd.DataFrame(
        {"Deal ID": [str(DEAL_IDS[1])], "Contact ID": [str(CONTACT_IDS[1])], "Label": [composed]}
    )
    stages = Stages(sandbox, sheet, "2026-03")
    assert stages.status(0) == ("invalid", "AMBIGUOUS_LABEL")
    message = str(stages.real["error_message"].iloc[0])
    assert "does not show" in message and "category cell" not in message
