"""Two custom objects are two object pairs, whatever their association type ids.

Where the labels lists name no object type ids (the 2026-09 API; the sandbox's
``label_object_types=False``), a pair was told from the others by the association types it
lists.  Under per-pair type ids (the sandbox's ``hostile`` preset, ``type_ids="per_pair"``) two
custom objects linked to contacts list the same ones, so a row of object B was sent as object
A's: B's "Owner" limit set on A's, a removal of B's purging A's (both ``success``), and B's
object limit a ``duplicate`` of A's, never sent.  Against the sandbox over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

A, B = "2-1110001", "2-2220002"
SETTINGS = [("hostile", "2026-03"), ({"type_ids": "per_pair"}, "2026-09"), (None, "2026-09")]


Portal = tuple[Sandbox, str, dict[str, int]]


@pytest.fixture(params=SETTINGS, ids=["hostile-2026-03", "per_pair-2026-09", "default-2026-09"])
def portal(request: pytest.FixtureRequest) -> Iterator[Portal]:
    behaviour, version = request.param
    records = pd.DataFrame(
        {"from_type": [A, B], "from_id": ["1", "2"], "to_type": "contacts", "to_id": ["11", "12"]}
    )
    with Sandbox.from_pairs(hf.read_pairs(records), behaviour=behaviour) as sb:
        owners = {A: sb.add_label(A, "contacts", "Owner"), B: sb.add_label(B, "contacts", "Owner")}
        yield sb, version, owners


def limits(sb: Sandbox) -> dict[tuple[str, str | None], int]:
    held = sb.limits()
    labels = held["label"].astype(object).where(held["label"].notna(), None)
    return {
        (f, label): int(m)
        for f, label, m in zip(held["from_type"], labels, held["max_to_object_ids"], strict=True)
    }


def run(sb: Sandbox, version: str, text: str) -> pd.DataFrame:
    sheet = hf.read_limits(("From,To,Label,Max\n" + text).encode())
    return hf.configure_limits(sheet, client_for(sb, version), progress=False)


def test_a_label_limit_is_set_on_its_own_object(portal: Portal) -> None:
    sb, version, _ = portal
    result = run(sb, version, f"{A},contacts,,5\n{B},contacts,Owner,3\n")
    assert result["status"].tolist() == ["success", "success"], result
    held = limits(sb)
    assert held.get((B, "Owner")) == 3 and (A, "Owner") not in held, held


def test_a_removal_purges_its_own_objects_limit(portal: Portal) -> None:
    sb, version, owners = portal
    sb.set_limit(A, "contacts", 2, type_id=owners[A])
    sb.set_limit(B, "contacts", 4, type_id=owners[B])
    result = run(sb, version, f"{A},contacts,,5\n{B},contacts,Owner,remove\n")
    assert result["status"].tolist() == ["success", "success"], result
    held = limits(sb)
    assert held.get((A, "Owner")) == 2 and (B, "Owner") not in held, held


def test_the_same_limit_of_two_objects_is_set_on_both(portal: Portal) -> None:
    sb, version, _ = portal
    result = run(sb, version, f"{A},contacts,,5\n{B},contacts,,5\n")
    assert result["status"].tolist() == ["success", "success"], result
    held = limits(sb)
    assert sorted(f for f, _ in held) == [A, B], held
