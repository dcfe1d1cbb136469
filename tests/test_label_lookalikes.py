"""Labels of one object pair that differ only in spacing -- "Champion" and "Champion " (a space
at its end), "Key contact" and "Key  contact" (a double space), a no-break space -- look the
same in a trimmed sheet cell, in HubSpot's pages and in the app's picker.  A row naming one of
them was linked with whichever its trimmed text spelled exactly ("Champion " picked, "Champion"
sent and reported): now it is AMBIGUOUS_LABEL in every job unless it gives the type id, and the
app's picker sends the type id of the label picked.  Case still tells labels apart."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.io.normalize import composed
from hubframe.run.labels import LabelDef, disagreement, named, normalize_label
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from tests.app_driver import click, upload

DEALS = [str(i) for i in range(3_000_000_301, 3_000_000_311)]
CONTACTS = ["4000000401", "4000000402"]

#: (label the demo portal or the test holds, a second label spelled alike but for its spaces)
TWINS = [
    ("Champion", "Champion "),  # a space at the end
    ("Champion", " Champion"),  # at the start
    ("Key contact", "Key  contact"),  # a double space inside
    ("Key contact", "Key\u00a0contact"),  # a no-break space
]


def shown_as(label: str) -> str:
    """A label as a trimmed cell and a web page show it: case kept, spaces one space."""
    return " ".join(composed(label).split())


@pytest.fixture
def portal(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.add_records("deals", DEALS)
    sandbox.add_records("contacts", CONTACTS)
    yield sandbox


def _twins(sb: Sandbox, held: str, twin: str) -> tuple[int, int]:
    try:
        first = sb.type_id("deals", "contacts", held)
    except Exception:
        first = sb.add_label("deals", "contacts", held)
    return first, sb.add_label("deals", "contacts", twin)


def _sheet(rows: list[tuple[str, int | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "from_id": DEALS[: len(rows)],
            "to_id": CONTACTS[0],
            "label": [label for label, _ in rows],
            "type_id": [None if t is None else str(t) for _, t in rows],
        }
    )
    return hf.read_pairs(frame, from_type="deals", to_type="contacts")


def _applied(sb: Sandbox) -> dict[str, set[int]]:
    links = sb.associations("deals", "contacts")
    out: dict[str, set[int]] = {}
    for from_id, type_id in zip(links["from_id"], links["type_id"], strict=True):
        if str(from_id) in DEALS:
            out.setdefault(str(from_id), set()).add(int(type_id))
    return out


@pytest.mark.parametrize(("held", "twin"), TWINS)
def test_associate_refuses_either_spelling_and_takes_the_type_id(
    portal: Sandbox, held: str, twin: str
) -> None:
    first, second = _twins(portal, held, twin)
    upper = held.upper()
    rows = [(held, None), (twin, None), (upper, None), (twin, second), (held, first)]
    result = hf.associate(_sheet(rows), client_for(portal), progress=False)
    assert result["status"].tolist() == ["invalid"] * 3 + ["success"] * 2, result
    assert result["error_code"].tolist()[:3] == ["AMBIGUOUS_LABEL"] * 3
    for message in result["error_message"][:2]:
        assert f"(type id {first})" in message and f"(type id {second})" in message
        assert "look the same" in message and "type_id column" in message
    assert result["type_id"].tolist()[3:] == [second, first]
    unlabeled = portal.type_id("deals", "contacts", None)
    assert _applied(portal) == {DEALS[3]: {second, unlabeled}, DEALS[4]: {first, unlabeled}}


@pytest.mark.parametrize(("held", "twin"), TWINS[:3])
def test_a_label_argument_for_every_row_is_refused_too(
    portal: Sandbox, held: str, twin: str
) -> None:
    """read_pairs(label="Champion ") was read trimmed and linked as "Champion"."""
    _twins(portal, held, twin)
    for label in (held, twin):
        frame = pd.DataFrame({"Deal ID": DEALS[:2], "Contact ID": CONTACTS})
        pairs = hf.read_pairs(frame, to_type="contacts", label=label)
        result = hf.associate(pairs, client_for(portal), progress=False)
        assert result["error_code"].tolist() == ["AMBIGUOUS_LABEL"] * 2, (label, result)
    assert _applied(portal) == {}


def test_every_job_that_names_labels_refuses_the_same_rows(portal: Sandbox) -> None:
    first, second = _twins(portal, "Champion", "Champion ")
    client = client_for(portal)
    linked = _sheet([("Champion", first), ("Champion ", second)])
    assert hf.associate(linked, client, progress=False)["status"].tolist() == ["success"] * 2
    before_links, before_limits = _applied(portal), portal.limits("deals", "contacts")
    pairs = _sheet([("Champion ", None), ("Champion", None)])
    issues = hf.validate_pairs(pairs, client=client)
    assert issues["code"].tolist() == ["AMBIGUOUS_LABEL"] * 2
    removed = hf.remove_associations(pairs, client, progress=False)
    assert removed["error_code"].tolist() == ["AMBIGUOUS_LABEL"] * 2
    synced = hf.sync(pairs, client, progress=False)
    assert synced["error_code"].tolist()[:2] == ["AMBIGUOUS_LABEL"] * 2
    assert _applied(portal) == before_links  # nothing removed, nothing linked
    for label in ("Champion ", "Champion"):
        limits = pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Label": [label]})
        configured = hf.configure_limits(
            hf.read_limits(limits.assign(Max=["3"])), client, progress=False
        )
        assert configured["error_code"].tolist() == ["AMBIGUOUS_LABEL"], configured
    assert portal.limits("deals", "contacts").equals(before_limits)
    sheet = pd.DataFrame({"From type": ["deals"] * 2, "To type": ["contacts"] * 2})
    labels = hf.configure_labels(sheet.assign(Label=["Champion ", "Champion"]), client)
    assert labels["error_code"].tolist() == ["AMBIGUOUS_LABEL"] * 2, labels


def test_undo_takes_back_the_type_each_row_linked(portal: Sandbox) -> None:
    """A row linked by the type id of "Champion " (its label read trimmed) is taken back by
    that type id: the two agree, as the row's label could mean either."""
    first, second = _twins(portal, "Champion", "Champion ")
    client = client_for(portal)
    rows = _sheet([("Champion ", second), ("Champion", first)])
    linked = hf.associate(rows, client, record_existing=True, progress=False)
    assert linked["status"].tolist() == ["success"] * 2
    undone = hf.undo(linked, client, progress=False)
    assert undone["error_code"].isna().all(), undone
    assert _applied(portal) == {}


def test_case_still_tells_labels_apart(portal: Sandbox) -> None:
    """Beside "Champion" and "Champion ", "champion" is the only label so spelled: taken; a
    type id of another spelling than the cell's is still a mismatch."""
    first, second = _twins(portal, "Champion", "Champion ")
    lower = portal.add_label("deals", "contacts", "champion")
    rows = [("champion", None), ("Champion", None), ("Champion", lower), ("champion", second)]
    result = hf.associate(_sheet(rows), client_for(portal), progress=False)
    assert result["status"].tolist() == ["success", "invalid", "invalid", "invalid"]
    assert result["error_code"].tolist()[1:] == [
        "AMBIGUOUS_LABEL",
        "LABEL_TYPE_MISMATCH",
        "LABEL_TYPE_MISMATCH",
    ]
    message = str(result["error_message"][1])
    assert f"(type id {first})" in message and f"(type id {second})" in message
    assert f"(type id {lower})" not in message
    assert _applied(portal)[DEALS[0]] >= {lower}


def test_a_seeded_mix_never_sends_a_row_that_could_mean_two(portal: Sandbox) -> None:
    """Rows naming labels by random spellings: a row sent went to the one label its text could
    mean, else it is refused."""
    first, second = _twins(portal, "Champion", "Champion ")
    defs = {"Champion": first, "Champion ": second}
    defs["Budget holder"] = portal.type_id("deals", "contacts", "Budget holder")
    defs["budget  holder"] = portal.add_label("deals", "contacts", "budget  holder")
    rng = random.Random(7)
    cells = [
        rng.choice(["", " "]) + rng.choice(list(defs)).replace(" ", rng.choice([" ", "  "]))
        for _ in DEALS
    ]
    frame = pd.DataFrame({"from_id": DEALS, "to_id": CONTACTS[0], "label": cells})
    pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
    result = hf.associate(pairs, client_for(portal), progress=False)
    for cell, row in zip(cells, result.itertuples(), strict=True):
        could = [t for n, t in defs.items() if normalize_label(n) == normalize_label(cell)]
        spelled = [t for n, t in defs.items() if shown_as(n) == shown_as(cell)]
        if row.status == "success":
            assert spelled == [row.type_id] or could == [row.type_id], (cell, row)
        else:
            assert row.error_code == "AMBIGUOUS_LABEL" and len(spelled) != 1, (cell, row)


def test_the_app_sends_the_label_picked(portal: Sandbox) -> None:
    from hubframe.widgets import HubframeApp

    first, second = _twins(portal, "Champion", "Champion ")
    body = pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": CONTACTS[:1]}).to_csv(index=False)
    app = HubframeApp(sandbox=False)
    try:
        app.token.value, app.base_url.value = portal.token, portal.url
        click(app, app.connect_button)
        upload(app, "pairs.csv", body.encode())
        shown = dict((v, k) for k, v in app.label.options)
        assert shown["Champion "] == f"'Champion ' (type id {second})"
        assert shown["Champion"] == f"Champion (type id {first})"
        assert shown["Budget holder"] == "Budget holder"
        app.label.value = "Champion "
        click(app, app.run_button)
        assert app.result is not None
        assert app.result["type_id"].tolist() == [second], app.result
        assert _applied(portal)[DEALS[0]] == {second, portal.type_id("deals", "contacts", None)}
    finally:
        app.close()


def test_a_sheet_type_id_against_the_label_picked_stops_the_read(portal: Sandbox) -> None:
    from hubframe.widgets import HubframeApp

    first, second = _twins(portal, "Champion", "Champion ")
    body = pd.DataFrame({"Deal ID": DEALS[:2], "Contact ID": CONTACTS, "Type ID": [second, first]})
    app = HubframeApp(sandbox=False)
    try:
        app.token.value, app.base_url.value = portal.token, portal.url
        click(app, app.connect_button)
        upload(app, "pairs.csv", body.to_csv(index=False).encode())
        app.label.value = "Champion "
        click(app, app.run_button)
        assert app.result is None
        said = app.messages["mapping"].value
        assert f"type id {first}" in said and f"type id {second}" in said, said
        assert _applied(portal) == {}
    finally:
        app.close()


# --- the rule, for any labels a portal may hold ------------------------------------------------

_SPACES = st.sampled_from(["", " ", "  ", "\u00a0", "\t"])


@st.composite
def _spelled(draw: st.DrawFn) -> str:
    """A label's name: a word in one of three cases, its spaces drawn (ends, doubled, kinds)."""
    word = draw(st.sampled_from(["champion", "key contact"]))
    cased = draw(st.sampled_from([str.lower, str.title, str.upper]))(word)
    inner = cased.replace(" ", draw(st.sampled_from([" ", "  ", "\u00a0"])))
    return draw(_SPACES) + inner + draw(_SPACES)


@st.composite
def _portal_and_cell(draw: st.DrawFn) -> tuple[list[LabelDef], str]:
    spellings = draw(st.lists(_spelled(), min_size=1, max_size=6, unique=True))
    defs = [LabelDef("USER_DEFINED", 1001 + 2 * i, s) for i, s in enumerate(spellings)]
    cell = draw(st.one_of(st.sampled_from(spellings), _spelled()))
    return defs, cell.strip()  # a cell is trimmed as it is read


@settings(max_examples=300, deadline=None)
@given(_portal_and_cell())
def test_a_cell_names_one_label_only_when_no_other_looks_the_same(
    case: tuple[list[LabelDef], str],
) -> None:
    defs, cell = case
    found = named(cell, defs)
    if len(found) == 1:
        alike = [d for d in defs if shown_as(str(d.label)) == shown_as(str(found[0].label))]
        assert alike == found  # no label that looks the same was passed over
    for d in found:
        assert normalize_label(str(d.label)) == normalize_label(cell)
    for d in defs:  # a type id agrees with the cell only when the cell could mean it
        assert (disagreement(cell, d.type_id, d, defs=defs) is None) == (d in found)
