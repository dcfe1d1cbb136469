"""Export, edit the file, sync it back: the portal ends as the edited file says (seeded).

Each seed draws a portal (deals, contacts, labels with names an analyst or another tool may
give -- formulas, signs, separators, quotes, digits, accents, spaces -- and links), exports
some deals' associations to ``.xlsx`` and ``.csv`` with :func:`hubframe.write_pairs`, edits
the rows (some dropped, some relabeled, some added), writes the edit and syncs the file with
removals.  The portal must then hold exactly what the file lists for its deals (a labeled pair
keeps its unlabeled type; a pair without labels is its unlabeled type), and nothing else of
other deals may change.  This found a label starting with "=" read back as a formula.
``make test`` runs a few seeds; a campaign runs more: ``HUBFRAME_FUZZ_SEEDS=START:COUNT``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.jobs import read_associations, sync
from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

pytestmark = pytest.mark.slow

LABELS = [
    "Champion",
    "Decision maker",
    "=SUM(A1)",
    "+plus",
    "-minus",
    "@at",
    "Käufer",
    "semi;colon",
    "comma, label",
    'quote "q"',
    "'apos",
    "TRUE",
    "123",
    "0012",
    "1e3",
    "  Spaced  ",
    "Tab\tinside",
    "ÉCOLE",
]
Entry = tuple[str, str, str | None]


def _entries(frame: pd.DataFrame) -> set[Entry]:
    plain = frame[["from_id", "to_id", "label"]].astype(object)
    plain = plain.where(plain.notna(), None)
    return {(str(f), str(t), lbl or None) for f, t, lbl in plain.itertuples(index=False)}


def _portal_view(entries: set[Entry]) -> set[Entry]:
    """What the portal shows for such rows: a pair's labels, or its unlabeled type alone."""
    labeled = {(f, t) for f, t, label in entries if label is not None}
    return {(f, t, label) for f, t, label in entries if label is not None or (f, t) not in labeled}


def _draw_portal(r: random.Random, sb: Sandbox) -> tuple[list[str], list[str], list[str]]:
    deals = [str(7_500_000_001 + i) for i in range(r.randint(3, 7))]
    contacts = [str(8_500_000_001 + i) for i in range(r.randint(4, 12))]
    sb.add_records("deals", deals)
    sb.add_records("contacts", contacts)
    labels = r.sample(LABELS, r.randint(2, 5))
    ids = {label: sb.add_label("deals", "contacts", label) for label in labels}
    for _ in range(r.randint(4, 25)):
        label = r.choice([None, *labels])
        sb.associate("deals", r.choice(deals), "contacts", r.choice(contacts), ids.get(label or ""))
    return deals, contacts, labels


def _edit(r: random.Random, start: pd.DataFrame, deals: list[str], contacts: list[str],
          labels: list[str]) -> pd.DataFrame:  # fmt: skip
    keep = [r.random() > 0.2 for _ in range(len(start))]
    out = start.loc[keep].copy()
    for i in out.index:
        if r.random() < 0.25:  # relabeled: the type id no longer holds
            out.loc[i, "label"] = r.choice(labels)
            out.loc[i, ["category", "type_id"]] = pd.NA
    new = [
        {
            "from_type": "deals",
            "from_id": r.choice(sorted(set(out["from_id"].astype(str))) or deals),
            "to_type": "contacts",
            "to_id": r.choice(contacts),
            "label": r.choice([None, *labels]),
        }
        for _ in range(r.randint(0, 4))
    ]
    return pd.concat([out, pd.DataFrame(new)], ignore_index=True) if new else out


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("seed", seeds(6))
def test_export_edit_sync_leaves_the_portal_as_the_file_says(
    sandbox_factory: object, tmp_path: Path, seed: int, suffix: str
) -> None:
    r = random.Random(seed)
    sb: Sandbox = sandbox_factory(seed=None)  # type: ignore[operator]
    deals, contacts, labels = _draw_portal(r, sb)
    client = client_for(sb)
    chosen = r.sample(deals, r.randint(1, len(deals)))
    others = [d for d in deals if d not in chosen]
    before_others = (
        _entries(read_associations(client, "deals", "contacts", others, progress=False))
        if others
        else set()
    )
    start = read_associations(client, "deals", "contacts", chosen, progress=False)
    sheet = _edit(r, start, deals, contacts, labels)
    if sheet.empty:
        return
    path = write_pairs(sheet, tmp_path / f"edited{suffix}")
    result = sync(path, client, allow_removals=True, max_removals=10_000, progress=False)
    bad = result[~result["status"].isin(["success", "duplicate"]) & (result["change"] != "keep")]
    assert bad.empty, (
        seed,
        labels,
        bad[["row", "label", "status", "error_code", "error_message"]].to_dict("records"),
    )
    named = sorted(set(sheet["from_id"].astype(str)))
    after = _entries(read_associations(client, "deals", "contacts", named, progress=False))
    assert after == _portal_view(_entries(sheet)), (seed, labels)
    untouched = [d for d in others if d not in named]
    if untouched:
        now = _entries(read_associations(client, "deals", "contacts", untouched, progress=False))
        assert now == {e for e in before_others if e[0] in untouched}, seed
    assert hf.read_pairs(path) is not None
