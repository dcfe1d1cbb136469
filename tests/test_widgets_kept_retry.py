"""A run's retry file, kept with its report.  After a run the headline said "N rows need
attention: see ... the retry file", yet once anything changed on the page (a box ticked, a
dropdown, the next sheet uploaded) the app kept the run's report ("Report of the last run
(run 1)", saved by Save report) and dropped its retry file: neither offered nor saved, so an
analyst who loaded the next sheet and clicked Save had no file of the rows still to do.  And
the shown run's retry file, saved beside earlier runs' files, was named "pairs_retry (2).xlsx"
while its report was "(run N)": read as another run's.  Now a kept run keeps its retry file
("pairs_retry (run 1).xlsx"), offered beside its report and saved by Save report, every retry
file saved beside earlier runs is named after its run, each holds exactly its own run's rows
to do (read back with ``hf.read_pairs``), and none is written over another file.  Driven
headlessly against the built-in sandbox, over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from app_driver import click, upload

import hubframe as hf
from hubframe.report import retry_rows
from hubframe.testing import demo_ids, xlsx_bytes
from hubframe.widgets import HubframeApp

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
MISSING = 1019369000  # no contact of the demo portal has an id from here on
Pair = tuple[str, str]


def _rows(run: int) -> list[list[object]]:
    """Run ``run``'s sheet: a pair that can be linked and two of its own that cannot."""
    good = [[DEALS[60 + run], CONTACTS[160 + run], "fine"]]
    bad = [[DEALS[60 + run], MISSING + 10 * run + i, f"no such contact {i}"] for i in range(2)]
    return [["Deal ID", "Contact ID", "Notes"], *good, *bad]


def _sheet(run: int, suffix: str) -> bytes:
    rows = _rows(run)
    if suffix == ".xlsx":
        return xlsx_bytes(rows)
    return "".join(",".join(map(str, row)) + "\n" for row in rows).encode()


def _to_do(result: pd.DataFrame) -> list[Pair]:
    """The pairs of a run's rows still to do, as its result says."""
    rows = result.loc[retry_rows(result), ["from_id", "to_id"]].astype(str)
    return sorted(map(tuple, rows.values.tolist()))


def _read_back(path: Path) -> list[Pair]:
    """The pairs a retry file holds, read as the next run would read it."""
    rows = hf.read_pairs(path, from_type="deals", to_type="contacts")[["from_id", "to_id"]]
    return sorted(map(tuple, rows.astype(str).values.tolist()))


def _run(app: HubframeApp, run: int, suffix: str) -> pd.DataFrame:
    upload(app, f"pairs{suffix}", _sheet(run, suffix))
    click(app, app.run_button)
    assert app.result is not None and len(_to_do(app.result)) == 2, app.result
    return app.result


def _save(app: HubframeApp, folder: Path) -> dict[str, Path]:
    app.save_folder.value = str(folder)
    click(app, app.save_button)
    assert not app.messages["results"].value, app.messages["results"].value
    return {path.name: path for path in app.saved}


def _check_records(app: HubframeApp) -> None:
    app.check_records.value = True


def _label(app: HubframeApp) -> None:
    app.label.value = "Champion"


def _to_type(app: HubframeApp) -> None:
    app.to_type.value = "companies"


def _job(app: HubframeApp) -> None:
    app.job.value = "limits"
    assert app.wait(60)


def _next_sheet(app: HubframeApp) -> None:
    upload(app, "next.csv", b"Deal ID,Contact ID\n1,2\n")


def _mode(app: HubframeApp) -> None:
    app.mode.value = "rehearse"  # the connection goes


#: Changes of the page after a run: each keeps the run's files, and clears its results.
CHANGES: dict[str, Callable[[HubframeApp], None]] = {
    "check records": _check_records,
    "label": _label,
    "to type": _to_type,
    "job": _job,
    "next sheet": _next_sheet,
    "connection mode": _mode,
}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_after_a_run_keeps_its_retry_file(
    app: HubframeApp, tmp_path: Path, change: str, suffix: str
) -> None:
    """Offered as the last run's beside its report, saved by Save report under the run's
    name, holding exactly the run's rows to do."""
    click(app, app.connect_button)
    result = _run(app, 1, suffix)
    CHANGES[change](app)
    assert app.wait(60) and app.result is None
    retry = f"pairs_retry (run 1){suffix}"
    assert retry in app.downloads, list(app.downloads)
    assert "Retry file of the last run (run 1) (2 rows)" in app.download_links.value
    fresh = tmp_path / "page"
    fresh.mkdir()
    (fresh / retry).write_bytes(app.downloads[retry])
    assert _read_back(fresh / retry) == _to_do(result)  # the link's file: the run's rows
    saved = _save(app, tmp_path / "out")
    assert set(saved) == {"pairs_report (run 1).xlsx", retry}
    assert _read_back(saved[retry]) == _to_do(result)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_every_runs_retry_file_is_saved_under_its_run_and_never_over_another(
    app: HubframeApp, tmp_path: Path, suffix: str
) -> None:
    """Runs 1 to 3 of one file name, each with rows of its own to do, a Save after run 1 and
    after run 3, and a file of the analyst's already named like run 2's retry file: each run's
    retry file is saved once, named after its run once another run is there, and holds that
    run's rows; nothing is written over."""
    click(app, app.connect_button)
    out = tmp_path / "out"
    results = {1: _run(app, 1, suffix)}
    first = _save(app, out)
    assert set(first) == {"pairs_report.xlsx", f"pairs_retry{suffix}"}  # the only run yet
    theirs = out / f"pairs_retry (run 2){suffix}"
    theirs.write_bytes(b"Deal ID,Contact ID\n")
    results[2] = _run(app, 2, suffix)
    results[3] = _run(app, 3, suffix)
    saved = _save(app, out)
    retry = {
        1: f"pairs_retry{suffix}",  # saved while shown: that file again, not a copy
        2: f"pairs_retry (run 2) (2){suffix}",  # beside the analyst's file, never over it
        3: f"pairs_retry (run 3){suffix}",  # shown beside earlier runs: named after its run
    }
    assert set(retry.values()) <= set(saved), sorted(saved)
    assert not any(name.endswith(f" (2){suffix}") for name in set(saved) - {retry[2]})
    for run, name in retry.items():
        assert _read_back(saved[name]) == _to_do(results[run]), name
    assert theirs.read_bytes() == b"Deal ID,Contact ID\n"
    again = _save(app, out)  # a Save again: the files written then
    assert again == saved
    assert sorted(p.name for p in out.iterdir()) == sorted([*saved, theirs.name])
