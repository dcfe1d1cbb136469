"""What a journal costs: wall time, client CPU and bytes on disk of a journaled associate run.

Settings of issue 15: a sandbox in its own process (``bench/server.py``) with 150 requests /
10 s and a latency of 0.5 s + 0.2 ms per input; 200,000 pairs of one of two sheet shapes:

- ``many``: many source records -- 200,000 distinct deals, 20,000 contacts, one pair per deal;
- ``few``: few source records -- 2,000 deals with 100 contacts each.

Sides: no journal; a journal (``record_existing`` on, its default with a journal: the portal is
read first so the run can be undone); with ``--all``, a journal with ``record_existing=False``.
Every turn starts from a fresh sandbox process (an empty portal and an empty rate window) and a
fresh client; the sides take turns (``bench/common.py`` ``interleaved``: min and median of 3).
Timed: ``hf.associate`` only (the sheet is read before), its wall time and the client process's
CPU (``time.process_time``).  Printed: per side the wall and CPU times, the batch reads sent
(their count and span: first in to last out), the bytes on disk of the journal after the run
(the file and any -wal / -shm beside it) per row; then the ratios journal / no journal for the
wall time (target <= 1.15) and the CPU (target <= 1.1), and the bytes per row (target <= 100).

The journaled run reads before it writes (what each pair carried before is what undo needs), so
it costs at least one read's round trip more: ~0.7 s at this latency (a 1,000-id batch read:
0.5 s + 0.2 s), 19 % of the ~3.8 s an unjournaled 200,000-pair run takes here, and a shrinking
share of longer runs (``--pairs``).  That floor is printed beside the ratio: the unjournaled
wall plus the reads' span, turn by turn.

Run: ``.venv/bin/python bench/journal.py [--shapes many,few] [--repeat 3] [--all] [--pairs N]``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Timing, interleaved, ratio_line, timing_line
from server import FROM_TYPE, TO_TYPE, sandbox_process

RATE_LIMIT = (150, 10.0)
LATENCY = (0.5, 0.0002)
PAIRS = 200_000  # --pairs changes it; the shapes keep 20,000 contacts / 100 contacts a deal
DEAL_BASE, CONTACT_BASE = 3_200_000_001, 4_200_000_001
WALL_TARGET, CPU_TARGET, BYTES_TARGET = 1.15, 1.1, 100
SHAPES = {"many": (200_000, 20_000), "few": (2_000, 100)}  # (deals, contacts)


def set_pairs(pairs: int) -> None:
    """Scale the shapes to ``pairs`` rows."""
    global PAIRS
    PAIRS = pairs
    SHAPES["many"] = (pairs, 20_000)
    SHAPES["few"] = (max(1, pairs // 100), 100)


def sheet(shape: str) -> tuple[list[int], list[int], Any]:
    """The deals, the contacts and the pairs frame (read by hf.read_pairs) of a shape."""
    import numpy as np
    import pandas as pd

    import hubframe as hf

    deals, contacts = SHAPES[shape]
    n = np.arange(PAIRS)
    if shape == "many":
        from_ids, to_ids = DEAL_BASE + n, CONTACT_BASE + n % contacts
    else:
        per = PAIRS // deals
        from_ids, to_ids = DEAL_BASE + n // per, CONTACT_BASE + n % per
    frame = pd.DataFrame(
        {"Deal ID": from_ids.astype(str), "Contact ID": to_ids.astype(str), "Association label": ""}
    )
    pairs = hf.read_pairs(frame, from_type=FROM_TYPE, to_type=TO_TYPE)
    return list(range(DEAL_BASE, DEAL_BASE + deals)), list(np.unique(to_ids)), pairs


@dataclass
class Side:
    """The figures of one side's turns."""

    wall: Timing = field(default_factory=Timing)
    cpu: Timing = field(default_factory=Timing)
    reads: list[int] = field(default_factory=list)
    read_span: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    disk: list[int] = field(default_factory=list)


def journal_bytes(path: Path) -> int:
    """The journal's bytes on disk: the file and its -wal / -shm files, when any."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def turn(shape: str, options: dict[str, Any], side: Side) -> Callable[[], None]:
    """One turn: a fresh sandbox and client, then the timed associate (see module docstring)."""
    deals, contacts, pairs = sheet(shape)

    def run() -> None:
        import hubframe as hf
        from hubframe.hubspot.client import HubSpotClient

        records = {FROM_TYPE: deals, TO_TYPE: contacts}
        with (
            tempfile.TemporaryDirectory() as tmp,
            sandbox_process(records=records, rate_limit=RATE_LIMIT, latency=LATENCY) as server,
        ):
            client = HubSpotClient(token=server.token, base_url=server.url)
            path = Path(tmp) / "run.sqlite"
            kwargs = {**options, "journal": path} if "journal" in options else dict(options)
            started, cpu = time.perf_counter(), time.process_time()
            result = hf.associate(pairs, client, progress=False, **kwargs)
            side.cpu.turns.append(time.process_time() - cpu)
            side.wall.turns.append(time.perf_counter() - started)
            ok = int((result["status"] == "success").sum())
            if ok != PAIRS:
                raise SystemExit(f"{shape}: only {ok:,} of {PAIRS:,} rows succeeded")
            log = server.ask("log")
            reads = log[log["path"].str.endswith("/batch/read")]
            side.requests.append(len(log))
            side.reads.append(len(reads))
            span = float(reads["finished"].max() - reads["started"].min()) if len(reads) else 0.0
            side.read_span.append(span)
            side.disk.append(journal_bytes(path) if "journal" in options else 0)
            client.close()

    return run


def report(shape: str, sides: dict[str, Side]) -> None:
    deals, contacts = SHAPES[shape]
    print(f"\n{shape}: {PAIRS:,} pairs, {deals:,} deals x {contacts:,} contacts")
    for name, side in sides.items():
        print(timing_line(f"{name}: wall", side.wall, PAIRS))
        print(timing_line(f"{name}: client CPU", side.cpu))
        extra = f"    requests {max(side.requests)}, batch reads {max(side.reads)}"
        if max(side.reads):
            extra += f" over {min(side.read_span):.2f}-{max(side.read_span):.2f} s"
        if max(side.disk):
            disk = max(side.disk)
            extra += f"; journal {disk / 2**20:.1f} MB = {disk / PAIRS:.0f} B/row"
            verdict = "OK" if disk / PAIRS <= BYTES_TARGET else "OVER TARGET"
            extra += f" (target <= {BYTES_TARGET}: {verdict})"
        print(extra)
    base = sides["no journal"]
    for name, side in sides.items():
        if name == "no journal":
            continue
        print(ratio_line(f"wall {name} / no journal", side.wall, base.wall, WALL_TARGET))
        if max(side.reads):
            print(floor_line(base, side))
        print(ratio_line(f"client CPU {name} / no journal", side.cpu, base.cpu, CPU_TARGET))


def floor_line(base: Side, side: Side) -> str:
    """The least a journaled run can take against the run without one: the reads must be
    answered before the first write (what a pair carried before is kept first), so the floor
    is the unjournaled wall plus the reads' span measured in the same turns."""
    floor = Timing([b + r for b, r in zip(base.wall.turns, side.read_span, strict=True)])
    return ratio_line("  floor (no journal + reads' span) / none", floor, base.wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="many,few")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="also record_existing=False")
    parser.add_argument("--pairs", type=int, default=PAIRS, help="rows of each sheet")
    args = parser.parse_args(argv)
    set_pairs(args.pairs)
    print(
        f"sandbox: {RATE_LIMIT[0]} requests / {RATE_LIMIT[1]:g} s, latency {LATENCY[0]} s + "
        f"{LATENCY[1] * 1000:g} ms/input; fresh sandbox and client each turn"
    )
    # Imports are not a turn's cost (the first turn would pay them).
    for module in ("hubframe.jobs", "hubframe.run.journal", "hubframe.run.before"):
        importlib.import_module(module)

    variants: dict[str, dict[str, Any]] = {"no journal": {}, "journal": {"journal": True}}
    if args.all:
        variants["journal, record_existing=False"] = {"journal": True, "record_existing": False}
    for shape in args.shapes.split(","):
        sides = {name: Side() for name in variants}
        tasks = {name: turn(shape, opts, sides[name]) for name, opts in variants.items()}
        interleaved(tasks, repeat=args.repeat)  # its timings include the sandbox's start
        report(shape, sides)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
