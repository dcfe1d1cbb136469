"""Big jobs stay small: rows/s and peak memory per row at 100,000, 1,000,000 and 5,000,000 rows.

For each size, in a fresh interpreter (so peak memory is this job's own):

- the input: an analyst's sheet as a DataFrame, in two shapes -- ``minimal`` (``Deal ID``,
  ``Contact ID``, ``Association label``: all hubframe needs) and ``export`` (a HubSpot export's
  layout: ``Record ID``, the deal's name, stage, amount and close date, ``Contact ID``, the
  contact's email, ``Association label``) -- 4 contacts per deal out of 20,000, and its size in
  memory (deep);
- a dry run (planning only, pre-flight off): ``read_pairs`` + ``validate_pairs`` + ``associate``
  rows/s (target >= 1,000,000 rows/s at 5,000,000 rows);
- a real run against a sandbox in its own process (no rate limit, no latency): peak RSS of read,
  validate, plan, send and result above the interpreter with the input built, per row and as a
  multiple of the input DataFrame (target <= 2.5).

The result table has the contract's 19 columns beside the sheet's own (docs/report.md, "The
result table"), each at least 8 bytes a row (pandas' Arrow strings keep an 8-byte offset per
row): ~250 bytes a row whatever the sheet, so the ratio depends on how much the sheet itself
holds -- which is why both shapes are shown.

Run: ``.venv/bin/python bench/scale.py [--rows 100000,1000000,5000000] [--shapes minimal,export]
[--skip-send]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

MEMORY_TARGET = 2.5
RATE_TARGET = 1_000_000


def _sheet(rows: int, shape: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The analyst's sheet: ``minimal`` (the three columns hubframe needs) or ``export`` (a
    HubSpot export's layout: the deal's own columns beside the ids), and its deal and contact
    ids."""
    rng = np.random.default_rng(3)
    deals = 3_100_000_001 + np.arange(rows) // 4
    contacts = 4_100_000_001 + rng.integers(0, 20_000, rows)
    columns = {"Deal ID": deals.astype(str), "Contact ID": contacts.astype(str)}
    if shape == "export":
        stages = np.array(["appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost"])
        columns = {
            "Record ID": columns["Deal ID"],
            "Deal Name": np.char.add("Renewal ", (deals % 100_000).astype(str)),
            "Deal Stage": stages[rng.integers(0, 4, rows)],
            "Amount": (rng.integers(100, 100_000, rows) * 10).astype(str),
            "Close Date": "2026-12-31",
            "Contact ID": columns["Contact ID"],
            "Contact email": np.char.add(np.char.add("c", columns["Contact ID"]), "@example.com"),
        }
    frame = pd.DataFrame({**columns, "Association label": ""})
    return frame, deals, contacts


def _child(rows: int, send: bool, shape: str) -> dict[str, float]:
    from common import peak_rss_mb, reset_peak_rss, rss_mb
    from server import sandbox_process

    import hubframe as hf
    from hubframe.sandbox import Sandbox
    from hubframe.testing import client_for

    frame, deals, contacts = _sheet(rows, shape)
    input_mb = frame.memory_usage(deep=True).sum() / 2**20
    out: dict[str, float] = {"rows": rows, "input_mb": input_mb}
    with Sandbox(seed=None) as sb:
        client = client_for(sb)
        started = time.perf_counter()
        pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
        hf.associate(pairs, client, dry_run=True, preflight=False, progress=False)
        out["dry_run_s"] = time.perf_counter() - started
        del pairs
    if not send:
        return out
    unique_contacts = np.unique(contacts)
    with sandbox_process(records={"deals": deals, "contacts": unique_contacts}) as server:
        from hubframe.hubspot.client import HubSpotClient

        client = HubSpotClient(token=server.token, base_url=server.url)
        # Warm up: the modules a run imports, the client's session and threads, are not the
        # job's memory; a small real run loads them before the measure starts.
        warm = hf.read_pairs(frame.head(2_000), from_type="deals", to_type="contacts")
        hf.associate(warm, client, progress=False)
        gc.collect()
        reset_peak_rss()
        base = rss_mb()
        started = time.perf_counter()
        pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
        result = hf.associate(pairs, client, progress=False)
        out["run_s"] = time.perf_counter() - started
        out["peak_mb"] = peak_rss_mb() - base
        out["success"] = float((result["status"] == "success").sum())
        out["duplicate"] = float((result["status"] == "duplicate").sum())
    return out


def measure(rows: int, send: bool, shape: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", str(rows), "--shape", shape]
    command += ["--skip-send"] if not send else []
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"scale run of {rows:,} rows failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=lambda t: [int(x) for x in t.replace("_", "").split(",")],
                        default=[100_000, 1_000_000, 5_000_000])  # fmt: skip
    parser.add_argument("--skip-send", action="store_true")
    parser.add_argument("--shapes", default="minimal,export", help="sheet shapes to measure")
    parser.add_argument("--shape", help=argparse.SUPPRESS)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, not args.skip_send, args.shape)))
        return
    for shape in args.shapes.split(","):
        print(f"sheet shape: {shape}")
        _table(shape, args.rows, not args.skip_send)
    print(f"dry-run target: >= {RATE_TARGET:,} rows/s at the largest size")


def _table(shape: str, sizes: list[int], send: bool) -> None:
    print(f"{'rows':>10}  {'input':>9}  {'dry run':>16}  {'real run':>18}  peak RSS above base")
    for rows in sizes:
        f = measure(rows, send, shape)
        dry = f"{rows / f['dry_run_s']:>10,.0f} rows/s"
        line = f"{rows:>10,}  {f['input_mb']:>6.0f} MB  {dry}"
        if "peak_mb" in f:
            ratio = f["peak_mb"] / f["input_mb"]
            verdict = "OK" if ratio <= MEMORY_TARGET else "OVER TARGET"
            line += (
                f"  {rows / f['run_s']:>10,.0f} rows/s  {f['peak_mb']:>6.0f} MB = "
                f"{f['peak_mb'] * 2**20 / rows:>5.0f} B/row = {ratio:4.2f}x input "
                f"(target <= {MEMORY_TARGET}: {verdict}); {int(f['success']):,} succeeded, "
                f"{int(f['duplicate']):,} repeated pairs"
            )
        print(line, flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
