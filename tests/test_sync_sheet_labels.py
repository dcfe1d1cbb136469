"""Each sheet of a workbook read whole (``sheet="*"``) says what its own columns say of labels.

A sheet of links only (``Deal ID``, ``Contact ID``: a HubSpot CRM export) says nothing of
labels: a sync leaves the labels of the pairs it lists.  Before: read beside a sheet with a
label column, the links-only sheet's pairs lost their labels (the workbook's columns were
taken as one), although read alone they kept them.  Against the demo sandbox over HTTP.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, workbook_bytes

D = [str(i) for i in demo_ids("deals")[:3]]
C = [str(i) for i in demo_ids("contacts")[:4]]
EXPORT = ["from_type", "from_id", "to_type", "to_id", "label"]
CHAMPION = 1003


@pytest.fixture
def portal() -> Iterator[Sandbox]:
    """Demo links; deal D[0] with C[0] as "Champion" too, deal D[1] with C[2] as Champion."""
    with Sandbox(seed="demo") as sb:
        sb.associate("deals", D[0], "contacts", C[0], type_id=CHAMPION)
        sb.associate("deals", D[1], "contacts", C[2], type_id=CHAMPION)
        yield sb


def types(sb: Sandbox, deal: str, contact: str) -> set[int]:
    found = sb.associations("deals", "contacts")
    mine = found[(found["from_id"] == deal) & (found["to_id"] == contact)]
    return {int(t) for t in mine["type_id"]}


def book(*names: str) -> io.BytesIO:
    """An export of deal D[0] (with its labels, no Champion) and a links-only sheet of deal
    D[1]'s pair with C[2], in the order ``names`` gives."""
    sheets = {
        "Export": [EXPORT, ["deals", D[0], "contacts", C[0], "Decision maker"]],
        "Links": [["Deal ID", "Contact ID"], [D[1], C[2]]],
    }
    return io.BytesIO(workbook_bytes({name: sheets[name] for name in names}))


@pytest.mark.parametrize("order", [("Export", "Links"), ("Links", "Export")])
@pytest.mark.parametrize("version", ["2026-03", "2026-09"])
def test_a_links_only_sheet_keeps_its_pairs_labels_beside_a_labeled_sheet(
    portal: Sandbox, order: tuple[str, str], version: str
) -> None:
    pairs = hf.read_pairs(book(*order), sheet="*")
    result = hf.sync(pairs, client_for(portal, version), allow_removals=True, progress=False)
    assert CHAMPION in types(portal, D[1], C[2]), result[["sheet", "to_id", "label", "change"]]
    # the labeled sheet still says its pair's labels: Champion, which it lacks, goes
    assert CHAMPION not in types(portal, D[0], C[0])
    removed = result[(result["change"] == "remove") & (result["status"] == "success")]
    pairs_removed = removed[["from_id", "to_id"]].values.tolist()
    assert [D[0], C[0]] in pairs_removed and [D[1], C[2]] not in pairs_removed


def test_a_pair_listed_on_both_kinds_of_sheet_keeps_its_labels(portal: Sandbox) -> None:
    """Listed by a links-only sheet too, a pair keeps the labels the labeled sheet lacks: one
    sheet says nothing of them."""
    sheets = {
        "Export": [EXPORT, ["deals", D[0], "contacts", C[0], "Decision maker"]],
        "Links": [["Deal ID", "Contact ID"], [D[0], C[0]]],
    }
    pairs = hf.read_pairs(io.BytesIO(workbook_bytes(sheets)), sheet="*")
    hf.sync(pairs, client_for(portal), allow_removals=True, progress=False)
    assert CHAMPION in types(portal, D[0], C[0])


def test_a_links_only_sheet_read_alone_keeps_labels_as_before(portal: Sandbox) -> None:
    pairs = hf.read_pairs(book("Export", "Links"), sheet="Links")
    result = hf.sync(pairs, client_for(portal), allow_removals=True, progress=False)
    assert CHAMPION in types(portal, D[1], C[2]), result
