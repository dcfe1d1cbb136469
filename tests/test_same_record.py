"""A record is not associated with itself.

A contact list (Contact ID, the contact's own Email, Company Name) was read as contacts ->
contacts pairs by email: validation found nothing, and the run associated each contact with
itself.  A row whose two sides are one record (the same object type, in any spelling, and the
same id; for emails and domains, once looked up) is ``invalid`` ``SAME_RECORD`` and never sent.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fuzzseeds import seeds
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox, demo
from hubframe.testing import client_for

CONTACTS = [str(i) for i in demo.CONTACT_IDS[:3]]
EMAILS = [demo.contact_properties()[i]["email"] for i in range(3)]


@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_a_list_of_contacts_and_their_emails_associates_nothing(version: str) -> None:
    sheet = pd.DataFrame({"Contact ID": CONTACTS, "Email": EMAILS, "Company": ["N"] * 3})
    with Sandbox(seed="demo") as sb:
        before = sb.associations("contacts", "contacts")
        result = hf.associate(sheet, client_for(sb, api_version=version), progress=False)
        after = sb.associations("contacts", "contacts")
    assert result["status"].tolist() == ["invalid"] * 3, result
    assert set(result["error_code"]) == {"SAME_RECORD"}
    assert "with itself" in str(result["error_message"].iloc[0])
    pd.testing.assert_frame_equal(after, before)


SPELLINGS = {"deals": ["deals", "Deal", "0-3", " DEALS "], "contacts": ["contacts", "Contact"]}


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["deals", "contacts"]),
            st.sampled_from(["deals", "contacts"]),
            st.sampled_from(["12345", "12346", " 12345", "12345.0"]),
            st.sampled_from(["12345", "12346", "12345 "]),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_same_record_is_exactly_one_type_and_one_id(
    rows: list[tuple[str, str, str, str, int]],
) -> None:
    def spelled(kind: str, n: int) -> str:
        names = SPELLINGS[kind]
        return names[n % len(names)]

    frame = pd.DataFrame(
        {
            "from_type": [spelled(f, n) for f, _, _, _, n in rows],
            "to_type": [spelled(t, n + 1) for _, t, _, _, n in rows],
            "from_id": [a for _, _, a, _, _ in rows],
            "to_id": [b for _, _, _, b, _ in rows],
        }
    )
    issues = hf.validate_pairs(frame)
    flagged = set(issues.loc[issues["code"] == "SAME_RECORD", "position"])
    expected = {
        i
        for i, (f, t, a, b, _) in enumerate(rows)
        if f == t and a.strip().removesuffix(".0") == b.strip()
    }
    assert flagged == expected


def test_a_rows_own_error_comes_before_what_its_lookup_found() -> None:
    """A row with an empty 'from' email and an unknown domain: validate said MISSING_VALUE
    (invalid), the run said the lookup's OBJECT_NOT_FOUND (failed) naming only the domain."""
    sheet = hf.read_pairs(
        pd.DataFrame({"Contact Email": ["", EMAILS[0]], "Company Domain": ["nosuch.example"] * 2})
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(sheet, client_for(sb), progress=False)
    assert result["status"].tolist() == ["invalid", "failed"], result
    assert result["error_code"].tolist() == ["MISSING_VALUE", "OBJECT_NOT_FOUND"]


@pytest.mark.parametrize("seed", seeds(6))
def test_validation_with_a_client_finds_what_the_run_finds_after_lookups(seed: int) -> None:
    """Emails looked up, then the ids compared: the run refused a row whose two emails name
    one contact (SAME_RECORD) while ``validate --online`` said "no problems found"."""
    import random

    rng = random.Random(seed)
    emails = [demo.contact_properties()[i]["email"] for i in range(6)]

    def spelled(email: str) -> str:
        return rng.choice([email, email.upper(), f" {email} ", email.title()])

    rows = [(spelled(rng.choice(emails)), spelled(rng.choice(emails))) for _ in range(8)]
    rows.append((spelled(emails[0]), "nobody@example.com"))
    sheet = pd.DataFrame(rows, columns=["Contact email", "Associated contact email"])
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        pairs = hf.read_pairs(sheet)
        issues = hf.validate_pairs(pairs, client)
        plan = hf.associate(pairs, client, dry_run=True, progress=False)
    errors = issues.loc[issues["severity"] == "error"]  # a repeated row is a warning
    found = {(int(r), str(c)) for r, c in zip(errors["row"], errors["code"], strict=True)}
    refused = plan.loc[plan["status"].isin(["invalid", "failed"])]
    ran = {(int(r), str(c)) for r, c in zip(refused["row"], refused["error_code"], strict=True)}
    assert found == ran, (rows, found, ran)
    assert any(code == "SAME_RECORD" for _, code in ran) or not any(
        a.strip().lower() == b.strip().lower() for a, b in rows
    )
