"""Save report when one file of several cannot be written (a full disk, out of memory).

Save report writes the shown run's report and retry file, an export's files, and every earlier
run's report and retry file the page keeps.  A failure partway wrote the kept files before it
without noting them (the next Save wrote them again as "(2)" copies beside the first), left the
files after it unwritten without trying them, and its message did not say what had been
written.  Each file is now attempted whatever became of the others, those written are noted
(the next Save is the same files again, no copy) and shown, and one message names the files
that could not be written and those that were.  Driven headlessly against the built-in
sandbox, over HTTP."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from app_driver import click, upload

from hubframe.widgets import HubframeApp, backend

NEW_DEAL, NEW_CONTACT = 2040000050, 1019360230  # not associated in the demo portal
ERRORS: dict[str, Callable[[], BaseException]] = {
    "disk full": lambda: OSError(28, "No space left on device"),
    "out of memory": MemoryError,
}


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def _pairs_csv(n: int, first: int = 0, bad: int = 0) -> bytes:
    lines = [f"{NEW_DEAL + first + i},{NEW_CONTACT + first + i}" for i in range(n)]
    lines += [f"99999999{i:02},99999998{i:02}" for i in range(bad)]  # no such records
    return ("Deal ID,Contact ID\n" + "\n".join(lines) + "\n").encode()


def _fail_once(monkeypatch: pytest.MonkeyPatch, name: str, error: BaseException, at: int) -> None:
    """backend.``name`` raises ``error`` on its ``at``-th call (1-based), as written else."""
    real = getattr(backend, name)
    calls = [0]

    def writer(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == at:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(backend, name, writer)


def _runs(app: HubframeApp, runs: int, bad: int = 1) -> None:
    click(app, app.connect_button)
    upload(app, "A.csv", _pairs_csv(2, bad=bad))
    for _ in range(runs):
        click(app, app.run_button)
        assert app.result is not None and "status" in app.result.columns


def _names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


@pytest.mark.parametrize("kind", list(ERRORS))
@pytest.mark.parametrize("writer", ["export_report", "export_retry"])
@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_file_failing_leaves_the_others_written_noted_and_said(
    app: HubframeApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    writer: str,
    at: int,
) -> None:
    """Three runs (two kept, each with a report and a retry file, and the shown one): the
    ``at``-th report (or retry file) written fails.  Every other file is written, the message
    names the one not written and those written, and the next Save writes only the missing
    file, under its own name: no copy of a file already saved."""
    _runs(app, 3)
    out = tmp_path / "out"
    app.save_folder.value = str(out)
    _fail_once(monkeypatch, writer, ERRORS[kind](), at)
    click(app, app.save_button)
    said = _text(app.messages["results"].value)
    assert "could not be written" in said, said
    written = _names(out)
    assert len(written) == 5, written  # 3 reports and 3 retry files, less the failed one
    for name in written:
        assert name in said, (name, said)
    assert {path.name for path in app.saved} == written, app.saved
    monkeypatch.undo()
    click(app, app.save_button)
    assert "could not be written" not in _text(app.messages["results"].value)
    after = _names(out)
    assert len(after) == 6 and written < after, after
    assert not any("(2)" in name for name in after), after
    assert {path.name for path in app.saved} == after


@pytest.mark.parametrize("kind", list(ERRORS))
@pytest.mark.parametrize("at", [1, 2])
def test_an_exports_files_are_each_attempted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, at: int
) -> None:
    """An export's .xlsx failing kept its .csv from being written, and one failing after the
    other was written left that one unsaid."""
    real, calls = backend.written_whole, [0]

    def whole(path: Path) -> Any:
        calls[0] += 1
        if calls[0] == at:
            raise ERRORS[kind]()
        return real(path)

    monkeypatch.setattr(backend, "written_whole", whole)
    files = {"links.xlsx": b"x" * 10, "links.csv": b"Deal ID,Contact ID\n"}
    with pytest.raises(backend.NotAllSaved) as said:
        backend.save_files(files, tmp_path)
    other = tmp_path / list(files)[2 - at]
    assert said.value.written == [other] and other.read_bytes() == files[other.name]
    assert f"{other} was written" in str(said.value)
    assert f"{tmp_path / list(files)[at - 1]}: the export could not be written" in str(said.value)
    assert _names(tmp_path) == {other.name}


def test_a_saved_file_gone_before_it_is_listed_is_said_not_failed(tmp_path: Path) -> None:
    """A file written and then moved away (a sync client) before the page lists its size made
    the listing raise: the Save, which had written every file, showed an error."""
    from hubframe.widgets.app import _saved_html

    kept, gone = tmp_path / "a_report.xlsx", tmp_path / "a_retry.xlsx"
    kept.write_bytes(b"x" * 10)
    said = _text(_saved_html(tmp_path, [kept, gone]))
    assert "a_report.xlsx" in said and "a_retry.xlsx (written; since moved or deleted)" in said
