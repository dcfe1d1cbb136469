"""Throughput of hf.associate against a rate-limited sandbox, and a speed-up over the SDK.

The sandbox runs in a separate process (so client and server do not share a GIL) with a
rolling window of 20 requests per second and a latency of 0.25 s + 0.1 ms per input.  The
bench sends N pairs (default 1,000,000: 500 batches, ~27 s) with :func:`hubframe.jobs.associate`
and reports, from the sandbox's request log (first request to last response):

- achieved rows/s divided by the ceiling (requests allowed per second x inputs per batch),
  target >= 0.90;
- the share of requests answered 429, target <= 1 %.

The run's fixed costs -- the labels lookup before the first batch and the latency of the last
batch -- take ~0.75 s whatever N is: 5-6 % of a 500,000-pair run, under 3 % of a 1,000,000-pair
run, which is why the default is the larger one (the sandbox counts each request when its
headers arrive, as HubSpot does at its edge).

Then, on a fresh sandbox, a straightforward script using HubSpot's official
``hubspot-api-client`` (sequential batch create in chunks of 2,000, its urllib3 Retry set for
429) does the same work; the speed-up is the ratio of the two wall times.

Usage: ``python bench/throughput.py [--pairs 1000000] [--skip-sdk]``.  ``hubspot-api-client`` is
a bench-only dependency (``pip install hubspot-api-client``).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pandas as pd

RATE_LIMIT = (20, 1.0)
LATENCY = (0.25, 0.0001)
BATCH = 2_000
LABEL = "Bench label"
FROM_TYPE, TO_TYPE = "deals", "contacts"
DEAL_BASE, CONTACT_BASE = 2_050_000_001, 1_019_500_001


def ids(n_pairs: int) -> tuple[list[str], list[str]]:
    """Deals x contacts: 100 contacts, enough deals to make ``n_pairs`` distinct pairs."""
    contacts = [str(CONTACT_BASE + j) for j in range(100)]
    deals = [str(DEAL_BASE + i) for i in range(-(-n_pairs // len(contacts)))]
    return deals, contacts


def pairs(n_pairs: int) -> list[tuple[str, str]]:
    deals, contacts = ids(n_pairs)
    return [(d, c) for d in deals for c in contacts][:n_pairs]


# --- the sandbox process ----------------------------------------------------------------------


def _serve(conn: Connection, n_pairs: int) -> None:
    from hubframe.sandbox import Sandbox

    # The fake HubSpot is a Python process holding hundreds of thousands of associations; the
    # default garbage-collector thresholds make it pause for full collections mid-run, which a
    # real HubSpot does not do.  Collect rarely so the bench measures the client, not the GC.
    gc.set_threshold(200_000, 50, 1_000)
    sb = Sandbox(seed=None, rate_limit=RATE_LIMIT, latency=LATENCY)
    sb.start()
    deals, contacts = ids(n_pairs)
    sb.add_records(FROM_TYPE, deals)
    sb.add_records(TO_TYPE, contacts)
    type_id = sb.add_label(FROM_TYPE, TO_TYPE, LABEL)
    gc.freeze()
    conn.send((sb.url, sb.token, type_id))
    while True:
        command = conn.recv()
        if command == "log":
            conn.send(sb.request_log())
        elif command == "cpu":
            conn.send(time.process_time())
        elif command == "count":
            linked = sb.associations(FROM_TYPE, TO_TYPE)
            conn.send(len(linked.drop_duplicates(["from_id", "to_id"])))
        else:
            sb.stop()
            conn.send(None)
            return


@dataclass
class Server:
    url: str
    token: str
    type_id: int
    conn: Connection

    def ask(self, command: str) -> Any:
        self.conn.send(command)
        return self.conn.recv()


@contextmanager
def sandbox_process(n_pairs: int) -> Iterator[Server]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, n_pairs), daemon=True)
    proc.start()
    try:
        if not parent.poll(120):
            raise RuntimeError("sandbox process did not start")
        url, token, type_id = parent.recv()
        yield Server(url, token, type_id, parent)
        parent.send("stop")
        parent.poll(30)
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.terminate()


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Figures:
    rows: int
    wall_s: float
    requests: int
    throttled: int
    associations: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_s

    @property
    def throttled_share(self) -> float:
        return self.throttled / max(1, self.requests)


def figures(server: Server, rows: int) -> Figures:
    log: pd.DataFrame = server.ask("log")
    wall = float(log["finished"].max() - log["started"].min())
    if hasattr(wall, "total_seconds"):
        wall = wall.total_seconds()
    return Figures(
        rows=rows,
        wall_s=float(wall),
        requests=len(log),
        throttled=int((log["status"] == 429).sum()),
        associations=int(server.ask("count")),
    )


def run_hubframe(server: Server, work: list[tuple[str, str]]) -> Figures:
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.jobs import associate

    frame = pd.DataFrame(
        {
            "sheet": "bench",
            "row": range(2, len(work) + 2),
            "from_type": FROM_TYPE,
            "from_id": [f for f, _ in work],
            "to_type": TO_TYPE,
            "to_id": [t for _, t in work],
            "label": LABEL,
            "category": pd.array([None] * len(work), dtype="string"),
            "type_id": pd.array([None] * len(work), dtype="Int64"),
        }
    )
    frame.attrs["hubframe"] = {"kind": "pairs", "source": "<bench>", "original_columns": []}
    client = HubSpotClient(token=server.token, base_url=server.url)
    cpu, server_cpu = time.process_time(), server.ask("cpu")
    result = associate(frame, client, progress=False)
    print(
        f"  CPU during the run: client {time.process_time() - cpu:.2f} s, "
        f"sandbox {server.ask('cpu') - server_cpu:.2f} s"
    )
    ok = int((result["status"] == "success").sum())
    if ok != len(work):
        print(result["status"].value_counts(), file=sys.stderr)
        raise SystemExit(f"hubframe: only {ok} of {len(work)} rows succeeded")
    return figures(server, len(work))


def run_sdk(server: Server, work: list[tuple[str, str]]) -> Figures:
    from hubspot import HubSpot  # type: ignore[import-not-found, unused-ignore]
    from hubspot.crm.associations.v4 import (  # type: ignore[import-not-found, unused-ignore]
        AssociationSpec,
        BatchInputPublicAssociationMultiPost,
        PublicAssociationMultiPost,
        PublicObjectId,
    )
    from urllib3.util.retry import Retry

    retry = Retry(total=20, status_forcelist=(429,), backoff_factor=0.2, allowed_methods=None)
    api = HubSpot(access_token=server.token, retry=retry, host=server.url)
    spec = AssociationSpec(association_category="USER_DEFINED", association_type_id=server.type_id)
    for start in range(0, len(work), BATCH):
        inputs = [
            PublicAssociationMultiPost(
                _from=PublicObjectId(id=f), to=PublicObjectId(id=t), types=[spec]
            )
            for f, t in work[start : start + BATCH]
        ]
        api.crm.associations.v4.batch_api.create(
            FROM_TYPE, TO_TYPE, BatchInputPublicAssociationMultiPost(inputs=inputs)
        )
    return figures(server, len(work))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--skip-sdk", action="store_true", help="do not time hubspot-api-client")
    args = parser.parse_args(argv)
    work = pairs(args.pairs)
    ceiling = RATE_LIMIT[0] / RATE_LIMIT[1] * BATCH
    print(
        f"sandbox: {RATE_LIMIT[0]} requests / {RATE_LIMIT[1]:g} s, latency {LATENCY[0]} s + "
        f"{LATENCY[1] * 1000:g} ms/input; {len(work):,} pairs; ceiling {ceiling:,.0f} rows/s"
    )
    started = time.perf_counter()
    with sandbox_process(args.pairs) as server:
        ours = run_hubframe(server, work)
    ratio = ours.rows_per_s / ceiling
    print(
        f"hubframe: {ours.wall_s:.2f} s first request to last response, "
        f"{ours.rows_per_s:,.0f} rows/s = {ratio:.3f} of ceiling (target >= 0.90); "
        f"{ours.requests} requests, {ours.throttled} answered 429 = "
        f"{ours.throttled_share:.2%} (target <= 1 %); {ours.associations:,} pairs associated "
        f"(bench total {time.perf_counter() - started:.1f} s)"
    )
    ok = ratio >= 0.90 and ours.throttled_share <= 0.01
    if not args.skip_sdk:
        with sandbox_process(args.pairs) as server:
            sdk = run_sdk(server, work)
        print(
            f"hubspot-api-client (sequential, chunks of {BATCH}, urllib3 Retry on 429): "
            f"{sdk.wall_s:.2f} s, {sdk.rows_per_s:,.0f} rows/s, {sdk.requests} requests, "
            f"{sdk.throttled} answered 429; {sdk.associations:,} pairs associated"
        )
        print(f"speed-up: {sdk.wall_s / ours.wall_s:.1f}x")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
