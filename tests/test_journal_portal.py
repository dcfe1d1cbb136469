"""A journal, a report and a result table belong to the portal their run sent to.

Before: a journal written while rehearsing in one portal (the sandbox) and given to the run
against another reported every recorded row ``success`` there while nothing was sent, and an
undo from it in another portal removed that portal's own associations.  The journal now keeps
the base URL and a salted SHA-256 of the access token of its runs (never the token), and a run
or an undo against another portal or with another token stops before anything is read or
sent.  The same portal and token resume and undo as before.  A result table (in memory) and
an .xlsx report (its Summary names the host) refuse an undo sent elsewhere the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, workbook_bytes

pytestmark = pytest.mark.profiles

Factory = Callable[..., Sandbox]
DEALS = ["7300000001", "7300000002"]
CONTACTS = ["8300000001", "8300000002"]
SHEET = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})


def _portal(make: Factory) -> Sandbox:
    sb = make(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return sb


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], strict=True))


def _associate(sb: Sandbox, journal: Path, **kwargs: object) -> pd.DataFrame:
    client = client_for(sb, **kwargs)  # type: ignore[arg-type]
    return hf.associate(hf.read_pairs(SHEET), client, journal=journal, progress=False)


@pytest.mark.parametrize("dry_run_first", [False, True])
def test_a_journal_of_a_rehearsal_is_refused_by_the_real_run(
    sandbox_factory: Factory, tmp_path: Path, dry_run_first: bool
) -> None:
    """Before: the real run read both rows as done, reported them success, sent nothing."""
    journal = tmp_path / "run.sqlite"
    rehearsal, real = _portal(sandbox_factory), _portal(sandbox_factory)
    first = hf.associate(
        hf.read_pairs(SHEET),
        client_for(rehearsal),
        journal=journal,
        dry_run=dry_run_first,
        progress=False,
    )
    assert set(first["status"]) == {"planned" if dry_run_first else "success"}
    with pytest.raises(InputError) as info:
        _associate(real, journal)
    message = str(info.value)
    assert f"journal {journal}: written by runs against another access token" in message
    assert "Give a new journal file" in message
    assert real.request_log().empty and not _linked(real)
    fresh = _associate(real, tmp_path / "real.sqlite")
    assert set(fresh["status"]) == {"success"} and len(_linked(real)) == 2


def test_another_token_at_the_same_address_is_refused(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    sb = _portal(sandbox_factory)
    journal = tmp_path / "run.sqlite"
    _associate(sb, journal)
    other = sb.create_token(["crm.objects.deals.write", "crm.objects.contacts.write"])
    with pytest.raises(InputError, match="another access token"):
        _associate(sb, journal, token=other)
    again = _associate(sb, journal)  # the same portal and token resume as before
    assert set(again["status"]) == {"success"}


def test_undo_from_a_journal_only_in_its_own_portal(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Before: the undo in the other portal removed an association that portal had before."""
    journal = tmp_path / "run.sqlite"
    first, other = _portal(sandbox_factory), _portal(sandbox_factory)
    other.associate("deals", DEALS[0], "contacts", CONTACTS[0])
    _associate(first, journal)
    with pytest.raises(InputError, match="written by runs against another access token"):
        hf.undo(journal, client_for(other), progress=False)
    assert _linked(other) == {(DEALS[0], CONTACTS[0])}
    assert other.request_log().empty
    done = hf.undo(journal, client_for(first), progress=False)
    assert set(done["status"]) == {"success"} and not _linked(first)


def test_the_journal_never_holds_the_token(sandbox_factory: Factory, tmp_path: Path) -> None:
    sb = _portal(sandbox_factory)
    journal = tmp_path / "run.sqlite"
    _associate(sb, journal)
    for path in tmp_path.iterdir():  # the database and any WAL file beside it
        assert sb.token.encode() not in path.read_bytes()
    with Journal(journal) as opened:
        key = opened.portal()
    assert key is not None and key.base_url == sb.url and len(key.token) == 64
    assert sb.token not in repr(key)


def test_the_command_line_says_so_in_one_line(
    sandbox_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal, sheet = tmp_path / "run.sqlite", tmp_path / "pairs.csv"
    sheet.write_text(
        "Deal ID,Contact ID\n" + "".join(f"{d},{c}\n" for d, c in zip(DEALS, CONTACTS, strict=True))
    )
    rehearsal, real = _portal(sandbox_factory), _portal(sandbox_factory)
    for sb, code in ((rehearsal, 0), (real, 2)):
        hub = ["--token", sb.token, "--base-url", sb.url]
        assert main(["associate", str(sheet), "--journal", str(journal), *hub]) == code
    err = capsys.readouterr().err
    assert "written by runs against another access token" in err and "Traceback" not in err
    assert rehearsal.token not in err and real.token not in err
    assert not _linked(real)


def test_a_journal_of_the_format_before_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with Journal(path):
        pass
    db = sqlite3.connect(path)
    db.execute("DROP TABLE portal")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with pytest.raises(InputError, match=r"older hubframe \(journal format 2, which does not say"):
        Journal(path)


def _elsewhere(sb: Sandbox) -> HubSpotClient:
    """The same sandbox by another address: to the run's records, another host."""
    url = sb.url.replace("127.0.0.1", "localhost")
    return HubSpotClient(token=sb.token, base_url=url, backoff_base=0.01, backoff_cap=0.05)


def test_an_undo_from_a_result_or_report_sent_elsewhere_is_refused(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Before: a rehearsal's report undone against the real portal removed, there, the pairs
    the rehearsal created, including ones the real portal had before."""
    sb = _portal(sandbox_factory)
    client = client_for(sb)
    result = hf.associate(hf.read_pairs(SHEET), client, record_existing=True, progress=False)
    report = hf.export_report(result, tmp_path / "report.xlsx")
    sent = len(sb.request_log())
    with pytest.raises(
        InputError, match=r"the run was sent to 127.0.0.1, and this undo would go to localhost"
    ):
        hf.undo(result, _elsewhere(sb), progress=False)
    with pytest.raises(InputError, match=r"report report.xlsx: the run was sent to 127.0.0.1,"):
        hf.undo(report, _elsewhere(sb), progress=False)
    assert len(sb.request_log()) == sent and len(_linked(sb)) == 2  # nothing read or sent
    done = hf.undo(report, client, progress=False)
    assert set(done["status"]) == {"success"} and not _linked(sb)


def test_a_report_says_where_its_run_sent(sandbox_factory: Factory, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    sb = _portal(sandbox_factory)
    result = hf.associate(hf.read_pairs(SHEET), client_for(sb), dry_run=True, progress=False)
    path = hf.export_report(result, tmp_path / "plan.xlsx")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python()
    assert ["base URL host", "127.0.0.1"] in [row[:2] for row in rows]
    assert sb.token not in str(rows)


def test_the_host_and_the_token_name_the_portal_not_the_port(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """A run through a proxy on another port resumes directly; the same token at another host
    is refused (hosts are compared, and tokens)."""
    from faultproxy import FaultProxy

    sb = _portal(sandbox_factory)
    journal = tmp_path / "run.sqlite"
    with FaultProxy(sb) as proxy:
        through = HubSpotClient(token=sb.token, base_url=proxy.url, backoff_base=0.01)
        hf.associate(hf.read_pairs(SHEET), through, journal=journal, progress=False)
    again = _associate(sb, journal)  # directly: the same host and token
    assert set(again["status"]) == {"success"}
    with pytest.raises(
        InputError, match=r"written by runs against the API at 127\.0\.0\.1, not localhost"
    ):
        hf.associate(hf.read_pairs(SHEET), _elsewhere(sb), journal=journal, progress=False)


def test_two_runs_binding_one_new_journal_keep_one_portal(
    sandbox_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs start on one new journal against two portals, and both find it unbound (the
    second looked before the first wrote): the first to write wins, the other is refused
    rather than writing a second portal, and the file holds one."""
    first, second = _portal(sandbox_factory), _portal(sandbox_factory)
    path = tmp_path / "run.sqlite"
    with Journal(path) as one, Journal(path) as two:
        one.bind(client_for(first))
        real, seen = Journal.portal, {"calls": 0}

        def stale_once(self: Journal) -> object:  # the second run's first look: unbound
            if self is two and seen["calls"] == 0:
                seen["calls"] += 1
                return None
            return real(self)

        monkeypatch.setattr(Journal, "portal", stale_once)
        with pytest.raises(InputError, match="another access token"):
            two.bind(client_for(second))
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM portal").fetchone() == (1,)
    db.close()


def test_a_report_that_is_not_a_workbook_or_has_no_results_says_so(tmp_path: Path) -> None:
    from hubframe.jobs import load_run

    broken = tmp_path / "report.xlsx"
    broken.write_bytes(b"not a workbook at all")
    # checked by the workbook guard before the engine opens it (8f660aa), in its words
    with pytest.raises(InputError, match=r"report\.xlsx: the workbook cannot be read; the file is"):
        load_run(broken)
    other = tmp_path / "other.xlsx"
    other.write_bytes(workbook_bytes({"Sheet": [["a", "b"], ["1", "2"]]}))
    with pytest.raises(InputError, match="no Results sheet; is it a hubframe report"):
        load_run(other)
