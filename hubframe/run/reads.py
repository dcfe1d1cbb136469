"""Reading the associations of many records at once: batch reads, concurrent, paged.

:func:`read_links` reads every association of a list of records from one object type to
another with batch read (:data:`~hubframe.constants.MAX_BATCH_READ` records a call), several
calls in flight on a small thread pool that shares the client -- and so its rate limiter --
the way :class:`~hubframe.run.send.Sender` shares it for writes.  A record with more
associations than one page holds comes back with a cursor; its next page is asked for in a
later call (cursors of several records share a call).  Records HubSpot reports as having no
associations (or as unknown: an item error) map to an empty list, as
:meth:`~hubframe.hubspot.client.HubSpotClient.read_associations` does.  A call that fails for
good raises its :class:`~hubframe.errors.HubframeError`: a read is all or nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Final

from hubframe.constants import MAX_BATCH_READ
from hubframe.hubspot.client import HubSpotClient

JSON = dict[str, Any]
Page = tuple[list[tuple[str, list[JSON]]], list[JSON]]  # (from id, entries) found, next inputs

#: Calls in flight when nothing is known yet about the rate budget or the latency.
DEFAULT_READ_WORKERS: Final = 8
MAX_READ_WORKERS: Final = 32


def pool_size(client: HubSpotClient, latency_s: float) -> int:
    """Enough calls in flight to keep the rate budget full while each takes ``latency_s``,
    never more than one window of the budget allows."""
    limiter = client.limiter
    wanted = math.ceil(limiter.rate_per_s * latency_s * 1.5) + 2
    cap = min(MAX_READ_WORKERS, limiter.effective_max)
    return max(1, min(cap, max(DEFAULT_READ_WORKERS, wanted)))


def _read_page(client: HubSpotClient, from_type: str, to_type: str, inputs: list[JSON]) -> Page:
    """One batch read: the entries of each record, and the inputs of the records' next pages."""
    body = client.batch_read(from_type, to_type, inputs).json()
    found: list[tuple[str, list[JSON]]] = []
    more: list[JSON] = []
    for result in body.get("results") or []:
        if not isinstance(result, dict):
            continue
        from_id = str((result.get("from") or {}).get("id"))
        found.append((from_id, [e for e in result.get("to") or [] if isinstance(e, dict)]))
        after = ((result.get("paging") or {}).get("next") or {}).get("after")
        if after:
            more.append({"id": from_id, "after": str(after)})
    return found, more


def read_links(
    client: HubSpotClient,
    from_type: str,
    to_type: str,
    ids: Iterable[str],
    *,
    workers: int | None = None,
    on_call: Callable[[int], None] | None = None,
) -> dict[str, list[JSON]]:
    """Every association of the given records: from id -> its ``to`` entries (see the module
    docstring).  ``on_call(records)`` is called as each call returns, with its input count."""
    order = list(dict.fromkeys(str(i) for i in ids))
    found: dict[str, list[JSON]] = {i: [] for i in order}
    todo: list[JSON] = [{"id": i} for i in order]
    if not todo:
        return found

    def take(page: Page, size: int) -> None:
        for from_id, entries in page[0]:
            found.setdefault(from_id, []).extend(entries)
        todo.extend(page[1])
        if on_call is not None:
            on_call(size)

    def next_inputs() -> list[JSON]:
        chunk = todo[:MAX_BATCH_READ]
        del todo[:MAX_BATCH_READ]
        return chunk

    if workers is None and not client.limiter.known:  # learn the budget and the latency first
        first = next_inputs()
        started = time.monotonic()
        take(_read_page(client, from_type, to_type, first), len(first))
        workers = pool_size(client, time.monotonic() - started)
    size = workers or pool_size(client, 1.0)
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="hubframe-read") as pool:
        flying: dict[Future[Page], int] = {}
        try:
            while todo or flying:
                while todo and len(flying) < size:
                    chunk = next_inputs()
                    flying[pool.submit(_read_page, client, from_type, to_type, chunk)] = len(chunk)
                done, _ = wait(flying, return_when=FIRST_COMPLETED)
                for future in done:
                    take(future.result(), flying.pop(future))
        except BaseException:
            for future in flying:
                future.cancel()
            raise
    return found


def types_of(entries: Iterable[Mapping[str, Any]]) -> dict[str, frozenset[int]]:
    """to id -> the type ids between the two records, from a record's ``to`` entries."""
    out: dict[str, frozenset[int]] = {}
    for entry in entries:
        specs = entry.get("associationTypes") or []
        ids = {int(s["typeId"]) for s in specs if isinstance(s, dict) and "typeId" in s}
        to_id = str(entry.get("toObjectId"))
        out[to_id] = out.get(to_id, frozenset()) | frozenset(ids)
    return out


__all__ = ["pool_size", "read_links", "types_of"]
