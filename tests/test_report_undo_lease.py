"""An undo of a report (or a result table) whose run's journal another run is writing to is
refused, as an undo from the journal itself is (tests/test_journal_live_undo.py).

Run 1 linked a sheet with ``--journal j --report rx.xlsx``.  Analyst A undid ``rx.xlsx``
while analyst B ran the same sheet with ``j``: A's undo marked in ``j`` what it took back
under a run number later than B's, so every row B sent before that mark was "taken back
already": undoing B's report, and then the journal, left all of B's links in HubSpot
(helper-209).  The undo of a report takes the journal's lease before it reads or writes it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
from test_journal_live_undo import PAIRS, _links, _portal, _wait_for

import hubframe as hf
from hubframe.errors import InputError
from hubframe.run.lease import run_lease
from hubframe.testing import client_for


def _first_run(sb: object, path: Path, report: Path) -> pd.DataFrame:
    pairs = hf.read_pairs(PAIRS.iloc[:40], from_type="deals", to_type="contacts")
    result = hf.associate(pairs, client_for(sb), journal=path, progress=False)  # type: ignore[arg-type]
    hf.export_report(result, report)
    return result


@pytest.mark.parametrize("undone", ["xlsx", "table"])
def test_an_undo_of_a_report_is_refused_while_a_run_holds_its_journal(
    tmp_path: Path, undone: str
) -> None:
    path, report = tmp_path / "j.sqlite", tmp_path / "rx.xlsx"
    with _portal(rate=None) as sb:
        result = _first_run(sb, path, report)
        before = _links(sb)
        with run_lease(path):  # a run of the journal records in another terminal
            with pytest.raises(InputError, match="a run is writing to it now"):
                hf.undo(report if undone == "xlsx" else result, client_for(sb), progress=False)
            assert _links(sb) == before  # nothing taken back
        planned = hf.undo(report, client_for(sb), progress=False, dry_run=True)
        assert set(planned["status"]) == {"planned"}  # a dry run writes nothing: not refused
        done = hf.undo(report if undone == "xlsx" else result, client_for(sb), progress=False)
        assert set(done["status"]) == {"success"} and _links(sb) == 0


def test_the_run_beside_a_report_undo_stays_undoable(tmp_path: Path) -> None:
    """The case: run 2 of the whole sheet with the journal starts; the undo of run 1's report
    is refused while it records (before, it went on and its mark hid run 2's rows); once run 2
    has ended, its report and run 1's undo take everything back."""
    path, report = tmp_path / "j.sqlite", tmp_path / "rx.xlsx"
    with _portal() as sb:  # 3 requests a second: run 2 takes a while
        _first_run(sb, path, report)
        results: list[pd.DataFrame] = []
        done = threading.Event()

        def second() -> None:
            try:
                pairs = hf.read_pairs(PAIRS, from_type="deals", to_type="contacts")
                results.append(
                    hf.associate(pairs, client_for(sb), journal=path, batch_size=20, progress=False)
                )
            finally:
                done.set()

        worker = threading.Thread(target=second)
        worker.start()
        try:
            _wait_for(sb, done, 60)
            with pytest.raises(InputError, match="a run is writing to it now"):
                hf.undo(report, client_for(sb), progress=False)
        finally:
            worker.join(timeout=120)
        assert results and _links(sb) == len(PAIRS)
        hf.export_report(results[0], tmp_path / "rx2.xlsx")
        hf.undo(report, client_for(sb), progress=False)
        hf.undo(tmp_path / "rx2.xlsx", client_for(sb), progress=False)
        assert _links(sb) == 0, sb.associations("deals", "contacts").head()
