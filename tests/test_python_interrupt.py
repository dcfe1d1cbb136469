"""Ctrl-C ("Interrupt kernel") during a Python call's real run returns its table.

Before, a KeyboardInterrupt while ``associate`` sent left the call without a result table: the
rows HubSpot had applied were reported nowhere (no report, no retry file, nothing to undo from
without a journal), and an ``on_progress`` that raised did the same.  Each scenario runs in a
child interpreter (its main thread takes the signal, whatever pytest's workers do).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

_CHILD = textwrap.dedent(
    """
    import json, os, signal, sys, threading, time, warnings
    import pandas as pd, hubframe as hf
    from hubframe.sandbox import Sandbox
    from hubframe.testing import client_for, demo_ids

    mode, job = sys.argv[1], sys.argv[2]
    D = [str(x) for x in demo_ids("deals")]
    C = [str(x) for x in demo_ids("contacts")]
    out = {}
    # twice: both land while a request is out; before: the labels read (the call's first
    # request, ~0.1 s in, before on_start) lasts 1 s, and the Ctrl-C comes half-way through
    # (an unlabeled sheet reads nothing first: its sending began 0.13 s in, and a 0.05 s
    # timer late on a loaded machine fired after the first send)
    slow = 1.0 if mode in ("twice", "before") else 0.15
    with Sandbox(seed="demo", latency=(slow, 0.0)) as sb:
        client = client_for(sb)
        before = sb.associations("deals", "contacts")
        had = set(zip(before["from_id"], before["to_id"]))
        ids = [(D[i % len(D)], C[(i + 11) % len(C)]) for i in range(16)]
        ids = [p for p in ids if p not in had][:12]
        sheet = pd.DataFrame(ids, columns=["Deal ID", "Contact ID"])
        if mode == "before":  # a label: the call reads the portal's labels before it sends
            sheet["Association label"] = "Champion"
        sheet = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        kw = dict(batch_size=1, workers=1, progress=False)

        def kill(after):
            threading.Timer(after, lambda: os.kill(os.getpid(), signal.SIGINT)).start()

        if mode == "raises":
            def boom(rows):
                raise RuntimeError("widget closed")
            kw["on_progress"] = boom
        elif mode == "twice":  # timed from the start of the sending
            kw["on_start"] = lambda rows: (kill(0.5), kill(0.55))
        elif mode == "once":
            kw["on_start"] = lambda rows: kill(0.3)
        handler = signal.getsignal(signal.SIGINT)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if mode == "before":  # mid-way through the 1 s labels read: nothing sent yet
                    kill(0.5)
                run = hf.associate if job == "associate" else hf.sync
                result = run(sheet, client, **kw)
                out["statuses"] = result["status"].tolist()
                out["codes"] = result["error_code"].fillna("").tolist()
                out["pairs"] = list(zip(result["from_id"], result["to_id"]))
            except KeyboardInterrupt:
                out["interrupted"] = True
        time.sleep(0.6)  # requests in flight land
        after = sb.associations("deals", "contacts")
        out["linked"] = sorted(set(zip(after["from_id"], after["to_id"])) - had)
        out["warnings"] = sorted({type(w.message).__name__ for w in caught})
        out["handler_back"] = signal.getsignal(signal.SIGINT) is handler
    print(json.dumps(out))
    """
)


def _child(mode: str, job: str = "associate") -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, job],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _reported(out: dict[str, object]) -> set[tuple[str, ...]]:
    """The pairs the child's result table reports as applied (``success``)."""
    pairs = [tuple(p) for p in out["pairs"]]  # type: ignore[attr-defined]
    return {p for p, s in zip(pairs, out["statuses"], strict=True) if s == "success"}  # type: ignore[call-overload]


def _linked(out: dict[str, object]) -> set[tuple[str, ...]]:
    """The pairs the child's portal gained."""
    return {tuple(p) for p in out["linked"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize("job", ["associate", "sync"])
def test_the_first_ctrl_c_returns_the_table_of_what_was_applied(job: str) -> None:
    out = _child("once", job)
    assert "interrupted" not in out, out
    assert "RunInterrupted" in out["warnings"], out
    cancelled = [c == "CANCELLED" for c in out["codes"]]  # type: ignore[union-attr]
    assert any(cancelled), out  # (none applied yet is possible on a slow machine)
    assert _reported(out) == _linked(out), out
    assert out["handler_back"] is True


def test_a_second_ctrl_c_stops_at_once() -> None:
    out = _child("twice")
    assert out.get("interrupted") is True, out
    assert out["handler_back"] is True


def test_a_ctrl_c_before_anything_is_sent_is_a_keyboard_interrupt() -> None:
    out = _child("before")
    if out.get("interrupted") is True:
        assert out["linked"] == [], out  # before on_start: nothing may have been sent
        return
    # Under load the timer can fire after on_start (the sending has begun): the run then
    # cancels, the request in flight lands, and the table must say exactly what it applied.
    assert _reported(out) == _linked(out), out
    statuses, codes = out["statuses"], out["codes"]
    rest = {c for s, c in zip(statuses, codes, strict=True) if s != "success"}  # type: ignore[arg-type]
    assert rest == {"CANCELLED"}, out
    assert "RunInterrupted" in out["warnings"], out


def test_a_progress_callback_that_raises_never_loses_the_table() -> None:
    out = _child("raises")
    assert "interrupted" not in out, out
    assert out["warnings"] == ["CallbackFailed"], out
    assert set(out["statuses"]) == {"success"}, out  # type: ignore[arg-type]
    assert len(out["linked"]) == len(out["statuses"]), out  # type: ignore[arg-type]
