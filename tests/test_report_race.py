"""Two runs given one ``--report`` at once: the later no longer replaces the earlier's report.

The check before sending refuses a report path holding the report of a run that sent rows,
but two overlapping runs both passed it, and the one that ended last wrote its report over the
other's: run A's report, the file that undoes it, was gone (helper-209, 3 of 3 overlaps).  A
run now checks the path again when it writes, and when the report of another run that sent
rows came there meanwhile it writes its own beside it (``r (2).xlsx``) and says so.  Here the
other run's report lands while this run's first batch is being sent (a write hook of the
fault proxy), as an overlapping run's would.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy

from hubframe.cli import main
from hubframe.jobs import undo
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [2040000050 + i for i in range(4)]  # in the demo portal, not associated
CONTACTS = [1019360230 + i for i in range(4)]


def _sheet(path: Path, first: int) -> Path:
    rows = [f"{DEALS[first + i]},{CONTACTS[first + i]}" for i in range(2)]
    path.write_text("Deal ID,Contact ID\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_report_written_meanwhile_is_kept_and_this_one_goes_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    with Sandbox(seed="demo") as sb:
        before = len(sb.associations("deals", "contacts"))
        other = tmp_path / f"other{suffix}"
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        assert (
            main(["associate", str(_sheet(tmp_path / "a.csv", 0)), "--report", str(other), *hub])
            == 0
        )
        report = tmp_path / f"r{suffix}"

        def lands(path: str, body: Any, forward: Any) -> tuple[int, Any]:
            if not report.exists():  # the overlapping run ends first: its report is there
                shutil.copyfile(other, report)
            return forward(body)  # type: ignore[no-any-return]

        with FaultProxy(sb, on_write=lands) as proxy:
            proxied = ["--token", sb.token, "--base-url", proxy.url, "--no-progress"]
            sheet = _sheet(tmp_path / "b.csv", 2)
            assert main(["associate", str(sheet), "--report", str(report), *proxied]) == 0
        said = capsys.readouterr().out
        assert report.read_bytes() == other.read_bytes(), said  # the other run's, kept
        beside = tmp_path / f"r (2){suffix}"
        assert beside.is_file() and f"this run's report is {beside.name}" in said, said
        for path in (beside, report):
            undo(path, client_for(sb), progress=False)
        assert len(sb.associations("deals", "contacts")) == before
