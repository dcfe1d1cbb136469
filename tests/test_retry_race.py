"""Two runs given one ``--retry-file`` at once: the later no longer replaces the earlier's rows.

The check before sending takes a retry file of the same sheet for one to write over, and two
overlapping runs of one sheet (or of its batches) both passed it: the one that ended last
replaced the other's rows still to do, or emptied the file when it had none (the earlier run's
failed rows were left only in its report).  A run now writes its retry file where it was
judged only while the file is as it was then; when another run (or the analyst) wrote it
meanwhile, that file is kept and this run's rows go beside it (``r (2).xlsx``), said; with no
row to retry, this run writes nothing.  Here the other run's retry file lands while this run's
first batch is being sent (a write hook of the fault proxy), as an overlapping run's would.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from faultproxy import FaultProxy
from test_report_race import CONTACTS, DEALS

import hubframe as hf
from hubframe.cli import main
from hubframe.sandbox import Sandbox

MISSING = 9_900_000_001  # no such deal: its row fails and is the one row to retry


def _sheet(path: Path, first: int, *, failing: bool) -> Path:
    rows = [f"{DEALS[first + i]},{CONTACTS[first + i]}" for i in range(2)]
    if failing:
        rows.append(f"{MISSING + first},{CONTACTS[first]}")
    path.write_text("Deal ID,Contact ID\n" + "\n".join(rows) + "\n")
    return path


def _retry_ids(path: Path) -> list[str]:
    return [str(v) for v in hf.read_pairs(path)["from_id"].tolist()]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("failing", [True, False], ids=["rows-to-retry", "none-to-retry"])
def test_a_retry_file_written_meanwhile_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, failing: bool
) -> None:
    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        sheet = _sheet(tmp_path / "s.csv", 0, failing=True)
        other = tmp_path / f"other{suffix}"  # the overlapping run's: its failed row
        main(["associate", str(sheet), "--retry-file", str(other), *hub])
        assert _retry_ids(other) == [str(MISSING)]
        retry = tmp_path / f"r{suffix}"

        def lands(path: str, body: Any, forward: Any) -> tuple[int, Any]:
            if not retry.exists():  # the overlapping run ends first: its retry file is there
                shutil.copyfile(other, retry)
            return forward(body)  # type: ignore[no-any-return]

        _sheet(sheet, 1, failing=failing)  # this run: the sheet's next rows
        with FaultProxy(sb, on_write=lands) as proxy:
            proxied = ["--token", sb.token, "--base-url", proxy.url, "--no-progress"]
            main(["associate", str(sheet), "--retry-file", str(retry), *proxied])
        said = capsys.readouterr().out
        assert retry.read_bytes() == other.read_bytes(), said  # the other run's rows, kept
        assert f"retry file: {retry} was written while this run ran" in said, said
        beside = tmp_path / f"r (2){suffix}"
        if failing:
            assert f"this run's retry file is {beside.name}" in said, said
            assert _retry_ids(beside) == [str(MISSING + 1)]
        else:
            assert not beside.exists() and "this run has no rows to retry" in said, said


def test_a_retry_file_as_judged_is_written_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run again after a fix (the file unchanged since the check) empties it, as before."""
    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        sheet = _sheet(tmp_path / "s.csv", 0, failing=True)
        retry = tmp_path / "r.csv"
        main(["associate", str(sheet), "--retry-file", str(retry), *hub])
        assert _retry_ids(retry) == [str(MISSING)]
        _sheet(sheet, 0, failing=False)
        assert main(["associate", str(sheet), "--retry-file", str(retry), *hub]) == 0
        said = capsys.readouterr().out
        assert "emptied" in said and not (tmp_path / "r (2).csv").exists(), said
        assert _retry_ids(retry) == []


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_retry_file_written_while_this_one_is_built_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """Review (helper-225): the file was judged, then built, then written, so two runs that
    ended within one build's time (seconds for a large retry file) both judged it unchanged
    and the later replaced the earlier's rows.  It is now built beside, judged, then moved
    into place."""
    import hubframe.report as report

    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        sheet = _sheet(tmp_path / "s.csv", 0, failing=True)
        other = tmp_path / f"other{suffix}"
        main(["associate", str(sheet), "--retry-file", str(other), *hub])
        retry = tmp_path / f"r{suffix}"
        real = report.export_retry

        def built_meanwhile(result: Any, path: Any) -> Any:
            if not retry.exists():  # the overlapping run writes its file while this one builds
                shutil.copyfile(other, retry)
            return real(result, path)

        monkeypatch.setattr(report, "export_retry", built_meanwhile)
        _sheet(sheet, 1, failing=True)
        main(["associate", str(sheet), "--retry-file", str(retry), *hub])
        said = capsys.readouterr().out
    assert retry.read_bytes() == other.read_bytes(), said
    assert _retry_ids(tmp_path / f"r (2){suffix}") == [str(MISSING + 1)], said
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing left behind


def test_a_retry_file_behind_a_link_keeps_its_link_and_permissions(tmp_path: Path) -> None:
    """Built beside and moved into place, the retry file is written where its path points,
    and keeps the permissions of the file it replaces (a private one stays private)."""
    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url, "--no-progress"]
        sheet = _sheet(tmp_path / "s.csv", 0, failing=True)
        kept = tmp_path / "kept" / "r.csv"
        kept.parent.mkdir()
        main(["associate", str(sheet), "--retry-file", str(kept), *hub])
        kept.chmod(0o600)
        link = tmp_path / "r.csv"
        link.symlink_to(kept)
        main(["associate", str(sheet), "--retry-file", str(link), *hub])
    assert link.is_symlink() and _retry_ids(kept) == [str(MISSING)]
    assert kept.stat().st_mode & 0o777 == 0o600
