"""Ctrl-C on the command line, in subprocesses against sandboxes over real HTTP.

While a job sends, the first SIGINT stops it cleanly (no new batch, the requests in flight
finish, then the report and retry file are written as for any run, exit 130); a second one
quits at once, saying what it left unwritten; one before the sending quits at once as ever.
Each test waits for evidence (the sandbox's log, its connections, a line on stderr) rather
than for set times, and the sandboxes are slow enough to leave seconds of margin.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from test_cli import REPO, _csv, _env, _hubframe, _writes

from hubframe.cli import main
from hubframe.io import read_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import SandboxFactory, demo_ids

Pairs = set[tuple[str, str]]


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a shell does for `cmd &` in a script


def _start(*args: str, env: dict[str, str], ignore_sigint: bool = False) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hubframe", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_ignore_sigint if ignore_sigint else None,
    )


def _wait_for(seen: Callable[[], object], proc: subprocess.Popen[bytes], what: str) -> None:
    """Wait until ``seen()`` is true; fail at once if the run ended first."""
    deadline = time.monotonic() + 60
    while not seen():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the run ended before {what}:\n{out.decode()}{err.decode()}")
        assert time.monotonic() < deadline, f"no {what} within 60 s"
        time.sleep(0.02)


def _stderr_until(proc: subprocess.Popen[bytes], text: bytes, err: bytearray) -> None:
    """Read the run's stderr into ``err`` until it holds ``text`` (fail if it ends first)."""
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    deadline = time.monotonic() + 60
    while text not in err:
        assert time.monotonic() < deadline, f"{text!r} not on stderr within 60 s: {bytes(err)!r}"
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 65536)
            assert chunk, f"stderr ended without {text!r}: {bytes(err)!r}"
            err += chunk


def _spread(count: int) -> list[tuple[str, str, str, str]]:
    """``count`` (at most 480) deal -> contact pairs of the demo portal's records, at most 12
    a deal (its limit is 25), unlabeled."""
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    return [
        (str(deals[20 + n % 20 + 20 * (n // 240)]), str(contacts[n % 240]), "", "")
        for n in range(count)
    ]


def _held(sb: Sandbox, pairs: Pairs) -> Pairs:
    """The pairs among ``pairs`` the sandbox holds."""
    stored = sb.associations("deals", "contacts")
    return set(zip(stored["from_id"], stored["to_id"], strict=True)) & pairs


def _stopped_while_sending(
    slow: Sandbox,
    rows: list[tuple[str, str, str, str]],
    tmp_path: Path,
    signum: int,
    *,
    ignore_sigint: bool = False,
) -> subprocess.Popen[bytes]:
    """``rows`` run in batches of 5 with a report.csv and a retry.csv in ``tmp_path``, sent
    ``signum`` once the first batches came back (``ignore_sigint``: started with SIGINT
    ignored)."""
    sheet = _csv(tmp_path / "many.csv", rows)
    proc = _start(
        "associate", str(sheet), "--batch-size", "5", "--report", str(tmp_path / "report.csv"),
        "--retry-file", str(tmp_path / "retry.csv"), env=_env(slow), ignore_sigint=ignore_sigint,
    )  # fmt: skip
    _wait_for(lambda: _writes(slow), proc, "the first batches came back")
    proc.send_signal(signum)
    return proc


def test_first_ctrl_c_finishes_in_flight_and_writes_report_and_retry_file(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    """The first Ctrl-C while the run sends: no new batch starts, the requests in flight
    finish, and the report (one row per input row, the rows HubSpot holds `success`) and the
    retry file (every row not applied) are written; exit 130.  The retry file then finishes
    the job.  Before, Ctrl-C wrote neither: the rows applied were reported nowhere."""
    # 60 batches at 10 requests a second: seconds of sending left when the first are back
    slow = sandbox_factory(seed="demo", rate_limit=(10, 1.0), latency=(0.2, 0.0))
    rows = _spread(300)
    pairs = {(f, t) for f, t, _, _ in rows}
    assert not _held(slow, pairs)
    report, retry = tmp_path / "report.csv", tmp_path / "retry.csv"
    proc = _stopped_while_sending(slow, rows, tmp_path, signal.SIGINT)
    raw_out, raw_err = proc.communicate(timeout=60)
    out, err = raw_out.decode(), raw_err.decode()
    assert proc.returncode == 130, out + err
    assert slow.token not in out + err and "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert lines[0].startswith("hubframe: stopping: ") and "Ctrl-C again" in lines[0]
    # message text checked on purpose: the last line says how many rows wait, and where
    left = int(lines[-1].split()[2])
    assert lines[-1] == (
        f"hubframe: interrupted: {left} rows not sent (skipped, CANCELLED); "
        "the retry file holds them"
    )
    assert "total" in out and f"report: {report}" in out and f"retry file: {retry}" in out

    table = pd.read_csv(report, dtype=str, keep_default_na=False)
    assert len(table) == len(rows)
    assert table["row"].tolist() == [str(n) for n in range(2, len(rows) + 2)]
    held = _held(slow, pairs)
    keys = zip(table["from_id"], table["to_id"], strict=True)
    reported = dict(zip(keys, table["status"], strict=True))
    assert {p for p, status in reported.items() if status == "success"} == held
    cancelled = table[table["error_code"] == "CANCELLED"]
    assert len(cancelled) == left and set(cancelled["status"]) == {"skipped"}
    assert len(held) > 0 and left > 0  # stopped part-way: some rows sent, some not

    back = read_pairs(retry)
    assert set(zip(back["from_id"], back["to_id"], strict=True)) == pairs - held
    again = _hubframe("associate", str(retry), env=_env(slow))
    assert again.returncode == 0, again.stdout + again.stderr
    assert _held(slow, pairs) == pairs


def _linked(sb: Sandbox, company: str) -> bool:
    """Whether the sandbox holds an association of ``company`` to a contact."""
    return company in set(sb.associations("companies", "contacts")["from_id"])


@pytest.mark.parametrize("when", ["as the sending starts", "with writes in flight"])
def test_a_second_ctrl_c_quits_at_once_without_the_report(
    sandbox_factory: SandboxFactory, tmp_path: Path, when: str
) -> None:
    """Ctrl-C twice: the second quits at once (exit 130, once the requests out have come back)
    and says the report and retry file were not written (they are not there)."""
    # a write of 5 rows is applied after 1.5 s and answered after 3 s; the read of the one
    # company before the run takes 0.6 s
    slow = sandbox_factory(seed="demo", latency=(0.0, 0.6))
    company = str(demo_ids("companies")[-1])  # none of its associations is there before
    sheet = tmp_path / "company.csv"
    lines = ["Company ID,Contact ID"] + [f"{company},{c}" for c in demo_ids("contacts")[:60]]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not _linked(slow, company)
    report, retry = tmp_path / "report.xlsx", tmp_path / "retry.csv"
    proc = _start(
        "associate", str(sheet), "--batch-size", "5", "--progress", "--report", str(report),
        "--retry-file", str(retry), env=_env(slow),
    )  # fmt: skip
    err = bytearray()
    _stderr_until(proc, b"0/60", err)  # the progress bar: the sending has started
    if when == "with writes in flight":  # applied, the answers 1.5 s away
        _wait_for(lambda: _linked(slow, company), proc, "a write applied")
    proc.send_signal(signal.SIGINT)
    _stderr_until(proc, b"hubframe: stopping: ", err)
    proc.send_signal(signal.SIGINT)
    raw_out, rest = proc.communicate(timeout=60)
    said = (bytes(err) + rest).decode()
    assert proc.returncode == 130, raw_out.decode() + said
    assert "Traceback" not in said and slow.token not in said + raw_out.decode()
    assert said.strip().splitlines()[-1] == (
        f"hubframe: interrupted again: stopped at once; the report ({report}) and the retry "
        f"file ({retry}) were not written"
    )
    assert not report.exists() and not retry.exists()


def test_ctrl_c_before_the_sending_quits_at_once_and_sends_nothing(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    """Ctrl-C while the run still reads the portal (labels, the pairs there before it): it
    quits at once, as before, writing nothing; nothing was sent."""
    slow = sandbox_factory(seed="demo", latency=(2.0, 0.0))  # every request takes 2 s
    sheet = _csv(tmp_path / "few.csv", _spread(10))
    report, retry = tmp_path / "report.csv", tmp_path / "retry.csv"
    proc = _start(
        "associate", str(sheet), "--report", str(report), "--retry-file", str(retry),
        env=_env(slow),
    )  # fmt: skip
    _wait_for(lambda: slow.connections_opened, proc, "a connection to the sandbox")
    proc.send_signal(signal.SIGINT)
    raw_out, raw_err = proc.communicate(timeout=60)
    err = raw_err.decode()
    assert proc.returncode == 130, raw_out.decode() + err
    assert err.strip().splitlines()[-1] == "hubframe: interrupted"
    assert "stopping" not in err and "Traceback" not in err
    assert not report.exists() and not retry.exists()
    paths = slow.request_log()["path"]
    assert not paths.str.contains("/batch/(?:associate|create|archive)").any(), paths.tolist()


#: A Ctrl-C (a real SIGINT, sent by the process to itself) the moment ``MODULE`` starts to
#: load, then the command as ``ENTRY`` starts it; argv as ``ARGV``.
_STARTING = """\
import os, signal, sys
MODULE, ENTRY, ARGV = sys.argv[1], sys.argv[2], sys.argv[3:]
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == MODULE:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Interrupt())
sys.argv = ["hubframe", *ARGV]
if ENTRY == "python -m hubframe":
    import runpy
    runpy.run_module("hubframe", run_name="__main__", alter_sys=True)
else:  # the hubframe command: pyproject's console script
    from hubframe.__main__ import main
    sys.exit(main())
"""


@pytest.mark.parametrize("entry", ["python -m hubframe", "hubframe"])
@pytest.mark.parametrize(
    "module",
    [
        "hubframe.errors",  # the first module the command loads
        "hubframe.cli",  # the command line's own imports
        "hubframe.sandbox.serve",  # while the parser is built
        "hubframe.hubspot.auth",  # while the token is hidden (requests loads)
    ],
)
def test_ctrl_c_while_the_command_starts_says_interrupted_not_a_traceback(
    tmp_path: Path, module: str, entry: str
) -> None:
    """Before: a Ctrl-C in the first half second (a reflexive one, the wrong file typed)
    printed a traceback ending in KeyboardInterrupt, and the process died of the signal."""
    sheet = _csv(tmp_path / "few.csv", _spread(2))
    argv = ["associate", str(sheet), "--dry-run", "--token", "pat-na1-not-used-0000"]
    done = subprocess.run(
        [sys.executable, "-c", _STARTING, module, entry, *argv],
        env=_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, "hubframe: interrupted\n", "")


def test_the_hubframe_command_starts_where_a_ctrl_c_is_caught() -> None:
    import tomllib

    import hubframe.__main__ as entry
    from hubframe import cli

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"hubframe": "hubframe.__main__:main"}
    assert f"{cli.PROG}: interrupted" == entry.INTERRUPTED
    assert entry.EXIT_INTERRUPTED == cli.EXIT_INTERRUPTED


def test_the_sigint_handler_is_put_back_and_left_alone_off_the_main_thread(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A run puts back the SIGINT handler it found; run outside the main thread (where no
    handler can be set) it runs as ever instead of failing."""
    sheet = _csv(tmp_path / "two.csv", _spread(2))
    env = _env(sandbox)
    args = ["associate", str(sheet), "--base-url", env["HUBSPOT_BASE_URL"], "--no-progress"]
    args += ["--token", env["HUBSPOT_ACCESS_TOKEN"]]
    before = signal.getsignal(signal.SIGINT)
    assert main(args) == 0
    assert signal.getsignal(signal.SIGINT) is before
    codes: list[int] = []
    worker = threading.Thread(target=lambda: codes.append(main(args)))
    worker.start()
    worker.join(60)
    assert codes == [0]
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize("ignored", [False, True], ids=["sigint", "sigint-ignored"])
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_while_sending_stops_as_ctrl_c_does(
    sandbox_factory: SandboxFactory, tmp_path: Path, name: str, ignored: bool
) -> None:
    """``timeout``, a cancelled CI job, a closed terminal: the first SIGTERM or SIGHUP while
    the run sends stops it as the first Ctrl-C does -- the report holds every row, the ones
    HubSpot holds ``success``, the retry file the rest, exit 130.  Before, the process ended
    at once and a run without a journal reported nothing of what HubSpot had applied.  Also in
    a run started with SIGINT ignored (a shell script's `cmd &`), where before the SIGINT
    handler's absence left SIGTERM and SIGHUP killing the process."""
    signum = getattr(signal, name)
    slow = sandbox_factory(seed="demo", rate_limit=(10, 1.0), latency=(0.2, 0.0))
    rows = _spread(200)
    pairs = {(f, t) for f, t, _, _ in rows}
    report, retry = tmp_path / "report.csv", tmp_path / "retry.csv"
    proc = _stopped_while_sending(slow, rows, tmp_path, signum, ignore_sigint=ignored)
    raw_out, raw_err = proc.communicate(timeout=60)
    out, err = raw_out.decode(), raw_err.decode()
    assert proc.returncode == 130, out + err
    assert err.startswith(f"hubframe: stopping ({name}): ") and f"{name} again" in err, err
    table = pd.read_csv(report, dtype=str, keep_default_na=False)
    assert len(table) == len(rows)
    held = _held(slow, pairs)
    success = table[table["status"] == "success"]
    assert set(zip(success["from_id"], success["to_id"], strict=True)) == held
    back = read_pairs(retry)
    assert set(zip(back["from_id"], back["to_id"], strict=True)) == pairs - held
    assert len(held) > 0 and held != pairs


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_second_sigterm_or_sighup_ends_the_process_at_once(
    sandbox_factory: SandboxFactory, tmp_path: Path, name: str
) -> None:
    signum = getattr(signal, name)
    slow = sandbox_factory(seed="demo", latency=(0.0, 0.6))
    sheet = _csv(tmp_path / "few.csv", _spread(60))
    report = tmp_path / "report.csv"
    proc = _start("associate", str(sheet), "--batch-size", "5", "--progress", "--report",
                  str(report), env=_env(slow))  # fmt: skip
    err = bytearray()
    _stderr_until(proc, b"0/60", err)  # the progress bar: the sending has started
    proc.send_signal(signum)
    _stderr_until(proc, f"hubframe: stopping ({name}): ".encode(), err)
    proc.send_signal(signum)
    proc.communicate(timeout=60)
    assert proc.returncode == -signum
    assert not report.exists()
