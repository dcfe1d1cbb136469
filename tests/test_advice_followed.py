"""Advice hubframe gives can be followed as written.

``hubframe undo`` without a token said "add --sandbox", which undo refuses every time (a new
sandbox holds nothing of the run); ``BLANK_LIMIT``'s "what to do" said ``remove_blank=True``,
which ``configure_limits`` refuses (only ``read_limits`` takes it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import CODE_INFO, ErrorCode, UsageError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for


def test_undo_without_a_token_does_not_advise_the_sandbox_it_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)
    report = tmp_path / "r.csv"
    report.write_text("from_type,from_id,to_type,to_id,status\ndeals,1,contacts,2,success\n")
    assert main(["undo", str(report)]) == 2
    said = capsys.readouterr().err
    assert "no HubSpot access token" in said and "--sandbox" not in said, said
    assert main(["undo", str(report), "--sandbox"]) == 2  # and it is refused, as said
    assert "--sandbox starts a new demo portal" in capsys.readouterr().err


def test_undo_help_does_not_offer_the_sandbox_it_refuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["undo", "--help"])
    shown = capsys.readouterr().out
    assert "--report OUT" in shown and "--sandbox" not in shown, shown
    with pytest.raises(SystemExit):
        main(["associate", "--help"])  # the commands that take it still offer it
    assert "--sandbox" in capsys.readouterr().out


def test_blank_limits_advice_works_as_written(sandbox: Sandbox, tmp_path: Path) -> None:
    advice = CODE_INFO[ErrorCode.BLANK_LIMIT].action
    assert "read_limits(..., remove_blank=True)" in advice
    flag = re.search(r"--[a-z-]+", advice)
    assert flag is not None and flag.group(0) == "--remove-blank-limits"
    sheet = tmp_path / "limits.csv"
    sheet.write_text("From object,To object,Label,Max associations\ndeals,contacts,,\n")
    client = client_for(sandbox)
    as_advised = hf.configure_limits(
        hf.read_limits(sheet, remove_blank=True), client, dry_run=True, progress=False
    )
    assert as_advised.loc[0, "action"] == "purge_limit", as_advised.loc[0].to_dict()
    with pytest.raises(UsageError):  # where the advice no longer sends anyone
        hf.configure_limits(sheet, client, remove_blank=True, dry_run=True)  # type: ignore[call-arg]
    assert main(["limits", str(sheet), "--remove-blank-limits", "--dry-run",
                 "--token", sandbox.token, "--base-url", sandbox.url]) in (0, 1)  # fmt: skip
