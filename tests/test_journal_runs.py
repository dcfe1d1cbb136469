"""A journal resumes the run it holds, and never takes a finished or undone run's work for done.

Before, a journal re-used every batch outcome it had ever recorded: associate with a journal,
undo it, associate again with the same journal, and every row came back ``success`` while
nothing was sent and the portal held none of them.  A journal now keeps its runs: a run that was
killed, cancelled or stopped (the daily limit) is left open and the next run resumes it; a run
that finished, or whose work an undo from the journal took back, is closed, and a later run
sends its batches again (association create is idempotent; the portal says what is there).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError, RateLimitError
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.journal import SCHEMA_VERSION, Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [str(5_100_000_001 + i) for i in range(12)]
CONTACTS = [str(6_100_000_001 + i) for i in range(12)]


Setting = tuple[Sandbox, pd.DataFrame, HubSpotClient, Path]


@pytest.fixture
def setting(sandbox_factory: Callable[..., Sandbox], tmp_path: Path) -> Setting:
    """A portal holding the sheet's records, the sheet, a client and a journal path."""
    sb = sandbox_factory(seed=None)
    sheet = _portal(sb)
    return sb, sheet, client_for(sb), tmp_path / "run.sqlite"


def _portal(sb: Sandbox) -> pd.DataFrame:
    sb.start()
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    return pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})


def _links(sb: Sandbox) -> int:
    return len(sb.associations("deals", "contacts"))


def _writes(sb: Sandbox) -> int:
    log = sb.request_log()
    return int(((log["method"] != "GET") & ~log["path"].str.endswith("/batch/read")).sum())


def _cancelled(sheet: pd.DataFrame, client: object, path: Path) -> pd.DataFrame:
    """A run of two-row batches, one at a time, cancelled once its first batch is done: it
    stays open in its journal."""
    cancel = threading.Event()
    return hf.associate(
        sheet, client, progress=False, journal=path, batch_size=2, workers=1,  # type: ignore[arg-type]
        cancel=cancel, on_progress=lambda rows: cancel.set(),
    )  # fmt: skip


@pytest.mark.parametrize("undo_from", ["journal", "journal object", "result"])
def test_a_run_after_an_undo_sends_again_and_says_what_the_portal_holds(
    setting: Setting, undo_from: str
) -> None:
    sb, sheet, client, path = setting
    first = hf.associate(sheet, client, progress=False, journal=path, batch_size=5)
    assert _links(sb) == len(sheet)
    if undo_from == "journal object":
        with Journal(path) as journal:
            hf.undo(journal, client, progress=False)
    else:
        hf.undo(path if undo_from == "journal" else first, client, progress=False)
    assert _links(sb) == 0
    sb.reset_request_log()
    again = hf.associate(sheet, client, progress=False, journal=path, batch_size=5)
    assert (again["status"] == "success").all()
    assert _links(sb) == len(sheet)  # before: 0, with every row reported success
    assert _writes(sb) == 3  # every batch sent again


def test_a_finished_run_is_not_taken_for_done_by_the_next(setting: Setting) -> None:
    """Associations removed by hand after a finished run are made again by the next run with
    the journal (it sends every batch again), not reported done from the journal."""
    sb, sheet, client, path = setting
    hf.associate(sheet, client, progress=False, journal=path, batch_size=5)
    hf.remove_associations(sheet.head(4), client, progress=False)  # by hand, in effect
    sb.reset_request_log()
    again = hf.associate(sheet, client, progress=False, journal=path, batch_size=5)
    assert (again["status"] == "success").all() and _links(sb) == len(sheet)
    assert _writes(sb) == 3


def test_a_cancelled_run_resumes_without_sending_its_batches_again(setting: Setting) -> None:
    sb, sheet, client, path = setting
    first = _cancelled(sheet, client, path)
    done = int((first["status"] == "success").sum())
    assert 0 < done < len(sheet)
    sb.reset_request_log()
    second = hf.associate(sheet, client, progress=False, journal=path, batch_size=2)
    assert (second["status"] == "success").all() and _links(sb) == len(sheet)
    assert _writes(sb) == (len(sheet) - done) // 2  # only the batches not done
    sb.reset_request_log()
    hf.associate(sheet, client, progress=False, journal=path, batch_size=2)
    assert _writes(sb) == len(sheet) // 2  # the run finished: all sent again


@pytest.mark.parametrize("format_", [3, 4])
def test_an_older_journal_is_brought_to_this_format_and_still_resumes(
    setting: Setting, format_: int
) -> None:
    sb, sheet, client, path = setting
    kwargs = {"progress": False, "journal": path, "batch_size": 2, "workers": 1}
    _cancelled(sheet, client, path)
    db = sqlite3.connect(path)  # as hubframe before runs (3) or before sent runs (4) wrote it
    older = (
        "ALTER TABLE batches DROP COLUMN run; ALTER TABLE before DROP COLUMN run; DROP TABLE runs; "
        if format_ == 3
        else ""
    )
    db.executescript(f"{older}ALTER TABLE sent DROP COLUMN run; PRAGMA user_version = {format_};")
    db.close()
    done = _links(sb)
    sb.reset_request_log()
    hf.associate(sheet, client, **kwargs)  # type: ignore[arg-type]
    assert _writes(sb) == (len(sheet) - done) // 2  # its batches were re-used: resumed
    with Journal(path) as journal:
        assert int(journal._db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with pytest.raises(InputError, match="older hubframe"):
        Journal(path)


def test_an_undo_of_a_stopped_runs_result_table_ends_its_journal_runs(setting: Setting) -> None:
    """A run cancelled half way stays open in its journal; undone from its result table (which
    names its journal), the next run with the journal sends the undone rows again instead of
    reporting them done from the journal."""
    sb, sheet, client, path = setting
    first = _cancelled(sheet, client, path)
    assert 0 < int((first["status"] == "success").sum()) < len(sheet)
    hf.undo(first, client, progress=False)
    assert _links(sb) == 0
    again = hf.associate(sheet, client, progress=False, journal=path, batch_size=2)
    assert (again["status"] == "success").all()
    assert _links(sb) == len(sheet)  # before: the undone rows reported done, not there


def test_a_new_run_reports_what_the_pairs_held_before_it_not_before_the_first_run(
    setting: Setting,
) -> None:
    """After a finished run, the next run with the journal reads what its pairs hold now:
    its ``existed_before`` said False for the first run's associations (the journal's first
    reading), so undoing the second run's table removed what the first run made.  Undo from
    the journal still takes back every run (the first reading)."""
    sb, sheet, client, path = setting
    first = hf.associate(sheet.head(6), client, progress=False, journal=path)
    assert (first["existed_before"] == False).all()  # noqa: E712
    second = hf.associate(sheet, client, progress=False, journal=path)
    assert second["existed_before"].tolist() == [True] * 6 + [False] * 6
    hf.undo(second, client, progress=False)
    assert _links(sb) == 6  # the second run's six taken back, the first run's kept
    hf.associate(sheet, client, progress=False, journal=path)
    hf.undo(path, client, progress=False)
    assert _links(sb) == 0  # every run of the journal taken back


def test_a_dry_run_reports_what_the_pairs_hold_now(setting: Setting) -> None:
    """A dry run with the journal of a finished run plans from what the pairs hold now, as
    the real run would (it said the first run's associations did not exist)."""
    _, sheet, client, path = setting
    hf.associate(sheet.head(4), client, progress=False, journal=path)
    plan = hf.associate(sheet, client, progress=False, journal=path, dry_run=True)
    assert plan["existed_before"].tolist() == [True] * 4 + [False] * 8
    with Journal(path) as journal:  # the dry run started no run
        assert journal._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_an_undo_of_a_journaled_runs_table_with_another_token_is_refused(
    setting: Setting, sandbox_factory: Callable[..., Sandbox]
) -> None:
    """The result table of a journaled run is undone only against the portal of its journal:
    another token at the same host (ports are not compared) was let through by the host
    check, and the undo went ahead in the other portal."""
    sb, sheet, client, path = setting
    result = hf.associate(sheet, client, progress=False, journal=path)
    other = sandbox_factory(seed=None)
    _portal(other)
    hf.associate(sheet, client_for(other), progress=False)  # the same pairs there
    before = _links(other)
    with pytest.raises(InputError, match="another access token"):
        hf.undo(result, client_for(other), progress=False)
    assert _links(other) == before and _links(sb) == len(sheet)


# --- an undo from a journal after another --------------------------------------------------------


def _pair_links(sb: Sandbox, deal: str, contact: str) -> set[int]:
    links = sb.associations("deals", "contacts")
    mine = links[(links["from_id"].astype(str) == deal) & (links["to_id"].astype(str) == contact)]
    return set(mine["type_id"].astype(int))


def test_an_undo_takes_back_only_the_runs_after_the_last_undo(tmp_path: Path) -> None:
    """Run 1, undo from the journal, the pair linked by hand, run 2 (which reports it existed),
    undo from the journal: the second undo took run 1 back again, with what the pair held
    before run 1, and removed the link made by hand.  Undoing once more takes nothing back."""
    from hubframe.testing import demo_ids, pairs_sheet

    deal, contact = str(demo_ids("deals")[9]), str(demo_ids("contacts")[49])
    sheet = pairs_sheet([(deal, contact, "Champion")])
    path = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        hf.associate(sheet, client, journal=path, progress=False)
        hf.undo(path, client, progress=False)
        assert _pair_links(sb, deal, contact) == set()
        hf.associate(sheet, client, progress=False)  # by hand, not journaled
        by_hand = _pair_links(sb, deal, contact)
        second = hf.associate(sheet, client, journal=path, progress=False)
        assert second["existed_before"].tolist() == [True]
        undone = hf.undo(path, client, progress=False)
        assert _pair_links(sb, deal, contact) == by_hand, undone
        again = hf.undo(path, client, progress=False)
        assert _pair_links(sb, deal, contact) == by_hand, again


def test_an_undo_that_left_rows_is_finished_by_the_next(tmp_path: Path) -> None:
    """An undo whose removals failed marks nothing: the next undo from the journal takes the
    rows back ("run the undo again")."""
    from faultproxy import FaultProxy

    from hubframe.testing import demo_ids, pairs_sheet

    deal, contact = str(demo_ids("deals")[9]), str(demo_ids("contacts")[48])
    path = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        hf.associate(pairs_sheet([(deal, contact, "")]), client, journal=path, progress=False)
        with FaultProxy(sb, then="reject", cued=True) as fp:
            proxied = HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)
            failed = hf.undo(path, proxied, progress=False)
        assert failed["status"].tolist() == ["failed"], failed
        assert _pair_links(sb, deal, contact)
        done = hf.undo(path, client, progress=False)
        assert done["status"].tolist() == ["success"], done
        assert _pair_links(sb, deal, contact) == set()


@pytest.mark.parametrize("how", ["daily limit", "cancelled"])
def test_an_undo_stopped_before_its_rows_is_finished_by_the_next(tmp_path: Path, how: str) -> None:
    """An undo stopped by the daily limit (its rows skipped, RATE_LIMITED) or cancelled before
    it sent marked the journal as taken back: the next undo from it took nothing back, and the
    run's associations stayed for good."""
    from faultproxy import FaultProxy

    from hubframe.testing import demo_ids, pairs_sheet

    deal, contact = str(demo_ids("deals")[9]), str(demo_ids("contacts")[47])
    path = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        hf.associate(pairs_sheet([(deal, contact, "")]), client, journal=path, progress=False)
        if how == "cancelled":
            cancel = threading.Event()
            cancel.set()
            stopped = hf.undo(path, client, progress=False, cancel=cancel)
        else:
            with FaultProxy(sb, then="daily", cued=True) as fp:
                proxied = HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)
                try:  # a stop while it reads the portal ends the undo: nothing was sent
                    stopped = hf.undo(path, proxied, progress=False)
                except RateLimitError:
                    stopped = None
        assert stopped is None or set(stopped["status"]) <= {"skipped", "failed"}, stopped
        assert _pair_links(sb, deal, contact)
        done = hf.undo(path, client, progress=False)
        assert done["status"].tolist() == ["success"], done
        assert _pair_links(sb, deal, contact) == set()


@pytest.mark.parametrize("ends", ["finished", "cancelled"])
def test_a_journal_deleted_under_its_run_is_warned_of(setting: Setting, ends: str) -> None:
    """SQLite goes on writing to the file it holds open: a journal deleted (or replaced) while
    its run wrote to it left nothing on disk, and a resume or undo from the path found none of
    the run, unseen.  The run now warns (``JournalGone``); a run that kept its file does not."""
    import os
    import warnings

    from hubframe.run.journal import JournalGone

    _, sheet, client, path = setting
    cancel = threading.Event()

    def progress(rows: int) -> None:
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if name.exists():
                os.remove(name)
        if ends == "cancelled":
            cancel.set()

    with pytest.warns(JournalGone, match="deleted or replaced while the run wrote to it"):
        hf.associate(
            sheet, client, progress=False, journal=path, batch_size=2, workers=1,  # type: ignore[arg-type]
            cancel=cancel, on_progress=progress,
        )  # fmt: skip
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        hf.associate(sheet, client, progress=False, journal=path, batch_size=5)
    assert not [w for w in said if issubclass(w.category, JournalGone)]
