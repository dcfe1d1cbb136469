"""The user's wait for hf.associate against a rate-limited sandbox, beside the schedule's floor.

For each setting of the portal (rolling window and latency) and each job size, the bench
computes the **schedule-optimal time** (:func:`common.schedule_optimum`: the labels lookup, then
every batch of 2,000 sent as early as the window allows with hubframe's safety margins --
COUNT_MARGIN of the budget in reserve, slots held TIME_MARGIN longer than the window -- at most
32 in flight, each taking the sandbox's latency; no client CPU) and measures the wall time of
the whole :func:`hubframe.jobs.associate` call in the client (validation, planning, lookup,
sending, the result table: what the user waits for), then prints

- the ratio wall / optimum for the fastest and the median turn (target: median <= 1.10),
- the share of requests the sandbox answered 429 (target <= 1 %),

and times the same work, in the same run, with the peers:

- ``hubspot-sdk``: HubSpot's new official SDK (``hubspot_sdk.HubSpot``), its
  ``crm.associations.batch.create`` (the 2026-03 API, as hubframe) from a 32-thread pool, one
  batch of 2,000 per task, its own retry of 429s (``max_retries=50``: exponential backoff from
  0.5 s, at most 8 s; the sandbox sends no Retry-After, nor does HubSpot's burst limit) and an
  httpx pool of 32 connections;
- ``requests``: a plain 32-thread client, a ``requests.Session`` per thread, the 2026-03 batch
  create JSON built with a list comprehension, each 429 retried after Retry-After or 0.5 s;
- ``hubspot-api-client``: the old official SDK, sequential (v4 batch create, urllib3 Retry on
  429).  Sequential takes ~latency per batch, so by default it runs only up to 300,000 pairs
  (``--sequential-max``).

The peers are handed the label's type id; hubframe is given the label's name and looks it up
(one round trip before the first batch, which the optimum counts).

The optimum is hubframe's own margins' floor: widening a margin moves it too, so the ratio
judges the schedule and the client's overheads, not the margins; what the margins cost shows
beside the peers (a naive client may send a window's whole budget where hubframe keeps 3 % in
reserve and waits a window for the rest).  The diagnostics line also gives the optimum at the
sandbox's measured time per batch: the sandbox parses and applies each batch of 2,000 on the
same cores, which the configured latency leaves out.

Fairness: the sides take turns (A B C D, D C B A, A B C D: min and median of 3), and every turn
gets a **fresh sandbox process** (started before the clock starts): the rolling window starts
empty and the portal holds no association, for every side alike. Each turn also runs in a
**fresh client process** that imports only its own side and builds its job before the clock
starts: no side runs in an interpreter another side has filled (the SDKs import thousands of
model classes; the sequential client's 60-second turns leave their own state), as no user's
process holds four HTTP clients. Before the clock, each side also makes one small call (200
pairs) against a throwaway sandbox: a warm-up round, so first-call costs (lazy imports, caches,
the first threads and connections of the process: ~0.1 s for hubframe) are not in the figure.
Here the portal holds only 100 contacts and one deal per 100 pairs, so a sandbox starts in about
a second -- less than the window's 10 s that a shared sandbox would need between turns -- and a
fresh one also lets the server's count check each turn's work. Every turn must leave all its
pairs associated (the sandbox's count of distinct pairs, and hubframe's result statuses), else
the bench stops: a figure of work not done is void.

The sandbox runs in its own process (no shared GIL), but on the same machine: client and
sandbox share its cores (2 on the bench machine), so a side that spends more CPU (building
bodies, 429 storms the sandbox has to answer) is slowed by its own load, and all sides pay the
sandbox's CPU alike.  The diagnostics line under each hubframe figure shows where the time goes:
client time before the first request and after the last answer, the lookup round trip before
the first batch, the sandbox's span, client and sandbox CPU.

Usage::

    python bench/throughput.py                   # the grid: 3 settings x 10k, 100k, 300k, 1M
    python bench/throughput.py --quick           # 10k and 100k pairs
    python bench/throughput.py --settings 3 --sizes 100000,1000000 --peers requests
    python bench/throughput.py --peers none      # hubframe only

Run time on the 2-core bench machine: ``--quick`` about 15 minutes; the sizes up to 300,000 with
every peer (``--sequential-max 100000``) about 25 minutes; each 1,000,000 cell adds about 2
minutes per turn and side, and the CPU-bound ``hubspot-sdk`` (~0.2 s of CPU per batch) takes
longer still: run the 1M column with ``--sizes 1000000 --peers requests`` when time is short.

The peers are bench-only dependencies (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import batch_sizes, limiter_budget, schedule_optimum, turn_order
from server import FROM_TYPE, TO_TYPE, Server, sandbox_process

BATCH = 2_000
THREADS = 32
LABEL = "Bench label"
DEAL_BASE, CONTACT_BASE = 2_050_000_001, 1_019_500_001
SIZES = (10_000, 100_000, 300_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)
SEQUENTIAL_MAX = 300_000
NAIVE_SLEEP_S = 0.5
WARM_PAIRS = 200
RATIO_TARGET = 1.10
THROTTLED_TARGET = 0.01


@dataclass(frozen=True)
class Setting:
    rate_limit: tuple[int, float]
    latency: tuple[float, float]

    def describe(self) -> str:
        n, window = self.rate_limit
        base, per_input = self.latency
        per = f" + {per_input * 1000:g} ms/input" if per_input else ""
        allowed, hold = limiter_budget(self.rate_limit)
        return (
            f"{n} requests / {window:g} s, latency {base:g} s{per} "
            f"(with hubframe's margins: {allowed} per {hold:g} s, {THREADS} in flight)"
        )


SETTINGS = {
    1: Setting((150, 10.0), (0.5, 0.0002)),
    2: Setting((100, 10.0), (1.0, 0.0)),
    3: Setting((20, 1.0), (0.25, 0.0001)),
}


# --- the work -----------------------------------------------------------------------------------


def records(n_pairs: int) -> dict[str, list[int]]:
    """Deals x contacts: 100 contacts, enough deals to make ``n_pairs`` distinct pairs."""
    return {
        FROM_TYPE: [DEAL_BASE + i for i in range(-(-n_pairs // 100))],
        TO_TYPE: [CONTACT_BASE + j for j in range(100)],
    }


def pairs(n_pairs: int) -> list[tuple[str, str]]:
    ids = records(n_pairs)
    contacts = [str(c) for c in ids[TO_TYPE]]
    return [(str(d), c) for d in ids[FROM_TYPE] for c in contacts][:n_pairs]


def frame_of(work: list[tuple[str, str]]) -> pd.DataFrame:
    """The pairs as :func:`hubframe.read_pairs` gives them (built before the clock starts)."""
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
    return frame


@dataclass
class Job:
    """One size's work, in the shape each side takes."""

    work: list[tuple[str, str]]
    frame: pd.DataFrame
    type_id: int = 0  # the sandbox's label type id (the same in every fresh sandbox)

    def chunks(self) -> list[list[tuple[str, str]]]:
        return [self.work[i : i + BATCH] for i in range(0, len(self.work), BATCH)]


# --- the sides ----------------------------------------------------------------------------------


def run_hubframe(server: Server, job: Job) -> int:
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.jobs import associate

    client = HubSpotClient(token=server.token, base_url=server.url)
    result = associate(job.frame, client, progress=False)
    client.close()
    ok = int((result["status"] == "success").sum())
    if ok != len(job.work):
        print(result["status"].value_counts(), file=sys.stderr)
    return ok


def run_hubspot_sdk(server: Server, job: Job) -> int:
    import httpx
    from hubspot_sdk import DefaultHttpxClient, HubSpot

    limits = httpx.Limits(max_connections=THREADS, max_keepalive_connections=THREADS)
    api = HubSpot(
        access_token=server.token,
        base_url=server.url,
        max_retries=50,
        http_client=DefaultHttpxClient(limits=limits),
    )
    spec = [{"association_category": "USER_DEFINED", "association_type_id": job.type_id}]

    def send(chunk: list[tuple[str, str]]) -> int:
        inputs: Any = [{"from": {"id": f}, "to": {"id": t}, "types": spec} for f, t in chunk]
        answer = api.crm.associations.batch.create(
            TO_TYPE, from_object_type=FROM_TYPE, inputs=inputs
        )
        return len(answer.results)

    with ThreadPoolExecutor(THREADS) as pool:
        done = sum(pool.map(send, job.chunks()))
    api.close()
    return done


def run_requests(server: Server, job: Job) -> int:
    import requests

    url = f"{server.url}/crm/associations/2026-03/{FROM_TYPE}/{TO_TYPE}/batch/create"
    spec = [{"associationCategory": "USER_DEFINED", "associationTypeId": job.type_id}]
    local = threading.local()
    sessions: list[requests.Session] = []

    def send(chunk: list[tuple[str, str]]) -> int:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers["Authorization"] = f"Bearer {server.token}"
            sessions.append(session)
        body = {"inputs": [{"from": {"id": f}, "to": {"id": t}, "types": spec} for f, t in chunk]}
        while True:
            resp = session.post(url, json=body, timeout=60)
            if resp.status_code != 429:
                resp.raise_for_status()
                return len(resp.json()["results"])
            time.sleep(float(resp.headers.get("Retry-After") or NAIVE_SLEEP_S))

    with ThreadPoolExecutor(THREADS) as pool:
        done = sum(pool.map(send, job.chunks()))
    for session in sessions:
        session.close()
    return done


def run_hubspot_api_client(server: Server, job: Job) -> int:
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
    spec = AssociationSpec(association_category="USER_DEFINED", association_type_id=job.type_id)
    done = 0
    for chunk in job.chunks():
        inputs = [
            PublicAssociationMultiPost(
                _from=PublicObjectId(id=f), to=PublicObjectId(id=t), types=[spec]
            )
            for f, t in chunk
        ]
        answer = api.crm.associations.v4.batch_api.create(
            FROM_TYPE, TO_TYPE, BatchInputPublicAssociationMultiPost(inputs=inputs)
        )
        done += len(answer.results)
    return done


Side = Callable[[Server, Job], int]
SIDES: dict[str, tuple[Side, str]] = {
    "hubframe": (run_hubframe, "hubframe"),
    "hubspot-sdk": (run_hubspot_sdk, f"hubspot-sdk {THREADS} thr"),
    "requests": (run_requests, f"requests {THREADS} thr"),
    "hubspot-api-client": (run_hubspot_api_client, "api-client seq"),
}
PEERS = ("hubspot-sdk", "requests", "hubspot-api-client")


def warm_up(names: Sequence[str]) -> None:
    """Import every side before the clock starts (the SDKs take seconds to import)."""
    import requests  # noqa: F401

    # hubframe.jobs loads a job's modules on first use; the sheet was read (and checked) before
    # the call, which loads hubframe.io and hubframe.validate.
    import hubframe.hubspot.client
    import hubframe.io
    import hubframe.jobs.link
    import hubframe.run.bodies
    import hubframe.run.lookup
    import hubframe.run.send
    import hubframe.validate  # noqa: F401

    if "hubspot-sdk" in names:
        import hubspot_sdk  # noqa: F401
    if "hubspot-api-client" in names:
        import hubspot.crm.associations.v4  # type: ignore[import-not-found, unused-ignore]  # noqa: F401


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Turn:
    wall_s: float
    requests: int
    throttled: int
    # Diagnostics: the client's time before the first request / after the last answer, the
    # lookup round trip, the sandbox's span, CPU seconds of client and sandbox.
    before_s: float = 0.0
    after_s: float = 0.0
    lookup_s: float = 0.0
    span_s: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    batch_s: float = 0.0  # the sandbox's median time per full batch (latency, parse, endpoint)


@dataclass
class Result:
    turns: list[Turn] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [t.wall_s for t in self.turns]

    @property
    def min(self) -> float:
        return min(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def throttled_share(self) -> float:
        return sum(t.throttled for t in self.turns) / max(1, sum(t.requests for t in self.turns))

    def mid(self, name: str) -> float:
        return statistics.median(getattr(t, name) for t in self.turns)


def _side_process(conn: Connection, name: str, n_pairs: int, server: Server) -> None:
    """One side's turn in a client process of its own: imports and the job built first, then
    the timed call when the parent says go (no other side's modules, threads or garbage)."""
    warm_up([name])
    _warm_call(name)
    work = pairs(n_pairs)
    job = Job(work, frame_of(work) if name == "hubframe" else pd.DataFrame(), server.type_ids[0])
    gc.collect()
    conn.send("ready")
    conn.recv()
    cpu = time.process_time()
    began = time.time()
    start = time.perf_counter()
    done = SIDES[name][0](server, job)
    wall = time.perf_counter() - start
    ended = time.time()
    conn.send((done, wall, began, ended, time.process_time() - cpu))


def _warm_call(name: str) -> None:
    """One small call of the side against a throwaway sandbox (first-call costs: lazy imports,
    caches, the first thread pool and connections), as any benchmark's warm-up round."""
    from hubframe.sandbox import Sandbox

    work = pairs(WARM_PAIRS)
    ids = records(WARM_PAIRS)
    with Sandbox(seed=None) as sandbox:
        for object_type, numbers in ids.items():
            sandbox.add_records(object_type, numbers)
        type_id = sandbox.add_label(FROM_TYPE, TO_TYPE, LABEL)
        address = Server(sandbox.url, sandbox.token, [type_id], None)
        job = Job(work, frame_of(work) if name == "hubframe" else pd.DataFrame(), type_id)
        if SIDES[name][0](address, job) != WARM_PAIRS:
            raise SystemExit(f"{name}: the warm-up call did not associate its pairs")


def _in_own_process(name: str, n_pairs: int, server: Server) -> tuple[Any, ...]:
    """(done, wall, began, ended, client CPU) of a side run by :func:`_side_process`, and the
    sandbox's CPU seconds over the timed call."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    address = Server(server.url, server.token, server.type_ids, None)  # no sandbox pipe
    proc = ctx.Process(target=_side_process, args=(child, name, n_pairs, address), daemon=True)
    proc.start()
    try:
        if not parent.poll(600):
            raise SystemExit(f"{name}: the client process did not start")
        parent.recv()
        server_cpu = server.ask("cpu")
        parent.send("go")
        done, wall, began, ended, client_cpu = parent.recv()
        return done, wall, began, ended, client_cpu, server.ask("cpu") - server_cpu
    finally:
        proc.join(timeout=60)
        if proc.is_alive():
            proc.terminate()


def one_turn(name: str, setting: Setting, n_pairs: int) -> Turn:
    with sandbox_process(
        records=records(n_pairs),
        rate_limit=setting.rate_limit,
        latency=setting.latency,
        labels=[LABEL],
    ) as server:
        done, wall, began, ended, client_cpu, server_cpu = _in_own_process(name, n_pairs, server)
        linked = int(server.ask("count"))
        log: pd.DataFrame = server.ask("log")
    if done < n_pairs or linked != n_pairs:
        raise SystemExit(
            f"{name}: {done:,} pairs confirmed, {linked:,} associated in the sandbox, of "
            f"{n_pairs:,}: the figure is void"
        )
    batches = log[log["inputs"] > 0]
    full = batches[(batches["inputs"] == BATCH) & (batches["status"] < 300)]
    first_batch = float(batches["started"].min()) if len(batches) else float(log["started"].max())
    return Turn(
        wall_s=wall,
        requests=len(log),
        throttled=int((log["status"] == 429).sum()),
        before_s=float(log["started"].min()) - began,
        after_s=ended - float(log["finished"].max()),
        lookup_s=first_batch - float(log["started"].min()),
        span_s=float(log["finished"].max() - log["started"].min()),
        client_cpu_s=client_cpu,
        server_cpu_s=server_cpu,
        batch_s=float((full["finished"] - full["started"]).median()) if len(full) else 0.0,
    )


def measure(setting: Setting, n_pairs: int, names: Sequence[str], repeat: int) -> dict[str, Result]:
    results = {name: Result() for name in names}
    for name in turn_order(list(names), repeat):
        results[name].turns.append(one_turn(name, setting, n_pairs))
    return results


def optimum_s(setting: Setting, n_pairs: int) -> float:
    return schedule_optimum(batch_sizes(n_pairs, BATCH), setting.rate_limit, setting.latency)


def _cell(result: Result | None) -> str:
    if result is None:
        return f"{'(skipped)':>22}"
    return f"{result.min:7.1f} /{result.median:7.1f} {result.throttled_share:5.1%}"


def header(peers: Sequence[str]) -> str:
    cols = "".join(f" | {SIDES[p][1]:>22}" for p in peers)
    return (
        f"  {'pairs':>9} {'reqs':>5} {'optimum s':>9} | {'hubframe min / med s':>20} "
        f"{'ratio min / med':>15} {'429':>5}{cols}"
    )


def row(n_pairs: int, optimum: float, results: dict[str, Result], peers: Sequence[str]) -> str:
    ours = results["hubframe"]
    cols = "".join(f" | {_cell(results.get(p))}" for p in peers)
    return (
        f"  {n_pairs:>9,} {len(batch_sizes(n_pairs, BATCH)) + 1:>5} {optimum:9.2f} | "
        f"{ours.min:9.2f} /{ours.median:9.2f} "
        f"{ours.min / optimum:7.3f} /{ours.median / optimum:6.3f}"
        f" {ours.throttled_share:5.1%}{cols}"
    )


def diagnostics(result: Result, setting: Setting, n_pairs: int) -> str:
    # The schedule's floor again, each batch taking what the sandbox took (its own CPU and
    # queueing on the shared cores included) and the lookup what it took.
    measured = schedule_optimum(
        batch_sizes(n_pairs, BATCH),
        setting.rate_limit,
        (result.mid("batch_s"), 0.0),
        lookup_s=result.mid("lookup_s"),
    )
    return (
        f"  {'':>26}hubframe, median turn: {result.mid('before_s'):.2f} s before the first "
        f"request, lookup {result.mid('lookup_s'):.2f} s, "
        f"sandbox span {result.mid('span_s'):.2f} s, "
        f"{result.mid('after_s'):.2f} s after the last answer; CPU client "
        f"{result.mid('client_cpu_s'):.1f} s, sandbox {result.mid('server_cpu_s'):.1f} s; "
        f"the sandbox took {result.mid('batch_s'):.2f} s per batch of {BATCH:,}: optimum at "
        f"that time {measured:.2f} s, wall / it {result.median / measured:.3f}"
    )


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--settings", type=_ints, default=list(SETTINGS), help="e.g. 1,3")
    parser.add_argument("--sizes", type=_ints, default=None, help="pairs, e.g. 10000,100000")
    parser.add_argument("--quick", action="store_true", help="10k and 100k pairs only")
    parser.add_argument(
        "--peers", default=",".join(PEERS), help=f"comma-separated of {', '.join(PEERS)}; or none"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sequential-max",
        type=int,
        default=SEQUENTIAL_MAX,
        help="largest job for the sequential hubspot-api-client",
    )
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    peers = [p for p in args.peers.split(",") if p and p != "none"]
    unknown = [p for p in peers if p not in PEERS] + [s for s in args.settings if s not in SETTINGS]
    if unknown:
        parser.error(f"unknown: {unknown}")
    warm_up(["hubframe", *peers])
    if "hubspot-api-client" in peers and max(sizes) > args.sequential_max:
        print(
            f"note: the sequential hubspot-api-client runs only up to {args.sequential_max:,} "
            "pairs (one batch per latency; --sequential-max to change)"
        )
    began = time.perf_counter()
    verdicts: list[tuple[int, int, bool]] = []
    for number in args.settings:
        setting = SETTINGS[number]
        print(f"\nsetting {number}: {setting.describe()}")
        print(f"  wall time of the whole call, min / median of {args.repeat}; 429 share")
        print(header(peers))
        for n_pairs in sizes:
            names = ["hubframe"] + [
                p for p in peers if p != "hubspot-api-client" or n_pairs <= args.sequential_max
            ]
            results = measure(setting, n_pairs, names, args.repeat)
            optimum = optimum_s(setting, n_pairs)
            print(row(n_pairs, optimum, results, peers), flush=True)
            print(diagnostics(results["hubframe"], setting, n_pairs), flush=True)
            ours = results["hubframe"]
            ok = ours.median / optimum <= RATIO_TARGET and ours.throttled_share <= THROTTLED_TARGET
            verdicts.append((number, n_pairs, ok))
    failed = [(s, n) for s, n, ok in verdicts if not ok]
    print(f"\nbench time {time.perf_counter() - began:.0f} s")
    print(
        f"{'PASS' if not failed else 'FAIL'}: hubframe median wall / schedule optimum <= "
        f"{RATIO_TARGET} and <= {THROTTLED_TARGET:.0%} of requests answered 429"
        + (f"; missed at (setting, pairs) {failed}" if failed else " in every cell")
    )
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
