"""Ctrl-C while `hubframe labels` (or the labels step of `hubframe limits --create-labels`)
creates labels, in subprocesses against slow sandboxes over real HTTP.

Before, Ctrl-C quit at once with no lines and no report: the labels created before it were
said nowhere.  Now, as the other jobs: the first Ctrl-C lets the request out finish, creates no
further label, lists every label (the rows left `skipped`, `CANCELLED`) and writes the report,
exit 130; with `--create-labels` no limit is set after it.  A second Ctrl-C quits at once.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pandas as pd
import pytest
from test_cli import _env
from test_cli_ctrl_c import _start, _stderr_until, _wait_for

from hubframe.sandbox import Sandbox
from hubframe.testing import SandboxFactory

NAMES = [f"Scout {n}" for n in range(1, 9)]


def _created(sb: Sandbox) -> set[str]:
    return {str(x) for x in sb.labels("deals", "companies")["label"].dropna()} & set(NAMES)


def _label_posts(sb: Sandbox) -> int:
    log = sb.request_log()
    return int(((log["method"] == "POST") & log["path"].str.endswith("/labels")).sum())


@pytest.mark.parametrize("command", ["labels", "limits --create-labels"])
def test_first_ctrl_c_stops_after_the_label_out_and_reports_every_label(
    sandbox_factory: SandboxFactory, tmp_path: Path, command: str
) -> None:
    slow = sandbox_factory(seed="demo", latency=(0.3, 0.0))  # each request takes 0.3 s
    sheet = tmp_path / "sheet.csv"
    if command == "labels":
        lines = ["From type,To type,Label"] + [f"deals,companies,{n}" for n in NAMES]
    else:
        lines = ["From object,To object,Label,Max associations"]
        lines += [f"deals,companies,{n},3" for n in NAMES]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    extra = [] if command == "labels" else ["--no-progress"]
    proc = _start(*command.split(), str(sheet), "--report", str(report), *extra, env=_env(slow))
    _wait_for(lambda: _label_posts(slow), proc, "the first label created")
    proc.send_signal(signal.SIGINT)
    raw_out, raw_err = proc.communicate(timeout=60)
    out, err = raw_out.decode(), raw_err.decode()
    assert proc.returncode == 130, out + err
    assert "Traceback" not in out + err and slow.token not in out + err
    lines = err.strip().splitlines()
    assert lines[0].startswith("hubframe: stopping: ") and "Ctrl-C again" in lines[0], err
    made = _created(slow)
    assert 1 <= len(made) < len(NAMES)  # the one out finished; the rest were not sent
    assert _label_posts(slow) == len(made)
    for name in NAMES:  # every label is listed, as HubSpot holds it
        said = "create success" if name in made else "skipped CANCELLED"
        assert f'"{name}": {said}' in out, out
    table = pd.read_csv(report, dtype=str, keep_default_na=False)
    if command == "labels":
        assert lines[-1] == (
            f"hubframe: interrupted: {len(NAMES) - len(made)} labels not created or renamed "
            "(skipped, CANCELLED)"
        )
        assert table["status"].tolist() == ["success"] * len(made) + ["skipped"] * (
            len(NAMES) - len(made)
        )
    else:  # no limit is sent: those of labels not created are refused as unknown
        codes = dict(zip(table["label"], table["error_code"], strict=True))
        assert codes == {n: "CANCELLED" if n in made else "UNKNOWN_LABEL" for n in NAMES}
        held = slow.limits("deals", "companies")
        assert not set(held["label"].dropna()) & set(NAMES)


def test_a_second_ctrl_c_quits_at_once_without_the_report(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    slow = sandbox_factory(seed="demo", latency=(1.0, 0.0))  # each request takes 1 s
    sheet = tmp_path / "labels.csv"
    sheet.write_text(
        "\n".join(["From type,To type,Label"] + [f"deals,companies,{n}" for n in NAMES]) + "\n"
    )
    report = tmp_path / "report.xlsx"
    proc = _start("labels", str(sheet), "--report", str(report), env=_env(slow))
    err = bytearray()
    _wait_for(lambda: _label_posts(slow), proc, "the first label created")
    proc.send_signal(signal.SIGINT)
    _stderr_until(proc, b"hubframe: stopping: ", err)
    proc.send_signal(signal.SIGINT)
    raw_out, rest = proc.communicate(timeout=60)
    said = (bytes(err) + rest).decode()
    assert proc.returncode == 130, raw_out.decode() + said
    assert "Traceback" not in said
    assert said.strip().splitlines()[-1] == (
        f"hubframe: interrupted again: stopped at once; the report ({report}) was not written"
    )
    assert not report.exists()
