"""A sandbox in its own process for the benchmarks, so client and server share no interpreter.

``sandbox_process(records={...}, rate_limit=..., latency=..., labels=[...], links=[...])``
starts one and yields a :class:`Server` (its URL, token, the type ids of the labels it made);
``links`` are deal-contact pairs linked before the bench starts, ``(deal, contact, label)`` with
``label`` one of ``labels`` or None (unlabeled).  ``server.ask`` sends a command: ``"log"`` (the
request log), ``"reset"`` (empty the log), ``"cpu"`` (its CPU seconds), ``"count"`` (distinct
deal-contact pairs associated), ``"stop"``.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

FROM_TYPE, TO_TYPE = "deals", "contacts"


def _serve(conn: Connection, settings: dict[str, Any]) -> None:
    from hubframe.sandbox import Sandbox

    # A Python process holding millions of associations: the default garbage-collector
    # thresholds make it pause for full collections mid-run, which a real HubSpot does not do.
    gc.set_threshold(200_000, 50, 1_000)
    sb = Sandbox(
        seed=None,
        rate_limit=settings["rate_limit"],
        latency=settings["latency"],
        daily_limit=settings.get("daily_limit"),
    )
    sb.start()
    for object_type, ids in settings["records"].items():
        sb.add_records(object_type, [int(i) for i in ids])
    type_ids = [sb.add_label(FROM_TYPE, TO_TYPE, label) for label in settings["labels"]]
    _link(sb, settings.get("links") or [])
    gc.freeze()
    conn.send((sb.url, sb.token, type_ids))
    while True:
        command = conn.recv()
        if command == "log":
            conn.send(sb.request_log())
        elif command == "reset":
            sb.reset_request_log()
            conn.send(None)
        elif command == "cpu":
            conn.send(time.process_time())
        elif command == "count":
            linked = sb.associations(FROM_TYPE, TO_TYPE)
            conn.send(len(linked.drop_duplicates(["from_id", "to_id"])))
        else:
            sb.stop()
            conn.send(None)
            return


def _link(sb: Any, links: Sequence[tuple[Any, Any, str | None]]) -> None:
    """Link the pairs through the sandbox's own batch path, without HTTP (set-up only)."""
    by_label: dict[str | None, list[tuple[int, int]]] = {}
    for deal, contact, label in links:
        by_label.setdefault(label, []).append((int(deal), int(contact)))
    type_ids = {label: sb.type_id(FROM_TYPE, TO_TYPE, label) for label in by_label if label}
    portal = sb.portal
    with portal.lock:
        fk, tk = portal.kind(FROM_TYPE), portal.kind(TO_TYPE)
        for label, pairs in by_label.items():
            labeled = portal.def_by_type(fk, tk, type_ids[label]) if label else None
            portal.associate_all(fk, tk, pairs, [labeled] if labeled is not None else [])


@dataclass
class Server:
    url: str
    token: str
    type_ids: list[int]
    conn: Connection | None  # None in a client process given only the address

    def ask(self, command: str) -> Any:
        assert self.conn is not None, "only the process that started the sandbox asks it"
        self.conn.send(command)
        return self.conn.recv()


@contextmanager
def sandbox_process(
    *,
    records: Mapping[str, Sequence[Any]],
    rate_limit: tuple[int, float] | None = None,
    latency: tuple[float, float] | None = None,
    labels: Sequence[str] = (),
    daily_limit: int | None = None,
    links: Sequence[tuple[Any, Any, str | None]] = (),
) -> Iterator[Server]:
    settings = {
        "links": list(links),
        "records": {k: list(v) for k, v in records.items()},
        "rate_limit": rate_limit,
        "latency": latency,
        "labels": list(labels),
        "daily_limit": daily_limit,
    }
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child, settings), daemon=True)
    proc.start()
    try:
        if not parent.poll(300):
            raise RuntimeError("sandbox process did not start")
        url, token, type_ids = parent.recv()
        yield Server(url, token, type_ids, parent)
        parent.send("stop")
        parent.poll(30)
    finally:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.terminate()
