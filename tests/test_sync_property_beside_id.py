"""A row naming its record by a column of the sheet's own beside an empty id cell.

``Deal ID, Contact ID, Contact email`` with a row whose ``Contact ID`` is empty and whose
``Contact email`` holds Liam's address: the reader keeps ``Contact email`` as a column of the
sheet's own (a side's own property beside its id column), and a sync took the row for "this
deal has no contacts" (``NO_TARGETS``) -- with removals allowed it removed the very contact the
row names.  Such a row is now ``invalid`` (``MISSING_VALUE``, naming the empty id column and
the filled one and its value), and like any invalid row of a sync it holds its record's
removals (``REMOVAL_HELD``).  A row whose other cells are all empty still means "no
associations"; a 'from' record's own property (a contact's ``Email`` beside its ``Contact
ID``, the 'from' side) does not name the 'to' side.

Also: a run called an empty email cell of a looked-up side a "record id" cell (validate: an
email), and its message ended in ``).).``.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
COMPANIES = [str(i) for i in demo_ids("companies")]

#: headers the reader recognises as a contact's email (PROPERTY_HEADERS)
EMAIL_HEADERS = ["Contact email", "Email", "E-mail", "Contact Email Address", "To Contact Email"]


def _property(sb: Sandbox, object_id: str, object_type: str, prop: str) -> str:
    record = sb.portal.records[object_type].get(int(object_id))
    assert record is not None, object_id
    return str(record[prop])


def _email(sb: Sandbox, contact: str) -> str:
    return _property(sb, contact, "0-1", "email")


def _links(sb: Sandbox, from_type: str, to_type: str) -> set[tuple[str, str]]:
    table = sb.associations(from_type, to_type)
    return set(zip(table["from_id"].astype(str), table["to_id"].astype(str), strict=True))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame.to_csv(path, index=False)
    return path


def _sheet_rows(result: pd.DataFrame) -> pd.DataFrame:
    """The result's rows of the sheet (not the portal's removal rows), as compared: a dry
    run's ``planned`` is a real run's ``success`` (the messages of those rows differ)."""
    rows = result.loc[result["row"].notna()]
    columns = ["row", "change", "status", "error_code", "error_message"]
    out = rows[columns].astype(str).reset_index(drop=True)
    sent = out["status"].isin(["planned", "success"])
    out.loc[sent, "status"] = "sent"
    out.loc[sent, "error_message"] = ""
    return out


def _removals(result: pd.DataFrame) -> pd.DataFrame:
    return result.loc[result["change"].astype(str) == "remove"]


def _sync_both(sb: Sandbox, path: Path, **kwargs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    client = client_for(sb)
    dry = hf.sync(
        hf.read_pairs(path, **kwargs), client, allow_removals=True, dry_run=True, progress=False
    )
    real = hf.sync(hf.read_pairs(path, **kwargs), client, allow_removals=True, progress=False)
    return dry, real


def _assert_named_row(result: pd.DataFrame, row: int, header: str, value: str) -> None:
    found = result.loc[result["row"].astype("Int64") == row]
    assert len(found) == 1, found
    got = found.iloc[0]
    assert got["status"] == "invalid", got.to_dict()
    assert got["error_code"] == "MISSING_VALUE", got.to_dict()
    message = str(got["error_message"])
    assert f"'{header}'" in message and value in message, message
    assert "is empty" in message and not message.endswith(")).") and "..)" not in message


# --- the 'to' side --------------------------------------------------------------------------


@pytest.mark.parametrize("header", EMAIL_HEADERS)
def test_an_email_beside_an_empty_contact_id_removes_nothing(tmp_path: Path, header: str) -> None:
    deal, olivia, liam = DEALS[0], CONTACTS[0], CONTACTS[1]
    with Sandbox(seed="demo") as sb:
        before = _links(sb, "deals", "contacts")
        assert {(deal, olivia), (deal, liam)} <= before
        path = _write(
            tmp_path / "p.csv",
            ["Deal ID", "Contact ID", header],
            [[deal, olivia, _email(sb, olivia)], [deal, "", _email(sb, liam)]],
        )
        issues = hf.validate_pairs(hf.read_pairs(path))
        assert "NO_TARGETS" not in set(issues["code"].astype(str))
        on_row = issues.loc[issues["row"] == 3]
        assert list(on_row["code"]) == ["MISSING_VALUE"], on_row
        assert list(on_row["severity"]) == ["error"]
        assert header in str(on_row["message"].iloc[0])
        assert _email(sb, liam) in str(on_row["message"].iloc[0])

        dry, real = _sync_both(sb, path)
        pd.testing.assert_frame_equal(_sheet_rows(dry), _sheet_rows(real))
        for result in (dry, real):
            _assert_named_row(result, 3, header, _email(sb, liam))
            removals = _removals(result)
            assert not removals.empty  # Liam's link is planned, and held
            assert set(removals["error_code"].astype(str)) == {"REMOVAL_HELD"}, removals
        assert _links(sb, "deals", "contacts") == before


@pytest.mark.parametrize("header", ["Company domain", "Domain", "Company Domain Name"])
def test_a_domain_beside_an_empty_company_id_removes_nothing(tmp_path: Path, header: str) -> None:
    deal, first, second = DEALS[0], COMPANIES[0], COMPANIES[1]
    with Sandbox(seed="demo") as sb:
        sb.associate("deals", deal, "companies", second)
        before = _links(sb, "deals", "companies")
        assert {(deal, first), (deal, second)} <= before
        domain = _property(sb, second, "0-2", "domain")
        path = _write(
            tmp_path / "p.csv",
            ["Deal ID", "Company ID", header],
            [[deal, first, _property(sb, first, "0-2", "domain")], [deal, "", domain]],
        )
        issues = hf.validate_pairs(hf.read_pairs(path))
        assert list(issues.loc[issues["row"] == 3, "code"]) == ["MISSING_VALUE"]
        dry, real = _sync_both(sb, path)
        pd.testing.assert_frame_equal(_sheet_rows(dry), _sheet_rows(real))
        for result in (dry, real):
            _assert_named_row(result, 3, header, domain)
        assert _links(sb, "deals", "companies") == before


def test_an_id_column_left_out_by_choice_names_the_record_too(tmp_path: Path) -> None:
    """``Contact ID (new)`` kept as a column of the sheet's own (the id columns chosen)."""
    deal, olivia, liam = DEALS[0], CONTACTS[0], CONTACTS[1]
    with Sandbox(seed="demo") as sb:
        before = _links(sb, "deals", "contacts")
        path = _write(
            tmp_path / "p.csv",
            ["Deal ID", "Contact ID", "Contact ID (new)"],
            [[deal, olivia, ""], [deal, "", liam]],
        )
        columns = {"Deal ID": "from_id", "Contact ID": "to_id"}
        dry, real = _sync_both(sb, path, columns=columns)
        pd.testing.assert_frame_equal(_sheet_rows(dry), _sheet_rows(real))
        _assert_named_row(real, 3, "Contact ID (new)", liam)
        assert _links(sb, "deals", "contacts") == before


# --- what still means "no associations" -----------------------------------------------------


def test_a_row_with_every_other_cell_empty_still_means_no_associations(tmp_path: Path) -> None:
    deal = DEALS[0]
    with Sandbox(seed="demo") as sb:
        named = {t for f, t in _links(sb, "deals", "contacts") if f == deal}
        assert named
        path = _write(
            tmp_path / "p.csv", ["Deal ID", "Contact ID", "Contact email"], [[deal, "", ""]]
        )
        issues = hf.validate_pairs(hf.read_pairs(path))
        assert list(issues["code"]) == ["MISSING_VALUE"]  # offline: said, with the sync's hint
        dry, real = _sync_both(sb, path)
        pd.testing.assert_frame_equal(_sheet_rows(dry), _sheet_rows(real))
        assert real.loc[real["row"].notna(), "error_code"].tolist() == ["NO_TARGETS"]
        assert {f for f, t in _links(sb, "deals", "contacts") if f == deal} == set()
        assert set(_removals(real)["to_id"].astype(str)) == named


def test_a_from_records_own_email_does_not_name_the_to_side(tmp_path: Path) -> None:
    """``Contact ID, Email, Deal ID``: the email is the 'from' contact's own; a row naming the
    contact and no deal still means "this contact has no deals"."""
    contact = CONTACTS[0]
    with Sandbox(seed="demo") as sb:
        deals = {t for f, t in _links(sb, "contacts", "deals") if f == contact}
        assert deals
        path = _write(
            tmp_path / "p.csv",
            ["Contact ID", "Email", "Deal ID"],
            [[contact, _email(sb, contact), ""]],
        )
        dry, real = _sync_both(sb, path)
        pd.testing.assert_frame_equal(_sheet_rows(dry), _sheet_rows(real))
        assert real.loc[real["row"].notna(), "error_code"].tolist() == ["NO_TARGETS"]
        assert not {t for f, t in _links(sb, "contacts", "deals") if f == contact}


# --- the 'from' side ------------------------------------------------------------------------


def test_an_email_beside_an_empty_from_id_is_named_and_removes_nothing(tmp_path: Path) -> None:
    olivia, liam, deal = CONTACTS[0], CONTACTS[1], DEALS[0]
    with Sandbox(seed="demo") as sb:
        before = _links(sb, "contacts", "deals")
        path = _write(
            tmp_path / "p.csv",
            ["Contact ID", "Contact email", "Deal ID"],
            [[olivia, _email(sb, olivia), deal], ["", _email(sb, liam), ""]],
        )
        issues = hf.validate_pairs(hf.read_pairs(path))
        from_issue = issues.loc[(issues["row"] == 3) & (issues["column"] == "from_id")]
        assert list(from_issue["code"]) == ["MISSING_VALUE"]
        assert "'Contact email'" in str(from_issue["message"].iloc[0])
        assert "NO_TARGETS" not in set(issues["code"].astype(str))
        dry, real = _sync_both(sb, path)
        pd.testing.assert_frame_equal(_sheet_rows(dry), _sheet_rows(real))
        _assert_named_row(real, 3, "Contact email", _email(sb, liam))
        assert _links(sb, "contacts", "deals") == before


# --- the CLI --------------------------------------------------------------------------------


def test_the_cli_holds_the_removal(tmp_path: Path) -> None:
    deal, olivia, liam = DEALS[0], CONTACTS[0], CONTACTS[1]
    with Sandbox(seed="demo") as sb:
        emails = (_email(sb, olivia), _email(sb, liam))
    path = _write(
        tmp_path / "p.csv",
        ["Deal ID", "Contact ID", "Contact email"],
        [[deal, olivia, emails[0]], [deal, "", emails[1]]],
    )
    report = tmp_path / "r.csv"
    command = [sys.executable, "-m", "hubframe", "sync", str(path), "--sandbox", "--delete"]
    proc = subprocess.run(
        [*command, "--report", str(report)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert report.exists(), proc.stderr
    result = pd.read_csv(report, dtype=str)
    rows = result.loc[result["row"].notna()]
    assert rows.loc[rows["row"] == "3", "error_code"].tolist() == ["MISSING_VALUE"]
    removals = result.loc[result["change"] == "remove"]
    assert set(removals["status"]) <= {"skipped"}, removals
    assert set(removals["error_code"]) == {"REMOVAL_HELD"}


# --- the empty email cell of a looked-up side -----------------------------------------------


def test_an_empty_email_cell_is_called_an_email_by_the_run_too(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", ["Deal ID", "Contact email"], [[DEALS[0], ""]])
    pairs = hf.read_pairs(path)
    said = str(hf.validate_pairs(pairs)["message"].iloc[0])
    with Sandbox(seed="demo") as sb:
        run = hf.associate(pairs, client_for(sb), dry_run=True, progress=False)
    message = str(run["error_message"].iloc[0])
    assert "the 'to' email (column 'Contact email')" in said
    assert message == said, (message, said)
    assert not message.endswith(").).") and not message.endswith(")).")


# --- seeded: rows of every kind, nothing a row names is removed -----------------------------


@pytest.mark.parametrize("seed", seeds(4))
def test_seeded_sheets_remove_nothing_a_row_names(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    header = rng.choice(EMAIL_HEADERS)
    deals = DEALS[:3]
    with Sandbox(seed="demo") as sb:
        before = _links(sb, "deals", "contacts")
        contacts = sorted({t for f, t in before if f in deals})
        rows: list[list[str]] = []
        named: set[tuple[str, str]] = set()
        for deal in deals:
            for contact in rng.sample(contacts, k=rng.randint(1, min(3, len(contacts)))):
                how = rng.choice(["id", "email", "both"])
                cell_id = "" if how == "email" else contact
                cell_email = "" if how == "id" else _email(sb, contact)
                rows.append([deal, cell_id, cell_email])
                named.add((deal, contact))
        rng.shuffle(rows)
        path = _write(tmp_path / "p.csv", ["Deal ID", "Contact ID", header], rows)
        dry, real = _sync_both(sb, path)
        pd.testing.assert_frame_equal(_sheet_rows(dry), _sheet_rows(real))
        assert "NO_TARGETS" not in set(real["error_code"].dropna().astype(str))
        after = _links(sb, "deals", "contacts")
        assert {p for p in named if p in before} <= after, "a row's contact was removed"
        emailed = {(r[0]) for r in rows if not r[1]}
        for deal in emailed:  # an invalid row of the deal: nothing of it removed
            assert {p for p in before if p[0] == deal} <= after
