"""One sheet, one portal: every way of sending it ends the same (seeded, no faults).

For ``associate``, ``remove_associations`` and the ``undo`` of a run, the API version (2026-03,
2026-09, v4), the way the portal answers (each sandbox behaviour: 207s or whole batches refused,
200 for 201, bare errors, type ids of their own per pair), the batch size, the number of workers
and a journal only change how the rows travel. Without faults, each row must end with the same
status and error code under all of them, and the portal with the same associations -- else one
path reports or applies a row differently from another (a version's answer read another way, a
refused batch split wrongly, a row of a small batch confirmed where a large one is not). A row
wrong in one way at most, and no limits: a row wrong in two ways may be refused for either, and
rows competing for a limit's last places win them in the order their batches reach HubSpot,
which concurrent workers do not fix.
``make test`` runs a few seeds; a campaign runs more: ``HUBFRAME_FUZZ_SEEDS=START:COUNT``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

pytestmark = pytest.mark.slow

#: (API version, sandbox behaviour, batch size, workers, journaled): the first is the
#: reference.
WAYS: tuple[tuple[str, Any, int, int, bool], ...] = (
    ("2026-03", "default", 100, 4, False),
    ("2026-09", "default", 7, 1, True),
    ("v4", "default", 3, 4, False),
    ("2026-03", "hostile", 1, 4, True),
    ("v4", "hostile", 7, 1, False),
    ("2026-09", {"partial_failure": "refuse_batch"}, 100, 1, False),
    ("v4", {"partial_failure": "refuse_batch"}, 7, 4, True),
    ("2026-03", {"type_ids": "per_pair"}, 7, 4, False),
)
LABELS = ("Alpha", "Beta one")
FAULTS = ("server_error_rate", "throttle_rate", "reset_rate", "lost_response_rate")
Link = tuple[str, str, str]  # deal, contact, label ("" for the unlabeled type)


class Portal:
    """What a seed drew for the portal: records, associations already there, labels."""

    def __init__(self, r: random.Random) -> None:
        self.deals = [str(7_000_000_001 + n) for n in range(r.randint(1, 10))]
        self.contacts = [str(8_000_000_001 + n) for n in range(r.randint(1, 20))]
        self.links = [
            (r.choice(self.deals), r.choice(self.contacts), r.choice(["", "", *LABELS]))
            for _ in range(r.randint(0, 25))
        ]

    def make(self, behaviour: Any) -> Sandbox:
        sb = Sandbox(seed=None, behaviour=behaviour).start()
        sb.add_records("deals", self.deals)
        sb.add_records("contacts", self.contacts)
        for name in LABELS:
            sb.add_label("deals", "contacts", name)
        for deal, contact, label in self.links:
            sb.associate("deals", deal, "contacts", contact, _type(sb, label))
        return sb


def _type(sb: Sandbox, label: str) -> int:
    return sb.type_id("deals", "contacts", label or None)


def _rows(r: random.Random, portal: Portal) -> list[tuple[str, str, str, str]]:
    """(deal, contact, label, type id: a label's name, to be numbered by the portal, or a
    number).  A row is wrong in one way at most (a row wrong in two may be refused for
    either, as HubSpot checks them in no set order)."""
    names = ["", "", "Alpha", "alpha ", "Beta one", "BETA ONE", "Gamma"]
    rows = []
    for _ in range(r.randint(1, 60)):
        deal, contact = r.choice(portal.deals), r.choice(portal.contacts)
        label, type_id = r.choice(names), r.choice(["", "", "", "", "Alpha", "Beta one", "3"])
        wrong = r.random()
        if wrong < 0.04:
            deal = r.choice(["9999999999", "12x"])
        elif wrong < 0.08:
            contact = "8999999999"
        elif wrong < 0.12:
            type_id = "99999"
        if wrong < 0.08 and (label == "Gamma" or type_id):
            label, type_id = "", ""
        rows.append((deal, contact, label, type_id))
    return rows + r.sample(rows, min(len(rows), r.randint(0, 3)))


def _sheet(sb: Sandbox, rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """The rows with this portal's type ids (a behaviour may number its labels its own way)."""
    typed = [(d, c, label, str(_type(sb, t)) if t in LABELS else t) for d, c, label, t in rows]
    return pd.DataFrame(typed, columns=["Deal ID", "Contact ID", "Association label", "Type ID"])


def _links(sb: Sandbox) -> set[Link]:
    names = {_type(sb, label): label for label in ("", *LABELS)}
    frame = sb.associations("deals", "contacts")
    return {
        (f, t, names.get(int(k), str(k)))
        for f, t, k in zip(frame["from_id"], frame["to_id"], frame["type_id"], strict=True)
    }


def _ends(result: pd.DataFrame) -> list[tuple[str, str]]:
    status, codes = (result[c].astype("string").fillna("") for c in ("status", "error_code"))
    return list(zip(status.tolist(), codes.tolist(), strict=True))


Job = Callable[[Sandbox, HubSpotClient, dict[str, Any]], Any]


def _one_way(make: Callable[[Any], Sandbox], job: Job, way: tuple[Any, ...], folder: Path) -> Any:
    """What ``job(sandbox, client, options)`` ends with when sent ``way``, in a fresh sandbox
    made by ``make(behaviour)`` (``options``: batch size, workers, a journal of its own)."""
    version, behaviour, batch_size, workers, journaled = way
    sb = make(behaviour)
    try:
        client = HubSpotClient(sb.token, sb.url, api_version=version)
        journal = folder / f"{len(list(folder.iterdir()))}.sqlite" if journaled else None
        options = {"batch_size": batch_size, "workers": workers, "progress": False}
        return job(sb, client, {**options, "journal": journal})
    finally:
        sb.stop()


def _every_way_alike(seed: int, make: Callable[[Any], Sandbox], job: Job, folder: Path) -> Any:
    """``job`` ends alike every way of :data:`WAYS` (the first is the reference); its end."""
    want = _one_way(make, job, WAYS[0], folder)
    for way in WAYS[1:]:
        got = _one_way(make, job, way, folder)
        assert got == want, (seed, way, _first_differences(want, got))
    return want


def _first_differences(want: Any, got: Any) -> Any:
    """(rows that differ, associations or limits on one side only), for the failure message."""
    rows = [(n + 2, a, b) for n, (a, b) in enumerate(zip(want[0], got[0], strict=False)) if a != b]
    return rows[:5], {*want[1]} ^ {*got[1]} if isinstance(want[1], set) else (want[1], got[1])


def _associated(rows: list[Any]) -> Job:
    def job(sb: Sandbox, client: HubSpotClient, options: dict[str, Any]) -> Any:
        return _ends(hf.associate(_sheet(sb, rows), client, **options)), _links(sb)

    return job


@pytest.mark.parametrize("seed", seeds(4))
def test_every_way_of_sending_a_sheet_ends_the_same(seed: int, tmp_path: Path) -> None:
    r = random.Random(seed)
    portal = Portal(r)
    _every_way_alike(seed, portal.make, _associated(_rows(r, portal)), tmp_path)


def _removals(r: random.Random, portal: Portal) -> pd.DataFrame:
    """Pairs to remove: most linked before, some with a label only, some not linked at all."""
    rows = []
    for _ in range(r.randint(1, 40)):
        if portal.links and r.random() < 0.7:
            deal, contact, label = r.choice(portal.links)
        else:
            deal, contact, label = r.choice(portal.deals), r.choice(portal.contacts), ""
        rows.append((deal, contact, r.choice([label, label, "", "Alpha", "beta one"])))
    return pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])


@pytest.mark.parametrize("seed", seeds(3))
def test_every_way_of_removing_ends_the_same(seed: int, tmp_path: Path) -> None:
    r = random.Random(seed)
    portal = Portal(r)
    sheet = _removals(r, portal)

    def job(sb: Sandbox, client: HubSpotClient, options: dict[str, Any]) -> Any:
        del options["journal"]  # a removal is not journaled
        return _ends(hf.remove_associations(sheet, client, **options)), _links(sb)

    _every_way_alike(seed, portal.make, job, tmp_path)


@pytest.mark.parametrize("seed", seeds(3))
def test_every_way_of_undoing_a_run_ends_the_same(seed: int, tmp_path: Path) -> None:
    """Each way runs the sheet and takes the run back: every undo row ends alike, and the
    portal is as it was before the run."""
    r = random.Random(seed)
    portal = Portal(r)
    rows = _rows(r, portal)

    def job(sb: Sandbox, client: HubSpotClient, options: dict[str, Any]) -> Any:
        before = _links(sb)
        result = hf.associate(_sheet(sb, rows), client, record_existing=True, **options)
        del options["journal"]
        undone = hf.undo(result, client, **options)
        return _ends(undone), {"as before": _links(sb) == before}

    _, back = _every_way_alike(seed, portal.make, job, tmp_path)
    assert back == {"as before": True}, seed


@pytest.mark.parametrize("seed", seeds(3))
def test_every_way_of_syncing_ends_the_same(seed: int, tmp_path: Path) -> None:
    """A sync with removals: each row (sheet rows, then the removals it planned, in the order
    planned) ends with the same change, status and code, and the portal the same."""
    r = random.Random(seed)
    portal = Portal(r)
    rows = [
        (r.choice(portal.deals), r.choice(portal.contacts), r.choice(["", "", *LABELS]))
        for _ in range(r.randint(1, 40))
    ]
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label"])

    def job(sb: Sandbox, client: HubSpotClient, options: dict[str, Any]) -> Any:
        result = hf.sync(sheet, client, allow_removals=True, max_removals=10_000, **options)
        changes = result["change"].astype("string").fillna("").tolist()
        return list(zip(changes, _ends(result), strict=True)), _links(sb)

    _every_way_alike(seed, portal.make, job, tmp_path)


LIMIT_PAIRS = (("deals", "contacts"), ("contacts", "companies"), ("deals", "companies"))


def _limits(sb: Sandbox) -> dict[tuple[str, str, str], int]:
    """Limits by object pair and label name ("" for the unlabeled type)."""
    out = {}
    frame = sb.limits()[["from_type", "to_type", "type_id", "max_to_object_ids"]]
    for f, t, type_id, value in frame.astype(str).itertuples(index=False):
        names = {_type_of(sb, f, t, n): n for n in ("", "Alpha", "Beta")}
        out[(f, t, names[int(type_id)])] = int(value)
    return out


def _type_of(sb: Sandbox, from_type: str, to_type: str, label: str) -> int:
    return sb.type_id(from_type, to_type, label or None)


@pytest.mark.parametrize("seed", seeds(3))
def test_every_way_of_configuring_limits_ends_the_same(seed: int, tmp_path: Path) -> None:
    r = random.Random(seed)
    first = [(f, t, r.choice(["", "Alpha"]), r.randint(1, 50)) for f, t in LIMIT_PAIRS]
    set_up = [limit for limit in first if r.random() < 0.5]
    rows = []
    for _ in range(r.randint(1, 12)):
        f, t = r.choice(LIMIT_PAIRS)
        u = r.random()
        bad = r.choice(["", "0", "-1", "2.5", "1e3", "30000"])
        limit = str(r.randint(1, 60)) if u < 0.7 else "remove" if u < 0.82 else bad
        rows.append((f.title(), t, r.choice(["", "Alpha", "beta", "Gamma"]), limit))
    sheet = pd.DataFrame(rows, columns=["From object", "To object", "Label", "Max associations"])

    def make(behaviour: Any) -> Sandbox:
        sb = Sandbox(seed=None, behaviour=behaviour).start()
        for f, t in LIMIT_PAIRS:
            sb.add_label(f, t, "Alpha")
            sb.add_label(f, t, "Beta")
        for f, t, label, value in set_up:
            sb.set_limit(f, t, value, type_id=_type_of(sb, f, t, label))
        return sb

    def job(sb: Sandbox, client: HubSpotClient, options: dict[str, Any]) -> Any:
        del options["journal"]  # a limits run is not journaled
        return _ends(hf.configure_limits(sheet, client, **options)), _limits(sb)

    _every_way_alike(seed, make, job, tmp_path)


#: What faults may leave a row at instead of its fault-free end: not sent or not known.
FAULT_ENDS = frozenset(
    {
        ("failed", "UNKNOWN_OUTCOME"),
        ("failed", "SERVER_ERROR"),
        ("failed", "NETWORK_ERROR"),
        ("failed", "RATE_LIMITED"),
        ("skipped", "SERVER_ERROR"),
        ("skipped", "NETWORK_ERROR"),
        ("skipped", "RATE_LIMITED"),
    }
)


@pytest.mark.parametrize("seed", seeds(4))
def test_faults_change_no_rows_end_but_to_not_done_or_not_known(seed: int, tmp_path: Path) -> None:
    """Server errors, 429s, reset connections and lost answers: a row ends as without them, or
    as not sent or not known -- never another row's error, never a failure of a row that the
    fault-free run applied being reported as a refusal."""
    r = random.Random(seed)
    portal = Portal(r)
    rows = _rows(r, portal)
    want, _ = _one_way(portal.make, _associated(rows), WAYS[seed % 3], tmp_path)
    faults = {f: r.choice([0.03, 0.08, 0.15]) for f in FAULTS}
    version, behaviour, batch_size, workers, _ = WAYS[seed % len(WAYS)]
    sb = portal.make(behaviour)
    sb.set_faults(seed=seed, **faults)
    try:
        with FaultProxy(sb, lose=1 + seed % 3) as proxy:
            client = HubSpotClient(
                sb.token, proxy.url, api_version=version, backoff_base=0.01, backoff_cap=0.05
            )
            result = hf.associate(
                _sheet(sb, rows), client, batch_size=batch_size, workers=workers, progress=False
            )
    finally:
        sb.stop()
    got = _ends(result)
    odd = [
        (n + 2, w, g)
        for n, (w, g) in enumerate(zip(want, got, strict=True))
        if g != w and g not in FAULT_ENDS
    ]
    assert not odd, (seed, faults, odd[:5])
