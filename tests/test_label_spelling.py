"""A label a sheet names is never picked by guess among labels that differ only in case or
spacing: the one spelled as the cell (its case; spacing does not show) wins, else the row is
refused (AMBIGUOUS_LABEL)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import ErrorCode
from hubframe.run.labels import (
    AmbiguousLabel,
    LabelDef,
    UnknownLabel,
    disagreement,
    named,
    normalize_label,
)
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

pytestmark = pytest.mark.profiles

DEALS = [str(i) for i in range(3_000_000_101, 3_000_000_111)]
CONTACTS = ["4000000201", "4000000202"]


@pytest.fixture
def portal(sandbox: Sandbox) -> Iterator[tuple[Sandbox, dict[str, int]]]:
    """The demo portal with "Champion" and a second spelling of it, and two spellings of one
    more label ("Key  contact", "Key contact ")."""
    sandbox.add_records("deals", DEALS)
    sandbox.add_records("contacts", CONTACTS)
    types = {
        "Champion": sandbox.type_id("deals", "contacts", "Champion"),
        "champion": sandbox.add_label("deals", "contacts", "champion"),
        "Key  contact": sandbox.add_label("deals", "contacts", "Key  contact"),
        "Key contact ": sandbox.add_label("deals", "contacts", "Key contact "),
    }
    yield sandbox, types


def _sheet(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "from_id": DEALS[: len(rows)],
            "to_id": CONTACTS[0],
            "label": [label for label, _ in rows],
            "type_id": [type_id for _, type_id in rows],
        }
    )
    return hf.read_pairs(frame, from_type="deals", to_type="contacts")


def _applied(sb: Sandbox) -> dict[str, set[int]]:
    links = sb.associations("deals", "contacts")
    out: dict[str, set[int]] = {}
    for from_id, type_id in zip(links["from_id"], links["type_id"], strict=True):
        out.setdefault(str(from_id), set()).add(int(type_id))
    return out


def test_associate_takes_the_exact_spelling_and_refuses_a_guess(
    portal: tuple[Sandbox, dict[str, int]],
) -> None:
    sb, types = portal
    rows: list[tuple[str, str | None]] = [
        ("Champion", None),  # exact: the first label
        ("champion", None),  # exact: the second
        ("CHAMPION", None),  # neither: refused
        ("Key contact", None),  # neither spacing: refused
        ("CHAMPION", str(types["champion"])),  # the type id says which
        ("champion", str(types["Champion"])),  # spelled as the other label: mismatch
        ("Budget holder", None),  # one label: case and spacing still do not count
    ]
    result = hf.associate(_sheet(rows), client_for(sb), progress=False)
    status = result["status"].tolist()
    assert status == ["success", "success", "invalid", "invalid", "success", "invalid", "success"]
    codes = result["error_code"].tolist()
    assert codes[2] == codes[3] == "AMBIGUOUS_LABEL"
    assert codes[5] == "LABEL_TYPE_MISMATCH"
    message = str(result["error_message"][2])
    assert f'"Champion" (type id {types["Champion"]})' in message
    assert f'"champion" (type id {types["champion"]})' in message
    assert "type_id column" in message
    assert f"type id {types['Key  contact']}" in str(result["error_message"][3])
    applied = _applied(sb)
    unlabeled = sb.type_id("deals", "contacts", None)
    assert applied[DEALS[0]] == {types["Champion"], unlabeled}
    assert applied[DEALS[1]] == {types["champion"], unlabeled}
    assert applied[DEALS[4]] == {types["champion"], unlabeled}
    for refused in (2, 3, 5):
        assert DEALS[refused] not in applied  # nothing sent for an invalid row


def test_validate_online_limits_and_remove_refuse_the_same_rows(
    portal: tuple[Sandbox, dict[str, int]],
) -> None:
    sb, types = portal
    client = client_for(sb)
    before = sb.limits("deals", "contacts")
    pairs = _sheet([("CHAMPION", None), ("champion", None)])
    issues = hf.validate_pairs(pairs, client=client)
    assert issues["code"].tolist() == ["AMBIGUOUS_LABEL"]
    assert issues["row"].tolist() == [2]
    removed = hf.remove_associations(pairs, client, progress=False)
    assert removed["error_code"].tolist()[0] == "AMBIGUOUS_LABEL"
    assert removed["status"].tolist()[0] == "invalid"
    limits = pd.DataFrame(
        {"From": ["deals"] * 2, "To": ["contacts"] * 2, "Label": ["CHAMPION", "champion"]}
        | {"Max": ["3", "4"]}
    )
    result = hf.configure_limits(hf.read_limits(limits), client, progress=False)
    assert result["status"].tolist() == ["invalid", "success"]
    assert result["error_code"].tolist()[0] == "AMBIGUOUS_LABEL"
    after = sb.limits("deals", "contacts")
    changed = after.merge(before, how="outer", indicator=True).query("_merge == 'left_only'")
    assert changed[["type_id", "max_to_object_ids"]].values.tolist() == [[types["champion"], 4]]
    assert len(after) == len(before) + 1


def test_sync_refuses_a_label_spelled_as_another_type_than_its_type_id(
    portal: tuple[Sandbox, dict[str, int]],
) -> None:
    sb, types = portal
    pairs = _sheet([("champion", str(types["Champion"])), ("CHAMPION", None)])
    result = hf.sync(pairs, client_for(sb), progress=False)
    assert result["error_code"].tolist()[:2] == ["LABEL_TYPE_MISMATCH", "AMBIGUOUS_LABEL"]
    assert DEALS[0] not in _applied(sb) and DEALS[1] not in _applied(sb)


# --- the rule, for any labels a portal may hold ------------------------------------------------

_WORDS = st.sampled_from(["champion", "key contact", "budget holder", "käufer", "décideur"])


@st.composite
def _spelling(draw: st.DrawFn, word: str) -> str:
    """``word`` with each letter's case drawn and its spaces doubled or padded at will."""
    letters = [c.upper() if draw(st.booleans()) else c for c in word]
    text = "".join(letters).replace(" ", draw(st.sampled_from([" ", "  ", "\t"])))
    text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)  # Mac, PDF text
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "]))


@st.composite
def _portal_and_cell(draw: st.DrawFn) -> tuple[list[LabelDef], str]:
    spellings = draw(st.lists(_WORDS.flatmap(_spelling), min_size=1, max_size=6, unique=True))
    defs = [LabelDef("USER_DEFINED", 1001 + 2 * i, s) for i, s in enumerate(spellings)]
    cell = draw(st.one_of(st.sampled_from(spellings), _WORDS.flatmap(_spelling)))
    return defs, cell


@settings(max_examples=300, deadline=None)
@given(_portal_and_cell())
def test_a_label_names_one_type_only_when_no_other_could_be_meant(
    case: tuple[list[LabelDef], str],
) -> None:
    defs, cell = case
    same = [d for d in defs if normalize_label(str(d.label)) == normalize_label(cell)]
    nfc = unicodedata.normalize

    def shown(text: str) -> str:  # case kept; spacing does not show (a trimmed cell, a page)
        return " ".join(nfc("NFC", text).split())

    exact = [d for d in same if shown(str(d.label)) == shown(cell)]
    found = named(cell, defs)
    if len(same) == 1:
        assert found == same
    elif exact:
        assert found == exact  # spelled as the cell: one is taken, several are refused
    else:
        assert found == same  # several could be meant: the caller refuses the row
    for d in defs:  # a type id agrees with the cell only when the cell could mean it
        problem = disagreement(cell, d.type_id, d, defs=defs)
        assert (problem is None) == (d in found)


def test_a_book_raises_ambiguous_not_unknown(portal: tuple[Sandbox, dict[str, int]]) -> None:
    from hubframe.run.labels import LabelBook

    book = LabelBook(client_for(portal[0]))
    with pytest.raises(AmbiguousLabel) as info:
        book.resolve("deals", "contacts", "KEY CONTACT")
    assert info.value.code is ErrorCode.AMBIGUOUS_LABEL
    with pytest.raises(UnknownLabel):
        book.resolve("deals", "contacts", "champions")
    with pytest.raises(AmbiguousLabel):  # "Key  contact" and "Key contact " look the same
        book.resolve("deals", "contacts", "Key  contact")
    assert book.resolve("deals", "contacts", "champion").label == "champion"


@pytest.mark.parametrize("seed", range(4))
def test_a_repeated_row_shows_the_type_its_first_row_shows(
    portal: tuple[Sandbox, dict[str, int]], seed: int
) -> None:
    """However a repeat is found (the sheet check: same cells; the plan: same records and
    type once labels resolve), its row shows the category and type id of the row it repeats."""
    import random

    sb, _ = portal
    rng = random.Random(seed)
    spellings = ["Champion", " Champion", "champion", "Budget holder", "budget HOLDER", "", None]
    rows = [(rng.choice(DEALS[:4]), rng.choice(CONTACTS), rng.choice(spellings)) for _ in range(30)]
    frame = pd.DataFrame(rows, columns=["from_id", "to_id", "label"])
    pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
    for dry_run in (True, False):
        result = hf.associate(pairs, client_for(sb), progress=False, dry_run=dry_run)
        firsts = result[result["status"] != "duplicate"]
        shown = {
            (r.from_id, r.to_id, r.type_id): (r.category, r.type_id) for r in firsts.itertuples()
        }
        repeats = result[result["status"] == "duplicate"]
        assert len(repeats) > 0
        for r in repeats.itertuples():
            if pd.isna(r.label):
                assert pd.isna(r.type_id)  # the unlabeled default: shown empty, as its first
                continue
            assert not pd.isna(r.type_id), r
            assert shown[(r.from_id, r.to_id, r.type_id)] == (r.category, r.type_id)


def test_configure_labels_names_the_label_spelled_as_the_sheet(
    portal: tuple[Sandbox, dict[str, int]],
) -> None:
    sb, types = portal
    sheet = pd.DataFrame(
        {"From type": ["deals"] * 2, "To type": ["contacts"] * 2, "Label": ["champion", "Champion"]}
    )
    result = hf.configure_labels(sheet, client_for(sb))
    assert result["change"].tolist() == ["exists", "exists"]
    assert result["type_id"].tolist() == [types["champion"], types["Champion"]]


def test_a_label_typed_with_combining_marks_is_the_portals_label(sandbox: Sandbox) -> None:
    """ "Käufer" typed as "Ka" + a combining umlaut (Mac and PDF text hold it so) is the
    portal's "Käufer": associated with its type, not refused as unknown beside a label that
    looks the same; the labels job does not create a second "Käufer"; a sync keeps it."""
    composed = "Käufer"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    sandbox.add_records("deals", DEALS[:2])
    sandbox.add_records("contacts", CONTACTS)
    type_id = sandbox.add_label("deals", "contacts", composed)
    sandbox.associate("deals", DEALS[1], "contacts", CONTACTS[1], type_id)
    client = client_for(sandbox)
    sheet = pd.DataFrame(
        {"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]], "Label": [decomposed]}
    )
    result = hf.associate(sheet, client, progress=False)
    assert result[["status", "type_id"]].values.tolist() == [["success", type_id]]
    labels = hf.configure_labels(
        pd.DataFrame({"From Type": ["deals"], "To Type": ["contacts"], "Label": [decomposed]}),
        client,
    )
    assert labels[["change", "error_code"]].values.tolist() == [["exists", "LABEL_EXISTS"]]
    names = [d.get("label") for d in client.list_labels("deals", "contacts")]
    assert [n for n in names if n and "ufer" in n] == [composed]  # one Käufer, as before
    kept = hf.sync(
        pd.DataFrame({"Deal ID": [DEALS[1]], "Contact ID": [CONTACTS[1]], "Label": [decomposed]}),
        client,
        allow_removals=True,
        progress=False,
    )
    assert set(kept["change"]) == {"keep"}, kept[["change", "label"]]


@pytest.mark.parametrize(
    "cell",
    ["Cham\u200bpion", "Champion\u00ad", "Champion\u2060", "\u200eChampion", "Cham\ufeffpion"],
)
def test_a_label_with_characters_that_show_nothing_is_the_label_it_shows(
    sandbox: Sandbox, cell: str
) -> None:
    """Text copied from web pages, chats and PDFs carries zero-width spaces, soft hyphens,
    word joiners and direction marks: "Cham\\u200bpion" shows as "Champion" and is it (it was
    refused as unknown beside "Champion", and the labels job would have created a second
    label that looks the same)."""
    client = client_for(sandbox)
    sheet = pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]], "Label": [cell]})
    sandbox.add_records("deals", DEALS[:1])
    sandbox.add_records("contacts", CONTACTS[:1])
    result = hf.associate(sheet, client, progress=False)
    champion = sandbox.type_id("deals", "contacts", "Champion")
    assert result[["status", "type_id"]].values.tolist() == [["success", champion]]
    labels = hf.configure_labels(
        pd.DataFrame({"From Type": ["deals"], "To Type": ["contacts"], "Label": [cell]}),
        client,
        dry_run=True,
    )
    assert labels[["change", "error_code"]].values.tolist() == [["exists", "LABEL_EXISTS"]]


def test_the_invisible_characters_are_unicodes_format_characters() -> None:
    from hubframe.constants import IGNORABLE_NOT_CF
    from hubframe.io.normalize import _INVISIBLE

    # besides the format characters (Cf), Unicode's other default-ignorable code points (the
    # sandbox's rehearsal drops the same: test_sandbox_rehearse.py)
    ignorable = {c for low, high in IGNORABLE_NOT_CF for c in range(low, high + 1)}
    assert {0x34F, 0x180B, 0xFE0F, 0xE0100, 0x3164} <= ignorable
    matched = {c for c in range(0x110000) if _INVISIBLE.match(chr(c))}
    assert all(unicodedata.category(chr(c)) == "Cf" or c in ignorable for c in matched)
    assert ignorable <= matched
    if unicodedata.unidata_version == "14.0.0":  # the version the ranges were taken from
        cf = {c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"}
        assert cf <= matched


def test_a_new_label_gets_the_characters_it_shows(sandbox: Sandbox) -> None:
    """The labels job creates a label from what its cell shows: no zero-width space HubSpot
    would keep (and no hand-typed sheet would match), one spelling of accents."""
    client = client_for(sandbox)
    cells = ["Key\u200b buyer", unicodedata.normalize("NFD", "Käufer 2"), "Soft\u00adware"]
    inverse = ["Buyer\u2060 of", "", ""]
    sheet = pd.DataFrame(
        {"From Type": "deals", "To Type": "contacts", "Label": cells, "Inverse label": inverse}
    )
    result = hf.configure_labels(sheet, client)
    assert result["status"].tolist() == ["success"] * 3, result
    names = {d.get("label") for d in client.list_labels("deals", "contacts")}
    assert {"Key buyer", "Käufer 2", "Software"} <= names
    assert {d.get("label") for d in client.list_labels("contacts", "deals")} >= {"Buyer of"}


@pytest.mark.parametrize(("held", "asked"), [("Maße", "Masse"), ("Masse", "Maße")])
def test_a_label_that_only_folds_to_anothers_spelling_is_not_that_label(
    sandbox: Sandbox, held: str, asked: str
) -> None:
    """Labels were compared with ``casefold``, which takes 'Maße' for 'Masse': a row asking for
    a label the portal does not hold was associated with the other one, and the labels job
    reported it as existing.  Case is all that is ignored now."""
    sandbox.add_records("deals", DEALS[:2])
    sandbox.add_records("contacts", CONTACTS)
    type_id = sandbox.add_label("deals", "contacts", held)
    client = client_for(sandbox)
    sheet = pd.DataFrame(
        {
            "Deal ID": DEALS[:2],
            "Contact ID": CONTACTS[:2],
            "Label": [asked, held[0].lower() + held[1:]],
        }
    )
    result = hf.associate(sheet, client, progress=False)
    assert result["status"].tolist() == ["invalid", "success"], result
    assert result.loc[0, "error_code"] == "UNKNOWN_LABEL"
    assert result.loc[1, "type_id"] == type_id
    labels = hf.configure_labels(
        pd.DataFrame({"From Type": ["deals"], "To Type": ["contacts"], "Label": [asked]}),
        client,
        dry_run=True,
    )
    assert labels["change"].tolist() == ["create"], labels


@pytest.mark.parametrize(
    ("shown", "twin"),
    [
        (unicodedata.normalize("NFC", "Décideur"), unicodedata.normalize("NFD", "Décideur")),
        ("Buyer", "Bu\u200byer"),  # a zero-width space pasted in with the name
        ("Ünterschrift", "U\u0308nterschrift\u00ad"),  # both at once
    ],
)
def test_labels_that_look_the_same_are_told_apart_by_type_id_only(
    sandbox: Sandbox, shown: str, twin: str
) -> None:
    """Two labels a sheet cannot tell apart: the row is refused whichever the cell is spelled
    as, and the message does not ask for an exact spelling no sheet can show."""
    sandbox.add_records("deals", DEALS)
    sandbox.add_records("contacts", CONTACTS)
    first = sandbox.add_label("deals", "contacts", shown)
    second = sandbox.add_label("deals", "contacts", twin)
    sheet = _sheet([(shown, None), (twin, None), (twin, str(second)), (shown, str(first))])
    result = hf.associate(sheet, client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["invalid", "invalid", "success", "success"]
    for message in result["error_message"][:2]:
        assert f"(type id {first})" in message and f"(type id {second})" in message
        assert "look the same" in message and "type_id column" in message
        assert "exactly" not in message
    applied = {k: v for k, v in _applied(sandbox).items() if k in DEALS}
    assert applied == {
        DEALS[2]: {second, sandbox.type_id("deals", "contacts", None)},
        DEALS[3]: {first, sandbox.type_id("deals", "contacts", None)},
    }


def test_labels_differing_in_case_still_ask_for_the_exact_spelling(
    portal: tuple[Sandbox, dict[str, int]],
) -> None:
    sb, _ = portal
    result = hf.associate(_sheet([("CHAMPION", None)]), client_for(sb), progress=False)
    message = str(result["error_message"][0])
    assert "Write the label exactly as HubSpot spells it" in message
    assert "look the same" not in message
