"""A report names the portal its run sent to, and an undo of it with another portal's token stops.

Before: an .xlsx report said only the host (every HubSpot portal is at api.hubapi.com), so an
undo of it with another portal's token went ahead, removing there the associations the report
lists that portal holds.  The Summary sheet now keeps a salted SHA-256 of the run's token
(``portal key``; never the token), and the undo stops before anything is read or sent.  A
key edited by hand stops it too (naming the cell); a cleared key lets an undo with a token
made since for the same portal go on.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.run.journal import ReportJournalLeftOut
from hubframe.run.portal import PORTAL_LABEL, PortalKey, PortalUnchecked
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

pytestmark = pytest.mark.profiles

Factory = Callable[..., Sandbox]
DEALS = ["7400000001", "7400000002"]
CONTACTS = ["8400000001", "8400000002"]
SHEET = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})
SCOPES = [
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
]


def _portal(make: Factory) -> Sandbox:
    sb = make(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _linked(sb: Sandbox) -> int:
    return len(sb.associations("deals", "contacts"))


def _report(sb: Sandbox, path: Path) -> Path:
    result = hf.associate(
        hf.read_pairs(SHEET), client_for(sb), record_existing=True, progress=False
    )
    assert set(result["status"]) == {"success"}
    return hf.export_report(result, path)


def _key_cell(path: Path) -> str | None:
    book = openpyxl.load_workbook(path, read_only=True)
    found = [
        r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0] == PORTAL_LABEL
    ]
    book.close()
    assert len(found) == 1
    return found[0]


def _set_key_cell(path: Path, value: str | None) -> None:
    book = openpyxl.load_workbook(path)
    for row in book["Summary"].iter_rows():
        if row[0].value == PORTAL_LABEL:
            row[1].value = value
    book.save(path)


def test_an_undo_of_a_report_with_another_portals_token_is_refused(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    sb = _portal(sandbox_factory)
    report = _report(sb, tmp_path / "report.xlsx")
    other = client_for(sb, token=sb.create_token(SCOPES))
    sb.reset_request_log()
    with pytest.raises(InputError, match=r"report report\.xlsx: the run was sent with another"):
        hf.undo(report, other, progress=False)
    assert sb.request_log().empty and _linked(sb) == 2  # nothing read, nothing removed
    done = hf.undo(report, client_for(sb), progress=False)  # the run's own token: undone
    assert set(done["status"]) == {"success"} and _linked(sb) == 0


def test_the_key_is_a_salted_hash_never_the_token(sandbox_factory: Factory, tmp_path: Path) -> None:
    """Two reports of one portal hold two keys (a new salt each), neither holds the token, and
    each is the run's: it matches the run's client and not another token's."""
    sb = _portal(sandbox_factory)
    first = _key_cell(_report(sb, tmp_path / "one.xlsx"))
    second = _key_cell(_report(sb, tmp_path / "two.xlsx"))
    assert first and second and first != second
    for text in (first, second):
        assert re.fullmatch(r"sha256:[0-9a-f]{32}:[0-9a-f]{64}", text)
        assert sb.token not in text
        key = PortalKey.from_text("127.0.0.1", text)
        assert key is not None and key.matches(client_for(sb))
        assert not key.matches(client_for(sb, token=sb.create_token(SCOPES)))


@pytest.mark.parametrize(
    "edited",
    ["sha256:abc", "sha256:" + "0" * 32 + ":zz", "mine", "md5:" + "0" * 32 + ":" + "0" * 64],
)
def test_a_key_edited_by_hand_stops_the_undo_naming_the_cell(
    sandbox_factory: Factory, tmp_path: Path, edited: str
) -> None:
    sb = _portal(sandbox_factory)
    report = _report(sb, tmp_path / "report.xlsx")
    _set_key_cell(report, edited)
    sb.reset_request_log()
    with pytest.raises(InputError, match=f"'{PORTAL_LABEL}' cell") as info:
        hf.undo(report, client_for(sb), progress=False)
    assert repr(edited) in str(info.value)
    assert sb.request_log().empty and _linked(sb) == 2


def test_a_cleared_key_lets_a_token_made_since_undo(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """The way out the refusal names, for a token rotated in the same portal."""
    sb = _portal(sandbox_factory)
    report = _report(sb, tmp_path / "report.xlsx")
    rotated = client_for(sb, token=sb.create_token(SCOPES))
    with pytest.raises(InputError, match="clear the Summary sheet's 'portal key' cell"):
        hf.undo(report, rotated, progress=False)
    _set_key_cell(report, None)
    with pytest.warns(PortalUnchecked, match="'portal key' cell is empty"):
        done = hf.undo(report, rotated, progress=False)
    assert set(done["status"]) == {"success"} and _linked(sb) == 0


def test_a_wrong_token_on_another_host_names_the_host_first(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    sb = _portal(sandbox_factory)
    report = _report(sb, tmp_path / "report.xlsx")
    elsewhere = client_for(sb, token=sb.create_token(SCOPES))
    elsewhere.base_url = sb.url.replace("127.0.0.1", "localhost")
    with pytest.raises(InputError, match=r"the run was sent to 127\.0\.0\.1"):
        hf.undo(report, elsewhere, progress=False)


def _drop_summary_row(path: Path, label: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Summary"]
    for row in sheet.iter_rows():
        if row[0].value == label:
            sheet.delete_rows(row[0].row)
            break
    book.save(path)


def test_a_key_without_its_host_row_is_still_checked(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Before: the key was read with the host, and a Summary whose 'base URL host' row was
    deleted let an undo with another portal's token go ahead."""
    sb = _portal(sandbox_factory)
    report = _report(sb, tmp_path / "report.xlsx")
    _drop_summary_row(report, "base URL host")
    other = client_for(sb, token=sb.create_token(SCOPES))
    sb.reset_request_log()
    with pytest.raises(InputError, match="the run was sent with another access token"):
        hf.undo(report, other, progress=False)
    assert sb.request_log().empty and _linked(sb) == 2
    done = hf.undo(report, client_for(sb), progress=False)
    assert set(done["status"]) == {"success"} and _linked(sb) == 0


@pytest.mark.parametrize("spelling", ["{t}", " {t} ", "Bearer {t}", "key={t}&x=1"])
def test_a_token_pasted_into_the_key_cell_is_not_said(
    sandbox_factory: Factory, tmp_path: Path, spelling: str
) -> None:
    """The refusal of a key edited by hand quotes the cell: a token pasted there (the cell
    says "portal key") must not reach the message, as no message of hubframe holds it."""
    sb = _portal(sandbox_factory)
    report = _report(sb, tmp_path / "report.xlsx")
    _set_key_cell(report, spelling.format(t=sb.token))
    with pytest.raises(InputError, match=f"'{PORTAL_LABEL}' cell") as info:
        hf.undo(report, client_for(sb), progress=False)
    said = str(info.value)
    assert sb.token not in said, said
    assert _linked(sb) == 2


# --- a table that does not name its portal: the undo says it could not check -----------------


def _undo_warnings(run: object, client: hf.HubSpotClient, **kw: object) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hf.undo(run, client, progress=False, **kw)  # type: ignore[arg-type]
    return [str(w.message) for w in caught if issubclass(w.category, PortalUnchecked)]


def test_an_undo_of_a_csv_report_says_its_portal_was_not_checked(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """A .csv report keeps no Summary: its undo goes on (the rows are the run's) but says the
    token could not be checked, and where to undo from instead.  Its dry run says it too: it
    said nothing, so the review before the undo gave no hint that a rehearsal's report undone
    with a real portal's token would take back that portal's own associations."""
    sb = _portal(sandbox_factory)
    result = hf.associate(
        hf.read_pairs(SHEET), client_for(sb), record_existing=True, progress=False
    )
    report = hf.export_report(result, tmp_path / "report.csv")
    planned = _undo_warnings(report, client_for(sb), dry_run=True)
    assert len(planned) == 1 and ".xlsx report" in planned[0] and _linked(sb) == 2
    said = _undo_warnings(report, client_for(sb))
    assert len(said) == 1 and "127.0.0.1" in said[0] and ".xlsx report" in said[0]
    assert _linked(sb) == 0  # undone all the same


@pytest.mark.parametrize("source", ["table", "xlsx", "journal"])
def test_an_undo_of_what_names_its_portal_says_nothing_of_it(
    sandbox_factory: Factory, tmp_path: Path, source: str
) -> None:
    sb = _portal(sandbox_factory)
    journal = tmp_path / "run.sqlite"
    result = hf.associate(hf.read_pairs(SHEET), client_for(sb), journal=journal, progress=False)
    run: object = {
        "table": result,
        "xlsx": hf.export_report(result, tmp_path / "r.xlsx"),
        "journal": journal,
    }[source]
    assert _undo_warnings(run, client_for(sb)) == []
    assert _linked(sb) == 0


def test_a_cleared_key_or_a_table_read_by_hand_is_said_unchecked(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    sb = _portal(sandbox_factory)
    report = _report(sb, tmp_path / "report.xlsx")
    _set_key_cell(report, None)
    assert len(_undo_warnings(report, client_for(sb), dry_run=True)) == 1  # as the undo says
    assert _linked(sb) == 2
    assert len(_undo_warnings(report, client_for(sb))) == 1
    result = hf.associate(
        hf.read_pairs(SHEET), client_for(sb), record_existing=True, progress=False
    )
    by_hand = pd.read_csv(hf.export_report(result, tmp_path / "r.csv"), dtype=str)
    assert len(_undo_warnings(by_hand, client_for(sb))) == 1
    assert _linked(sb) == 0


def test_an_undo_of_a_run_that_applied_nothing_says_nothing(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    sb = _portal(sandbox_factory)
    result = hf.associate(hf.read_pairs(SHEET), client_for(sb), dry_run=True, progress=False)
    report = hf.export_report(result, tmp_path / "r.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(hf.InputError, match="the result of a dry run"):  # nothing sent
            hf.undo(report, client_for(sb), progress=False)
    assert not [w for w in caught if issubclass(w.category, PortalUnchecked)]


def test_a_dry_run_warns_when_the_journal_its_report_names_is_gone(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """A report whose Summary names a journal that is not there any more (moved, deleted),
    its portal key cleared: the undo warns that it could not check the portal, and its dry run
    said nothing (it took the journal named for one that checks)."""
    sb = _portal(sandbox_factory)
    journal = tmp_path / "run.sqlite"
    result = hf.associate(hf.read_pairs(SHEET), client_for(sb), journal=journal, progress=False)
    report = hf.export_report(result, tmp_path / "r.xlsx")
    _set_key_cell(report, None)
    journal.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReportJournalLeftOut)
        assert len(_undo_warnings(report, client_for(sb), dry_run=True)) == 1
        assert _linked(sb) == 2
        assert len(_undo_warnings(report, client_for(sb))) == 1
    assert _linked(sb) == 0
