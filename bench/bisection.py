"""What isolating bad rows costs when HubSpot refuses whole batches.

A 20,000-row sheet (10 batches of 2,000) with 1 % bad rows (contacts that do not exist) runs
against a sandbox whose batches are refused as a whole (``partial_failure="refuse_batch"``: a
400 carrying only the first failing input's error, nothing applied), once with full error
bodies (the 400 names the bad row: it is failed and the rest sent again) and once with bare ones
(no context: the portal is read for the rows that cannot succeed -- records, types, limits,
100 records a read -- those fail and the rest is sent again; halving is left for what the reads
cannot explain).  Printed per case: writes and reads, the extra requests the bad rows cost
(every request beyond one per batch), per bad row, beside log2(batch size) -- about what finding
one bad row costs when HubSpot names none and only writes can tell (blind halving) -- and every
row's status checked against the portal.

Run: ``.venv/bin/python bench/bisection.py [--rows 20000] [--bad 0.01] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import math
import random
import time

import pandas as pd

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEAL_BASE, CONTACT_BASE = 6_000_000_001, 7_000_000_001


def sheet(rows: int, bad: float, seed: int) -> tuple[pd.DataFrame, set[int]]:
    rng = random.Random(seed)
    deals = [DEAL_BASE + i // 20 for i in range(rows)]
    contacts = [CONTACT_BASE + i for i in range(rows)]
    broken = set(rng.sample(range(rows), round(rows * bad)))
    for n in broken:
        contacts[n] = CONTACT_BASE + 10 * rows + n  # no such contact
    frame = pd.DataFrame({"Deal ID": [str(d) for d in deals], "Contact ID": map(str, contacts)})
    return frame, broken


def run_case(name: str, behaviour: dict[str, str], rows: int, bad: float, seed: int) -> None:
    frame, broken = sheet(rows, bad, seed)
    with Sandbox(seed=None, behaviour={"partial_failure": "refuse_batch", **behaviour}) as sb:
        sb.add_records("deals", sorted({DEAL_BASE + i // 20 for i in range(rows)}))
        sb.add_records("contacts", [CONTACT_BASE + i for i in range(rows)])
        pairs = hf.read_pairs(frame, from_type="deals", to_type="contacts")
        started = time.perf_counter()
        result = hf.associate(pairs, client_for(sb), progress=False)
        seconds = time.perf_counter() - started
        log = sb.request_log()
        links = sb.associations("deals", "contacts")
    writes = int(log["path"].str.endswith("/batch/associate/default").sum())
    reads = len(log) - writes
    batches = math.ceil(rows / 2000)
    failed = result["status"] == "failed"
    ok = set(result.index[failed]) == broken and len(links) == rows - len(broken)
    codes = set(result.loc[failed, "error_code"])
    extra = len(log) - batches  # every request beyond one per batch, reads included
    print(
        f"  {name:<20} {writes:>5} writes {reads:>4} reads  {extra:>5} extra requests = "
        f"{extra / len(broken):5.2f} a bad row  {seconds:6.2f} s  {sorted(codes)}  "
        f"{'portal == reported' if ok else 'MISMATCH'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--bad", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    bad_rows = round(args.rows * args.bad)
    print(
        f"{args.rows:,} rows, {bad_rows} bad ({args.bad:.0%}), batches of 2,000; "
        f"log2(2000) = {math.log2(2000):.1f} requests a bad row when HubSpot names none"
    )
    run_case("refuse_batch, full", {}, args.rows, args.bad, args.seed)
    run_case("refuse_batch, bare", {"error_details": "bare"}, args.rows, args.bad, args.seed)


if __name__ == "__main__":
    main()
