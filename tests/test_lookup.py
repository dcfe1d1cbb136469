"""Id lookup by unique property (email, domain) over HTTP against the sandbox."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.io import read_pairs
from hubframe.jobs import associate
from hubframe.jobs.check import validate_pairs
from hubframe.run.lookup import (
    _key,
    _lookalike,
    _lookalike_letter,
    _same,
    id_properties,
    match_records,
    resolve_ids,
)
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import COMPANY_IDS, CONTACT_IDS, company_properties, contact_properties
from hubframe.testing import SandboxFactory, client_for
from tests.fuzzseeds import examples

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

EMAILS = [p["email"] for p in contact_properties()]
DOMAINS = [p["domain"] for p in company_properties()]


def object_reads(sb: Sandbox) -> pd.DataFrame:
    log = sb.request_log()
    return log[log["path"].str.contains("/objects/") & log["path"].str.endswith("/batch/read")]


@pytest.mark.parametrize("version", ("2026-03", "2026-09", "v4"))
def test_contact_email_column_is_looked_up(sandbox: Sandbox, version: str) -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": ["2040000030", "2040000030", "2040000031"],
            "Contact email": [EMAILS[50].upper(), "nobody@example.com", f" {EMAILS[51]} "],
            "Association label": ["Champion", "", ""],
        }
    )
    pairs = read_pairs(frame)
    assert id_properties(pairs) == {"to": "email"}
    result = associate(pairs, client_for(sandbox, version), progress=False)
    assert result["status"].tolist() == ["success", "failed", "success"]
    assert result["to_id"].tolist()[::2] == [str(CONTACT_IDS[50]), str(CONTACT_IDS[51])]
    assert result.loc[1, "error_code"] == "OBJECT_NOT_FOUND"
    assert result.loc[1, "error_message"] == (
        'No contact with email "nobody@example.com" exists in HubSpot.'
    )
    assert result["Contact email"].tolist()[1] == "nobody@example.com"  # the sheet's column
    links = sandbox.associations("deals", "contacts")
    assert len(links.query(f"to_id == '{CONTACT_IDS[51]}'")) == 1


def test_both_sides_by_property_and_explicit_argument(sandbox: Sandbox) -> None:
    frame = pd.DataFrame({"From ID": [EMAILS[60], EMAILS[61]], "To ID": [DOMAINS[3], "x.test"]})
    pairs = read_pairs(
        frame,
        from_type="contacts",
        to_type="companies",
        from_id_property="email",
        to_id_property="domain",
    )
    result = associate(pairs, client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["success", "failed"]
    assert (result.loc[0, "from_id"], result.loc[0, "to_id"]) == (
        str(CONTACT_IDS[60]),
        str(COMPANY_IDS[3]),
    )
    assert result.loc[1, "error_message"] == ('No company with domain "x.test" exists in HubSpot.')


def test_a_hundred_values_a_call(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    found = match_records(client, "contacts", "email", [*EMAILS, "nobody@example.com"]).ids
    assert found == {e: str(c) for e, c in zip(EMAILS, CONTACT_IDS, strict=True)}
    # the calls go at once (in any order): a hundred values each, the rest in the last
    assert sorted(object_reads(sandbox)["inputs"].tolist(), reverse=True) == [100, 100, 41]


def test_the_calls_go_at_once_under_the_rate_limit(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(latency=(0.2, 0.0), rate_limit=(3, 1.0))
    client = client_for(sb)
    found = match_records(client, "contacts", "email", [*EMAILS, "nobody@example.com"]).ids
    assert found == {e: str(c) for e, c in zip(EMAILS, CONTACT_IDS, strict=True)}
    log = object_reads(sb)
    assert sorted(log["inputs"].tolist(), reverse=True) == [100, 100, 41]
    assert (log["status"] != 429).all()  # the limiter held them to the window
    starts = sorted(log["started"].tolist())
    assert starts[-1] - starts[0] < 0.2  # all three were in flight together


def test_missing_values_and_types_are_left_to_validation(sandbox: Sandbox) -> None:
    frame = pd.DataFrame(
        {
            "Deal ID": ["2040000032", "2040000032"],
            "Contact email": ["", EMAILS[70]],
            "To type": ["contacts", "widgets"],
        }
    )
    result = associate(read_pairs(frame), client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["invalid", "invalid"]
    assert result["error_code"].tolist() == ["MISSING_VALUE", "BAD_OBJECT_TYPE"]
    assert object_reads(sandbox).empty  # nothing to look up where the type is unknown


def test_a_property_that_is_not_unique_fails_the_rows(sandbox: Sandbox) -> None:
    frame = pd.DataFrame({"Deal ID": ["2040000033"], "Contact": ["Olivia"]})
    pairs = read_pairs(frame, to_type="contacts", columns={"Contact": "to_id"},
                       to_id_property="firstname")  # fmt: skip
    result = associate(pairs, client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["failed"]
    assert result.loc[0, "error_code"] == "HUBSPOT_VALIDATION"
    assert "firstname" in result.loc[0, "error_message"]
    sandbox.add_unique_property("contacts", "firstname")
    again = associate(pairs, client_for(sandbox), progress=False)
    # the demo has 12 contacts named Olivia: none of them is picked by guess
    assert again["error_code"].tolist() == ["AMBIGUOUS_RECORD"]
    assert "HubSpot holds 12 records with firstname" in str(again.loc[0, "error_message"])
    assert "and 7 more" in str(again.loc[0, "error_message"])
    sandbox.add_records("contacts", ["4100000001"], [{"firstname": "Zoë"}])
    unique = read_pairs(frame.assign(Contact="zoë"), to_type="contacts",
                        columns={"Contact": "to_id"}, to_id_property="firstname")  # fmt: skip
    third = associate(unique, client_for(sandbox), progress=False)
    assert third["status"].tolist() == ["success"]
    assert third["to_id"].tolist() == ["4100000001"]


def test_resolve_ids_is_a_no_op_for_record_ids(sandbox: Sandbox) -> None:
    pairs = read_pairs(pd.DataFrame({"Deal ID": ["2040000034"], "Contact ID": ["1019360001"]}))
    same, outcomes = resolve_ids(pairs, client_for(sandbox))
    assert same is pairs and outcomes == {}
    assert object_reads(sandbox).empty


def test_resolved_frame_can_be_sent_again(sandbox: Sandbox) -> None:
    pairs = read_pairs(pd.DataFrame({"Deal ID": ["2040000035"], "Contact email": [EMAILS[72]]}))
    resolved, _ = resolve_ids(pairs, client_for(sandbox))
    assert resolved["to_id"].tolist() == [str(CONTACT_IDS[72])]
    assert id_properties(resolved) == {}
    assert resolved.attrs["hubframe"]["looked_up"] == {"to": "email"}
    assert pairs["to_id"].tolist() == [EMAILS[72]]  # the input frame is left alone


# --- a value several records hold is never matched to one of them by guess ----------------------

SHARED_DEALS = [str(3_300_000_001 + i) for i in range(40)]


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    """The deal -> company links of this test's deals (the demo portal has its own too)."""
    links = sb.associations("deals", "companies")
    pairs = zip(links["from_id"].astype(str), links["to_id"].astype(str), strict=True)
    return {(f, t) for f, t in pairs if f in SHARED_DEALS}


def _shared_domain_portal(sb: Sandbox, holders: dict[str, list[str]]) -> dict[str, list[str]]:
    """Companies holding the given domains (written as given: case varies), one record each;
    returns casefolded domain -> the ids holding it."""
    ids, props, held = [], [], {}
    next_id = 3_400_000_001
    for domain, spellings in holders.items():
        for spelling in spellings:
            ids.append(str(next_id))
            props.append({"domain": spelling})
            held.setdefault(domain.casefold(), []).append(str(next_id))
            next_id += 1
    sb.add_records("companies", ids, props)
    sb.add_records("deals", SHARED_DEALS)
    return held


def test_a_domain_two_companies_share_fails_its_rows_and_names_them(sandbox: Sandbox) -> None:
    held = _shared_domain_portal(
        sandbox, {"acme.test": ["acme.test", "ACME.test"], "solo.test": ["solo.test"]}
    )
    frame = pd.DataFrame(
        {"Deal ID": SHARED_DEALS[:3], "Company domain": ["Acme.test", "solo.test", "acme.test "]}
    )
    pairs = read_pairs(frame, from_type="deals")
    client = client_for(sandbox)
    issues = validate_pairs(pairs, client=client)
    assert issues["code"].tolist() == ["AMBIGUOUS_RECORD"] * 2
    assert issues["row"].tolist() == [2, 4]
    result = associate(pairs, client, progress=False)
    assert result["status"].tolist() == ["failed", "success", "failed"]
    assert result["error_code"].tolist()[::2] == ["AMBIGUOUS_RECORD"] * 2
    message = str(result.loc[0, "error_message"])
    assert message.startswith("Not sent: HubSpot holds 2 records with domain")
    assert all(i in message for i in held["acme.test"])
    assert _links(sandbox) == {(SHARED_DEALS[1], held["solo.test"][0])}


@pytest.mark.parametrize("seed", range(6))
def test_seeded_portals_every_row_is_its_one_record_or_says_why_not(
    sandbox: Sandbox, seed: int
) -> None:
    import random

    rng = random.Random(seed)
    words = [f"d{i}.test" for i in range(12)]
    holders = {
        w: [rng.choice([w, w.upper(), w.title()]) for _ in range(rng.choice([1, 1, 2, 3, 7]))]
        for w in rng.sample(words, 9)
    }
    held = _shared_domain_portal(sandbox, holders)
    cells = [rng.choice(words) for _ in range(40)]
    cells = [c.upper() if rng.random() < 0.3 else c for c in cells]
    pairs = read_pairs(
        pd.DataFrame({"Deal ID": SHARED_DEALS, "Company domain": cells}), from_type="deals"
    )
    result = associate(pairs, client_for(sandbox), progress=False)
    sent: set[tuple[str, str]] = set()
    for deal, cell, (_, row) in zip(SHARED_DEALS, cells, result.iterrows(), strict=True):
        ids = held.get(cell.casefold(), [])
        expected = {0: "OBJECT_NOT_FOUND", 1: None}.get(len(ids), "AMBIGUOUS_RECORD")
        assert (row["status"] == "success") == (expected is None), (cell, row.to_dict())
        if expected is None:
            assert row["to_id"] == ids[0]
            sent.add((deal, ids[0]))
        else:
            assert row["error_code"] == expected
    assert _links(sandbox) == sent  # exactly the rows reported as applied


@pytest.mark.parametrize(
    ("held", "asked"),
    [("strasse@example.de", "straße@example.de"), ("straße@example.de", "strasse@example.de")],
)
def test_an_email_that_only_folds_to_another_is_not_that_contact(
    sandbox: Sandbox, held: str, asked: str
) -> None:
    """Values matched with ``casefold``, which takes 'straße' for 'strasse': a row naming an
    address HubSpot does not hold was sent with the id of the contact holding the other one.
    Case is all that is ignored now."""
    sandbox.add_records("contacts", ["4200000001"], [{"email": held}])
    frame = pd.DataFrame(
        {
            "Deal ID": ["2040000030", "2040000031"],
            "Contact email": [asked, held.replace("example", "Example")],
        }
    )
    result = associate(read_pairs(frame), client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["failed", "success"], result
    assert result.loc[0, "error_code"] == "OBJECT_NOT_FOUND"
    assert result.loc[1, "to_id"] == "4200000001"
    links = sandbox.associations("deals", "contacts")
    assert links.query("to_id == '4200000001'")["from_id"].astype(str).tolist() == ["2040000031"]


# Letters that ``lower`` maps onto another letter with a capital of its own: the Kelvin sign,
# the Angstrom sign, the Ohm sign, the theta symbol (the only four).  A value spelt with one is
# not the address HubSpot holds; a difference of case (ASCII, accented, the capital sharp s, a
# title-case digraph) still is.
LOOKALIKES = [
    ("kate@example.de", "\u212aate@example.de"),
    ("ana@\u00e5s.example", "ana@\u212bs.example"),
    ("\u03c9@example.de", "\u2126@example.de"),
    ("\u03b8@example.de", "\u03f4@example.de"),
]
CASE_ONLY = [
    ("kate@example.de", "KATE@Example.DE"),
    ("jos\u00e9@example.de", "JOS\u00c9@example.de"),
    ("stra\u00dfe@example.de", "STRA\u1e9eE@example.de"),  # the capital sharp s
    ("\u01c6x@example.de", "\u01c5x@example.de"),  # a title-case digraph
]


@pytest.mark.parametrize(("held", "asked"), LOOKALIKES + [(b, a) for a, b in LOOKALIKES])
def test_a_value_matching_only_through_a_lookalike_letter_is_not_that_record(
    sandbox: Sandbox, held: str, asked: str
) -> None:
    """Values were keyed by ``lower`` alone: a row naming 'Kate@...' spelt with the Kelvin sign
    went to kate@...'s contact, when the sheet held both spellings (HubSpot answered the plain
    one) or when HubSpot matched it as the sandbox does.  Now the row is not sent, and says
    which record it only looks like."""
    sandbox.add_records("contacts", ["4200000001"], [{"email": held}])
    frame = pd.DataFrame({"Deal ID": ["2040000030", "2040000031"], "Contact email": [asked, held]})
    issues = validate_pairs(read_pairs(frame), client=client_for(sandbox))  # as the run finds
    assert (issues["code"].tolist(), issues["row"].tolist()) == (["AMBIGUOUS_RECORD"], [2])
    result = associate(read_pairs(frame), client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["failed", "success"], result
    assert result.loc[0, "error_code"] == "AMBIGUOUS_RECORD"
    message = str(result.loc[0, "error_message"])
    assert "4200000001" in message and "lookalike" in message and asked in message, message
    (sign,) = {c for c in held + asked if _lookalike_letter(c)}
    assert f"U+{ord(sign):04X}" in message, message
    assert result.loc[1, "to_id"] == "4200000001"
    links = sandbox.associations("deals", "contacts")
    assert links.query("to_id == '4200000001'")["from_id"].astype(str).tolist() == ["2040000031"]


@pytest.mark.parametrize(("held", "asked"), CASE_ONLY + [(b, a) for a, b in CASE_ONLY])
def test_a_value_differing_only_in_case_is_that_record(
    sandbox: Sandbox, held: str, asked: str
) -> None:
    sandbox.add_records("contacts", ["4200000001"], [{"email": held}])
    frame = pd.DataFrame({"Deal ID": ["2040000030"], "Contact email": [f" {asked} "]})
    result = associate(read_pairs(frame), client_for(sandbox), progress=False)
    assert result["status"].tolist() == ["success"], result
    assert result.loc[0, "to_id"] == "4200000001"


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=12), st.sampled_from(["upper", "lower", "title", "swapcase", "capitalize"]))
def test_a_change_of_case_alone_is_the_same_value(text: str, case: str) -> None:
    """Whatever the letters, a value and its change of case that keep one key match, unless
    a lookalike letter (which lower case or case folding maps onto another: the Kelvin sign,
    the long s, the micro sign, the final sigma) is where they differ, or a capital sigma
    whose lower case where it stands is not the sigma it was ('aσ' -> 'AΣ' -> 'aς')."""
    other = getattr(text, case)()
    if _key(text) != _key(other):
        return  # not one key: never compared ('ß' -> 'SS')
    lookalike = any(_lookalike(c) for c in text + other) or "\u03a3" in text + other
    assert _same(text, other) or lookalike, (text, other)
    assert _same(text, text)


@pytest.mark.parametrize("sign", ["\u212a", "\u212b", "\u2126", "\u03f4"])
def test_a_lookalike_letter_never_matches_the_letter_it_lowers_to(sign: str) -> None:
    plain = sign.lower()
    assert _key(sign) == _key(plain) and not _same(f"a{sign}b", f"a{plain}b")
    assert _same(f"a{sign}b", f"A{sign}B")  # the lookalike itself, in another case around
