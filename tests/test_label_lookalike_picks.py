"""Labels an analyst cannot tell apart stay apart wherever they are picked or confirmed: the
app's picker shows such labels with their type ids (never two options that look the same), a
label picked in the app never writes over an unreadable type id cell, an answer's label names
confirm a row only by the exact name of the label the row resolved to (and never beside a
lookalike), and characters that show as a blank (U+2800) count as a space."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.io.normalize import composed, normalize_label, shows_nothing
from hubframe.run.labels import LabelDef, named, shown_as
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from hubframe.widgets import backend
from tests.app_driver import click, upload

DEAL, CONTACT = "3000000301", "4000000401"
DEALS = [str(i) for i in range(3_000_000_301, 3_000_000_305)]

#: (a label, another the picker and a trimmed cell cannot tell from it)
LOOKALIKES = [
    ("Caf\u00e9", "Cafe\u0301"),  # one character, or e and a combining accent
    ("Sponsor", "Sponsor\u034f"),  # combining grapheme joiner
    ("Sponsor", "Sponsor\ufe0f"),  # variation selector
    ("Sponsor", "Spon\u2060sor"),  # word joiner
    ("Sponsor", "Sponsor\u2800"),  # Braille pattern blank
    ("Key contact", "Key\u2800contact"),
    ("Sponsor", "Sponsor "),
    ("Sponsor", "sponsor"),  # case: a cell tells them apart, the answer's names must too
]

#: Characters that show as a blank (or nothing) and are no whitespace to str.split.
BLANKS = ["\u2800", "\U0001d159", "\u3164", "\u115f", "\u1160", "\uffa0", "\u180e"]
#: Those of them that show with a width: inside a word they look like a space.
WIDE_BLANKS = ["\u2800", "\U0001d159"]


def rendered(text: str) -> str:
    """What a browser shows of an option: composed characters, invisible ones drawn as nothing,
    blanks as a space."""
    return composed(text)


@pytest.fixture
def portal(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.add_records("deals", DEALS)
    sandbox.add_records("contacts", [CONTACT])
    yield sandbox


def _held(sb: Sandbox, from_id: str = DEAL) -> set[int]:
    links = sb.associations("deals", "contacts")
    return set(links.loc[links["from_id"].astype(str) == from_id, "type_id"].astype(int))


# --- (4) blank-rendering characters -----------------------------------------------------------


@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_character_never_tells_two_labels_apart(blank: str) -> None:
    cases = [("Champion", "Champion" + blank), ("Champion", blank + "Champion")]
    if blank in WIDE_BLANKS:
        cases += [("Key contact", f"Key{blank}contact"), ("Key contact", f"Key {blank} contact")]
    for plain, twin in cases:
        defs = [LabelDef("USER_DEFINED", 1003, plain), LabelDef("USER_DEFINED", 1019, twin)]
        for cell in (plain, twin.strip()):
            assert {d.type_id for d in named(cell, defs)} == {1003, 1019}, (plain, twin, cell)
        assert normalize_label(twin) == normalize_label(plain)
    # a blank that shows with a width alone is a label's name HubSpot keeps, never empty
    wide = blank in WIDE_BLANKS
    assert shows_nothing(blank) is not wide and shows_nothing(f" {blank}{blank} ") is not wide


def test_a_braille_blank_beside_a_label_is_ambiguous_end_to_end(portal: Sandbox) -> None:
    plain = portal.add_label("deals", "contacts", "Sponsor")
    twin = portal.add_label("deals", "contacts", "Sponsor\u2800")
    cells = ["Sponsor", "Sponsor\u2800", "\u2800", "Sponsor"]
    frame = pd.DataFrame({"from_id": DEALS, "to_id": CONTACT, "label": cells})
    frame["type_id"] = [None, None, None, str(twin)]
    pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
    assert pairs["label"][2] == "\u2800"  # a label (HubSpot keeps one so named), not empty
    result = hf.associate(pairs, client_for(portal), progress=False, preflight=False)
    assert result["error_code"].tolist()[:3] == ["AMBIGUOUS_LABEL"] * 2 + ["UNKNOWN_LABEL"]
    assert result["status"].tolist()[3:] == ["success"], result
    assert plain not in _held(portal, DEALS[0]) and _held(portal, DEALS[3]) >= {twin}
    assert _held(portal, DEALS[2]) == set()  # never linked unlabeled


# --- (1) the picker ---------------------------------------------------------------------------


def test_lookalikes_are_shown_apart_by_their_type_ids() -> None:
    rng = random.Random(11)
    spellings = sorted({s for pair in LOOKALIKES for s in pair} | {"Budget holder"})
    for _ in range(200):
        names = rng.sample(spellings, rng.randint(2, 6))
        ids = {n: 1001 + 2 * i for i, n in enumerate(names)}
        for type_ids in (ids, None):  # with the type ids the app reads, and without
            shown = [backend.label_shown(n, names, type_ids) for n in names]
            looks = [rendered(s) for s in shown]
            assert len(set(looks)) == len(names), (names, shown)
            for name, text in zip(names, shown, strict=True):
                alike = [n for n in names if normalize_label(n) == normalize_label(name)]
                if type_ids is not None and len(alike) > 1:
                    assert text.endswith(f"(type id {ids[name]})"), (name, text)
                if len(alike) == 1 and shown_as(name) == name:
                    assert text == name  # a label with no lookalike is shown as it is


@pytest.mark.parametrize(("plain", "twin"), LOOKALIKES[:5])
def test_the_app_sends_the_lookalike_picked(portal: Sandbox, plain: str, twin: str) -> None:
    from hubframe.widgets import HubframeApp

    first = portal.add_label("deals", "contacts", plain)
    second = portal.add_label("deals", "contacts", twin)
    body = pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": [CONTACT]}).to_csv(index=False)
    app = HubframeApp(sandbox=False)
    try:
        app.token.value, app.base_url.value = portal.token, portal.url
        click(app, app.connect_button)
        upload(app, "pairs.csv", body.encode())
        shown = {value: text for text, value in app.label.options}
        assert rendered(shown[plain]) != rendered(shown[twin]), shown
        assert f"(type id {first})" in shown[plain] and f"(type id {second})" in shown[twin]
        app.label.value = twin
        click(app, app.run_button)
        assert app.result is not None
        assert app.result["type_id"].tolist() == [second], app.result
        assert app.result["label"].tolist() == [twin.strip()], app.result
        unlabeled = portal.type_id("deals", "contacts", None)
        assert _held(portal, DEALS[0]) == {second, unlabeled}
    finally:
        app.close()


# --- (2) a type id cell that does not read ----------------------------------------------------


@pytest.mark.parametrize("cell", ["1,019", "1019.5", "abc", "1019 x", "#1019"])
def test_a_label_picked_keeps_an_unreadable_type_id_cell(portal: Sandbox, cell: str) -> None:
    type_id = portal.type_id("deals", "contacts", "Decision maker")
    sheet = pd.DataFrame(
        {"Deal ID": DEALS[:3], "Contact ID": CONTACT, "type_id": [cell, "", str(type_id)]}
    )
    pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts", label="Decision maker")
    picked = backend.picked_type(pairs, "Decision maker", type_id)
    result = hf.associate(picked, client_for(portal), progress=False, preflight=False)
    assert result["status"].tolist() == ["invalid", "success", "success"], result
    assert result["error_code"][0] == "BAD_ID" and cell in str(result["error_message"][0])
    assert _held(portal, DEALS[0]) == set()


def test_the_app_refuses_an_unreadable_type_id_cell_beside_a_label_picked(
    portal: Sandbox,
) -> None:
    from hubframe.widgets import HubframeApp

    type_id = portal.type_id("deals", "contacts", "Decision maker")
    body = pd.DataFrame(
        {"Deal ID": DEALS[:2], "Contact ID": [CONTACT] * 2, "Type ID": ["1,019", ""]}
    ).to_csv(index=False)
    app = HubframeApp(sandbox=False)
    try:
        app.token.value, app.base_url.value = portal.token, portal.url
        click(app, app.connect_button)
        upload(app, "pairs.csv", body.encode())
        app.label.value = "Decision maker"
        click(app, app.run_button)
        assert app.result is not None
        assert app.result["status"].tolist() == ["invalid", "success"], app.result
        assert app.result["error_code"][0] == "BAD_ID"
        assert _held(portal, DEALS[0]) == set() and type_id in _held(portal, DEALS[1])
    finally:
        app.close()


# --- (3) answers confirm a label by its exact name --------------------------------------------


Hub = Callable[[str, Any, Callable[[Any], tuple[int, Any]]], tuple[int, Any]]


def _other_label(type_id: int) -> Hub:
    """A HubSpot that links each pair with ``type_id`` whatever was asked, answering 200."""

    def hub(path: str, body: Any, forward: Callable[[Any], tuple[int, Any]]) -> tuple[int, Any]:
        kind = {"associationCategory": "USER_DEFINED", "associationTypeId": type_id}
        return forward({"inputs": [{**i, "types": [kind]} for i in body["inputs"]]})

    return hub


def _run_through(
    sb: Sandbox, pairs: pd.DataFrame, hub: Hub | None
) -> tuple[pd.DataFrame, list[int]]:
    """The result, and how many batch reads came after the first write."""
    reads: list[int] = []
    state = {"wrote": False}

    def on_write(path: str, body: Any, forward: Callable[[Any], tuple[int, Any]]) -> Any:
        state["wrote"] = True
        return hub(path, body, forward) if hub else forward(body)

    def on_read(_request: Any, _answer: Any) -> None:
        if state["wrote"]:
            reads.append(1)

    with FaultProxy(sb, on_write=on_write, on_read=on_read) as proxy:
        client = HubSpotClient(
            token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05
        )
        result = hf.associate(pairs, client, progress=False, preflight=False)
    return result, reads


def _rows(labels: list[str], type_ids: list[int | None] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"from_id": DEALS[: len(labels)], "to_id": CONTACT, "label": labels})
    if type_ids is not None:
        frame["type_id"] = [None if t is None else str(t) for t in type_ids]
    return hf.read_pairs(frame, from_type="deals", to_type="contacts")


@pytest.mark.parametrize(
    ("held", "twin", "cell", "by_id"),
    [
        ("Sponsor", "sponsor", "sponsor", False),
        ("Sponsor", "Sponsor ", "Sponsor", True),
        ("Sponsor", "Sponsor\u2800", "Sponsor", True),
        ("Caf\u00e9", "Cafe\u0301", "Caf\u00e9", True),
        ("Sponsor", "SPONSOR", "SPONSOR", False),
    ],
)
def test_an_answer_naming_a_lookalike_confirms_nothing(
    portal: Sandbox, held: str, twin: str, cell: str, by_id: bool
) -> None:
    first = portal.add_label("deals", "contacts", held)
    second = portal.add_label("deals", "contacts", twin)
    pairs = _rows([cell], [second] if by_id else None)
    result, _ = _run_through(portal, pairs, _other_label(first))
    assert result["status"][0] != "success", result
    assert second not in _held(portal)


def test_a_lookalike_applied_is_read_back_and_confirmed(portal: Sandbox) -> None:
    first = portal.add_label("deals", "contacts", "Sponsor")
    second = portal.add_label("deals", "contacts", "sponsor")
    result, reads = _run_through(portal, _rows(["sponsor", "Sponsor"]), None)
    assert result["status"].tolist() == ["success"] * 2, result
    assert result["type_id"].tolist() == [second, first]
    assert reads, "a lookalike's answer was trusted on its names"


def test_a_label_with_no_lookalike_is_confirmed_by_its_exact_name_unread(
    portal: Sandbox,
) -> None:
    """The common answer stays read from its bytes: no read back (a cell spelled in another
    case names the label; the answer lists its exact name)."""
    maker = portal.type_id("deals", "contacts", "Decision maker")
    result, reads = _run_through(portal, _rows(["decision  MAKER", "Decision maker"]), None)
    assert result["status"].tolist() == ["success"] * 2, result
    assert result["type_id"].tolist() == [maker] * 2
    assert reads == []


def test_an_answer_listing_another_label_of_no_lookalike_is_read_back(portal: Sandbox) -> None:
    maker = portal.type_id("deals", "contacts", "Decision maker")
    other = portal.add_label("deals", "contacts", "Budget owner")
    result, reads = _run_through(portal, _rows(["Decision maker"]), _other_label(other))
    assert result["status"][0] != "success" and reads, result
    assert maker not in _held(portal)


def test_the_blank_set_holds_no_whitespace() -> None:
    """Each blank is neither whitespace nor NFC-equal to a space: the rule is theirs alone."""
    for blank in BLANKS:
        assert not blank.isspace() and unicodedata.normalize("NFC", blank) == blank
