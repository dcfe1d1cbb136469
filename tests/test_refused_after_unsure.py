"""A batch refused whole after an attempt that may have been applied goes the refused way.

A write's first attempt got a 5xx or lost its answer (it may have been applied); the retry was
refused whole by an answer that names one bad row (HubSpot, or the sandbox's ``hostile``
behaviour, refusing a batch with a record that does not exist).  Every row was ``failed``
``UNKNOWN_OUTCOME``, each quoting the bad row's record, and the rows HubSpot would take were
never sent again.  The refusal is an answer for sure: now the rows the portal shows applied
are ``success`` and the rest go the way of a refused batch (the bad row ``OBJECT_NOT_FOUND``,
the others sent again -- safe on every batch endpoint, which each ask for a state).  A row
then refused for a reason an earlier attempt may have caused is read back: there, ``success``;
never seen, ``UNKNOWN_OUTCOME`` naming that attempt's answer.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
import hubframe.testing as T
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

DEALS = [str(n) for n in range(93000001, 93000006)]
CONTACTS = [str(n) for n in range(94000001, 94000031)]
MISSING = [str(n) for n in range(94000901, 94000911)]  # contacts no portal holds
LABEL = "Decision maker"
_NUMBER = re.compile(r"\d{6,}")


@pytest.fixture(autouse=True)
def _short_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (0.05, 0.1))


def _client(url: str, token: str, **kwargs: Any) -> HubSpotClient:
    kwargs.setdefault("max_retries", 1)
    client = HubSpotClient(token=token, base_url=url, backoff_base=0.01, backoff_cap=0.02, **kwargs)
    client.locked_wait_s = 0.02  # the 2 s floor after a 423 has its own test
    return client


def _portal(
    behaviour: str, faults: dict[str, Any] | None = None, labels: tuple[str, ...] = (LABEL,)
) -> Sandbox:
    sb = Sandbox(seed=None, behaviour=behaviour, faults=faults or {}).start()
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    for label in labels:
        sb.add_label("deals", "contacts", label)
    return sb


def _links(sb: Sandbox) -> set[tuple[str, str, int]]:
    frame = sb.associations("deals", "contacts")
    return set(
        zip(
            frame["from_id"].astype(str),
            frame["to_id"].astype(str),
            frame["type_id"].astype(int),
            strict=True,
        )
    )


def _foreign_records(result: pd.DataFrame) -> list[str]:
    """Rows whose message names a record of another row that is not the row's own."""
    ids = set(result["from_id"].astype(str)) | set(result["to_id"].astype(str))
    found = []
    for _, row in result.iterrows():
        own = {str(row["from_id"]), str(row["to_id"])}
        message = row["error_message"]
        named = set(_NUMBER.findall(message if isinstance(message, str) else "")) & ids
        if named - own:
            found.append(f"row {row['row']} names {sorted(named - own)}: {row['error_message']}")
    return found


@pytest.mark.parametrize("earlier", ["lost", "504"])
@pytest.mark.parametrize("bad", [0, 2, 5])
def test_a_batch_refused_for_one_row_after_an_unsure_attempt_sends_the_others_again(
    earlier: str, bad: int
) -> None:
    """hostile: a batch with a contact that does not exist is refused whole (400 naming it).
    Its first attempt lost its answer or got a 504 (HubSpot refused that one too)."""
    sb = _portal("hostile")
    contacts = CONTACTS[:6]
    contacts[bad] = MISSING[0]
    sheet = T.pairs_sheet([(DEALS[0], c, "") for c in contacts])
    proxy = (
        FaultProxy(sb, lose=1)
        if earlier == "lost"
        else FaultProxy(sb, then_writes=["late:0.05"], cued=True)
    )
    try:
        with proxy:
            result = hf.associate(sheet, _client(proxy.url, sb.token), progress=False)
        held = {to for _, to, _ in _links(sb)}
    finally:
        sb.stop()
    good = [i for i in range(6) if i != bad]
    assert result["status"].tolist() == ["failed" if i == bad else "success" for i in range(6)]
    row = result.loc[bad]
    assert row["error_code"] == "OBJECT_NOT_FOUND", row.to_dict()
    assert MISSING[0] in row["error_message"]
    assert held == {contacts[i] for i in good}
    assert result.loc[good, "error_message"].isna().all(), result.loc[good].to_dict("records")
    assert not _foreign_records(result)


LABELS = (LABEL, "Champion", "Budget holder")
Run = Callable[[Sandbox, HubSpotClient], pd.DataFrame]
Done = Callable[[Sandbox], bool]


def _pairs(label: str) -> pd.DataFrame:
    return T.pairs_sheet([(DEALS[0], c, label) for c in CONTACTS[:4]])


def _linked(label: str) -> Done:
    def done(sb: Sandbox) -> bool:
        type_id = sb.type_id("deals", "contacts", label or None)
        return {(DEALS[0], c, type_id) for c in CONTACTS[:4]} <= _links(sb)

    return done


def _remove(sb: Sandbox, client: HubSpotClient) -> pd.DataFrame:
    for contact in CONTACTS[:4]:
        sb.associate("deals", DEALS[0], "contacts", contact)
    pairs = hf.read_pairs(_pairs(""), from_type="deals", to_type="contacts")
    return hf.remove_associations(pairs, client, progress=False)


def _limits(kind: str) -> Run:
    def run(sb: Sandbox, client: HubSpotClient) -> pd.DataFrame:
        if kind != "create":
            for label in LABELS:
                sb.set_limit("deals", "contacts", 4, type_id=sb.type_id("deals", "contacts", label))
        most = {"create": 3, "update": 5, "purge": "remove"}[kind]
        sheet = pd.DataFrame({"From": "deals", "To": "contacts", "Label": LABELS, "Max": most})
        return hf.configure_limits(hf.read_limits(sheet), client)

    return run


def _limited(kind: str) -> Done:
    def done(sb: Sandbox) -> bool:
        values = sb.limits("deals", "contacts")["max_to_object_ids"].tolist()
        return values == {"create": [3] * 3, "update": [5] * 3, "purge": []}[kind]

    return done


RUNS: dict[str, tuple[Run, Done]] = {
    "associate": (lambda sb, c: hf.associate(_pairs(""), c, progress=False), _linked("")),
    "associate_labeled": (
        lambda sb, c: hf.associate(_pairs(LABEL), c, progress=False),
        _linked(LABEL),
    ),
    "remove": (_remove, lambda sb: not _links(sb)),
    **{f"limits_{kind}": (_limits(kind), _limited(kind)) for kind in ("create", "update", "purge")},
}


def _wait(check: Callable[[], bool], seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not check() and time.monotonic() < end:
        time.sleep(0.05)


@pytest.mark.parametrize("late", [0.0, 0.3], ids=["applied_before_the_read", "applied_later"])
@pytest.mark.parametrize("run", sorted(RUNS))
def test_a_refusal_after_an_attempt_that_applied_is_read_on_every_endpoint(
    run: str, late: float
) -> None:
    """The first attempt got a 504 and was applied (at once, or 0.3 s later: after the read
    that follows the refusal); the retry was refused whole by a 400 naming no row.  Every row
    is a success and the portal holds what the sheet asks: sending a row again changed nothing
    the earlier attempt did, on each batch endpoint."""
    send, done = RUNS[run]
    sb = _portal("default", labels=LABELS)
    try:
        with FaultProxy(sb, then_writes=[f"late:{late}", "reject"], cued=True) as proxy:
            result = send(sb, _client(proxy.url, sb.token))
            _wait(lambda: done(sb))  # the late write lands on the proxy's own thread
        assert done(sb)
    finally:
        sb.stop()
    assert proxy.answered == 2  # the 504 and the refusal were played
    assert set(result["status"]) == {"success"}, result.to_dict("records")


def _schedule(seed: int) -> tuple[str, dict[str, Any], list[tuple[str, str, str]], int]:
    r = random.Random(seed)
    behaviour = ("hostile", "default")[seed % 2]
    faults: dict[str, Any] = {
        "server_error_rate": r.choice([0.2, 0.35, 0.5]),
        "lost_response_rate": r.choice([0.0, 0.1, 0.2]),
        "reset_rate": r.choice([0.0, 0.1]),
        "locked_rate": r.choice([0.0, 0.1, 0.2]),
        "writes_only": True,
        "seed": seed,
    }
    rows: list[tuple[str, str, str]] = []
    pairs = [(d, c) for d in DEALS for c in CONTACTS]
    for deal, contact in r.sample(pairs, r.randint(8, 30)):
        missing = r.random() < 0.15
        rows.append((deal, r.choice(MISSING) if missing else contact, r.choice(["", LABEL])))
    return behaviour, faults, rows, r.choice([3, 7, 50])


@pytest.mark.parametrize("seed", seeds(12), ids=lambda s: f"seed{s}")
def test_seeded_fault_schedules_report_what_the_portal_shows(seed: int) -> None:
    """Random 5xx, lost answers, resets and 423s on the writes, under hostile (a batch with a
    bad row refused whole) and default behaviour: each row's status agrees with the portal, no
    row's message names another row's record, no ``UNKNOWN_OUTCOME`` says nothing was
    applied, and none is left by a batch refused whole for its rows (they are sent again)."""
    behaviour, faults, rows, batch_size = _schedule(seed)
    sb = _portal(behaviour, faults)
    try:
        type_ids = {label: sb.type_id("deals", "contacts", label or None) for label in ("", LABEL)}
        result = hf.associate(
            T.pairs_sheet(rows),
            _client(sb.url, sb.token, max_retries=4),
            batch_size=batch_size,
            progress=False,
        )
        held = _links(sb)
    finally:
        sb.stop()
    problems = _foreign_records(result)
    for n, (deal, contact, label) in enumerate(rows):
        row = result.loc[n]
        there = (deal, contact, type_ids[label]) in held
        status, code, message = (str(row[c]) for c in ("status", "error_code", "error_message"))
        if status == "success" and not there:
            problems.append(f"row {n}: success, not in the portal")
        if status != "success" and code != "UNKNOWN_OUTCOME" and there:
            problems.append(f"row {n}: {status} {code} but in the portal: {message}")
        if code == "UNKNOWN_OUTCOME" and "nothing of the request was applied" in message:
            problems.append(f"row {n}: unknown, yet 'nothing applied': {message}")
        if code == "UNKNOWN_OUTCOME" and re.search(r"last was refused \(HTTP 4(00|13|22)", message):
            problems.append(f"row {n}: left unknown by a refusal of its batch: {message}")
    assert not problems, (behaviour, faults, batch_size, problems)
