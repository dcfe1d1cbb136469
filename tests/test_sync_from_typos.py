"""A typo in a row's *from* id must not read as "remove".

Before: a sheet listing deal 2040000001 -> contact 1019360002 as 2040009999 -> 1019360002 (no
such deal) made ``sync --delete`` remove the real association (and its labels), since the
sheet no longer listed it, then fail to add the typo's (``OBJECT_NOT_FOUND``): removals are
sent first, so one typo deleted a good association and created nothing, and the dry run showed
the addition as planned.  The same typo in a *to* id was caught (the new target is read).

Now the from records of additions that the portal shows no association of are read first (one
objects batch read per object type): a row naming none is ``invalid``, ``OBJECT_NOT_FOUND``, in
the dry run and the real run, and holds the removals it could be asking to keep -- the pair
with its target (and the label it names) of any record of its from type, and, the other way,
those of its target -- not the others.  Both directions, labeled and unlabeled, custom objects,
Python and the command line; a seeded property at the end.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import seeds
from test_cli import _env, _hubframe

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

CUSTOM = "2-7350001"  # the demo's installations
RECORDS = {
    "deals": [str(i) for i in demo_ids("deals")],
    "contacts": [str(i) for i in demo_ids("contacts")],
    CUSTOM: [str(i) for i in demo_ids("installations")],
}
UNKNOWN = {"deals": "2049999999", "contacts": "1019369999", CUSTOM: "4719999999"}
DIRECTIONS = [("deals", "contacts"), ("contacts", "deals"), ("deals", CUSTOM), (CUSTOM, "deals")]
LABEL = "Sponsor"
Pair = frozenset[str]


def _links(sb: Sandbox, from_type: str, to_type: str) -> set[tuple[str, str, int]]:
    table = sb.associations(from_type, to_type)
    return set(zip(table["from_id"], table["to_id"], table["type_id"].astype(int), strict=True))


def _sheet(rows: list[tuple[str, str, str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["from_type", "from_id", "to_type", "to_id", "label"])


def _portal(sb: Sandbox, f: str, t: str, labeled: bool) -> tuple[str, str, str]:
    """A record of ``f`` linked to two records of ``t`` (labeled LABEL when ``labeled``),
    none of the demo's: (record, kept target, target the typo row names)."""
    record, keep, lost = RECORDS[f][20], RECORDS[t][21], RECORDS[t][22]
    type_id = sb.add_label(f, t, LABEL) if labeled else None
    for target in (keep, lost):
        sb.associate(f, record, t, target, type_id)
    return record, keep, lost


def _typo_sheet(f: str, t: str, labeled: bool, sb: Sandbox) -> pd.DataFrame:
    record, keep, lost = _portal(sb, f, t, labeled)
    label = LABEL if labeled else None
    return _sheet([(f, record, t, keep, label), (f, UNKNOWN[f], t, lost, label)])


def _removals(result: pd.DataFrame) -> pd.DataFrame:
    return result.loc[result["change"] == "remove"]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
@pytest.mark.parametrize("labeled", [True, False], ids=["labeled", "unlabeled"])
@pytest.mark.parametrize("f,t", DIRECTIONS)
def test_a_from_id_naming_no_record_is_invalid_and_holds_the_pair(
    f: str, t: str, labeled: bool, dry_run: bool
) -> None:
    with Sandbox(seed="demo") as sb:
        sheet = _typo_sheet(f, t, labeled, sb)
        before = _links(sb, f, t)
        result = hf.sync(
            sheet, client_for(sb), allow_removals=True, dry_run=dry_run, progress=False
        )
        assert _links(sb, f, t) == before
    typo = result.loc[1]
    assert (typo["status"], typo["error_code"]) == ("invalid", "OBJECT_NOT_FOUND"), result
    assert pd.isna(typo["change"]) and UNKNOWN[f] in typo["error_message"]
    held = _removals(result)
    assert len(held) == (2 if labeled else 1), held  # the pair, and its label
    assert set(held["error_code"]) == {"REMOVAL_HELD"}, held
    assert all("row 3" in m and UNKNOWN[f] in m for m in held["error_message"]), held


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
@pytest.mark.parametrize("f,t", DIRECTIONS[:2])
def test_a_from_record_new_to_the_sheet_is_sent(f: str, t: str, dry_run: bool) -> None:
    """A from record with no association in the portal that does exist is no typo: its row
    is added and the pair the sheet leaves out is removed."""
    with Sandbox(seed="demo") as sb:
        record, keep, lost = _portal(sb, f, t, labeled=False)
        new = RECORDS[f][23]  # no association in the demo portal
        sheet = _sheet([(f, record, t, keep, None), (f, new, t, lost, None)])
        result = hf.sync(
            sheet, client_for(sb), allow_removals=True, dry_run=dry_run, progress=False
        )
        pairs = {(a, b) for a, b, _ in _links(sb, f, t)}
    want = "planned" if dry_run else "success"
    assert result.loc[1, "change"] == "add" and result.loc[1, "status"] == want, result
    assert _removals(result)["status"].tolist() == [want], result
    if not dry_run:
        assert (new, lost) in pairs and (record, lost) not in pairs


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
def test_removals_the_typo_row_cannot_explain_go(dry_run: bool) -> None:
    """Held: the pair with the contact the typo row names, and its label there.  Removed:
    another label of that pair (corrected, the row would not keep it either: the pair stays),
    the deal's pair with another contact, another deal's pair."""
    deals, contacts = RECORDS["deals"], RECORDS["contacts"]
    deal, other = deals[40], deals[41]
    keep, named, dropped, elsewhere = contacts[40:44]
    with Sandbox(seed="demo") as sb:
        champion, maker = (
            sb.type_id("deals", "contacts", x) for x in ("Champion", "Decision maker")
        )
        for type_id in (champion, maker):
            sb.associate("deals", deal, "contacts", named, type_id)
        sb.associate("deals", deal, "contacts", keep)
        sb.associate("deals", deal, "contacts", dropped)
        sb.associate("deals", other, "contacts", keep)
        sb.associate("deals", other, "contacts", elsewhere)
        sheet = _sheet(
            [
                ("deals", deal, "contacts", keep, None),
                ("deals", UNKNOWN["deals"], "contacts", named, "Champion"),
                ("deals", other, "contacts", keep, None),
            ]
        )
        result = hf.sync(
            sheet, client_for(sb), allow_removals=True, dry_run=dry_run, progress=False
        )
        after = _links(sb, "deals", "contacts")
    removals = _removals(result)
    status = {
        (to_id, label if isinstance(label, str) else None): (code, state)
        for to_id, label, code, state in zip(
            removals["to_id"],
            removals["label"],
            removals["error_code"],
            removals["status"],
            strict=True,
        )
    }
    gone = "planned" if dry_run else "success"
    assert status[(named, None)] == ("REMOVAL_HELD", "skipped"), removals
    assert status[(named, "Champion")] == ("REMOVAL_HELD", "skipped"), removals
    assert status[(named, "Decision maker")][1] == gone, removals
    assert status[(dropped, None)][1] == gone, removals
    assert status[(elsewhere, None)][1] == gone, removals
    if not dry_run:
        assert (deal, named, champion) in after and (deal, named, maker) not in after
        assert not {(deal, dropped), (other, elsewhere)} & {(a, b) for a, b, _ in after}


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
def test_a_typo_of_the_other_direction_holds_the_pair_this_way(dry_run: bool) -> None:
    """A sheet of both directions: contact 1019369999 (no such contact) -> deal D says some
    contact is associated with deal D, so the deal's pairs the deals -> contacts rows leave
    out are kept; another deal's go."""
    deals, contacts = RECORDS["deals"], RECORDS["contacts"]
    deal, other = deals[40], deals[41]
    keep, lost = contacts[40:42]
    with Sandbox(seed="demo") as sb:
        for contact in (keep, lost):
            sb.associate("deals", deal, "contacts", contact)
            sb.associate("deals", other, "contacts", contact)
        sheet = _sheet(
            [
                ("deals", deal, "contacts", keep, None),
                ("deals", other, "contacts", keep, None),
                ("contacts", UNKNOWN["contacts"], "deals", deal, None),
            ]
        )
        result = hf.sync(
            sheet, client_for(sb), allow_removals=True, dry_run=dry_run, progress=False
        )
        pairs = {(a, b) for a, b, _ in _links(sb, "deals", "contacts")}
    assert result.loc[2, "error_code"] == "OBJECT_NOT_FOUND", result
    removals = _removals(result).set_index("from_id")
    assert removals.loc[deal, "error_code"] == "REMOVAL_HELD", removals
    assert "row 4" in removals.loc[deal, "error_message"]
    assert removals.loc[other, "status"] == ("planned" if dry_run else "success"), removals
    assert (deal, lost) in pairs and ((other, lost) in pairs) == dry_run


def _records_unnamed(request: object, answer: object) -> object:
    """An objects batch read answered without naming the records it was asked about (the
    association reads pass): whether they exist cannot be read."""
    if isinstance(request, dict) and "propertiesWithHistory" in request:
        return {"status": "COMPLETE", "results": [], "errors": []}
    return None


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
def test_a_from_record_that_cannot_be_read_holds_the_pair(dry_run: bool) -> None:
    with Sandbox(seed="demo") as sb:
        sheet = _typo_sheet("deals", "contacts", False, sb)
        before = _links(sb, "deals", "contacts")
        with FaultProxy(sb, on_read=_records_unnamed) as proxy:
            client = hf.HubSpotClient(
                token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05
            )
            result = hf.sync(sheet, client, allow_removals=True, dry_run=dry_run, progress=False)
        assert _links(sb, "deals", "contacts") == before
    held = _removals(result)
    assert held["error_code"].tolist() == ["REMOVAL_HELD"], held
    assert (
        "could not be read" in held["error_message"].iloc[0]
        and "row 3" in held["error_message"].iloc[0]
    )


def test_the_records_are_read_in_one_batch_per_object_type() -> None:
    """Typos and new records of one object type: one objects batch read, not one a row."""
    deals, contacts = RECORDS["deals"], RECORDS["contacts"]
    with Sandbox(seed="demo") as sb:
        for contact in contacts[40:46]:
            sb.associate("deals", deals[40], "contacts", contact)
        rows = [("deals", deals[40], "contacts", contacts[40], None)]
        rows += [
            ("deals", f"20499999{n:02d}", "contacts", contacts[41 + n], None) for n in range(3)
        ]
        rows += [("deals", deals[50 + n], "contacts", contacts[44 + n], None) for n in range(2)]
        sb.reset_request_log()
        result = hf.sync(_sheet(rows), client_for(sb), allow_removals=True, progress=False)
        log = sb.request_log()
    reads = log.loc[log["path"].str.contains("/objects/") & log["path"].str.endswith("/batch/read")]
    assert len(reads) == 1, reads
    assert result.loc[1:3, "error_code"].tolist() == ["OBJECT_NOT_FOUND"] * 3, result
    assert result.loc[4:5, "status"].tolist() == ["success"] * 2, result


@pytest.mark.parametrize("dry", [True, False], ids=["dry", "real"])
@pytest.mark.parametrize("labeled", [True, False], ids=["labeled", "unlabeled"])
def test_the_command_line_holds_the_pair(tmp_path: Path, labeled: bool, dry: bool) -> None:
    with Sandbox(seed="demo") as sb:
        sheet = _typo_sheet("deals", "contacts", labeled, sb)
        before = _links(sb, "deals", "contacts")
        path = tmp_path / "links.csv"
        columns = ["from_id", "to_id", *(["label"] if labeled else [])]
        sheet[columns].rename(columns={"from_id": "Deal ID", "to_id": "Contact ID"}).to_csv(
            path, index=False
        )
        args = ["sync", str(path), "--delete", "--report", "r.csv", *(["--dry-run"] if dry else [])]
        proc = _hubframe(*args, env=_env(sb), cwd=tmp_path)
        assert _links(sb, "deals", "contacts") == before
    assert proc.returncode == 1, proc.stderr
    assert "OBJECT_NOT_FOUND" in proc.stdout and "REMOVAL_HELD" in proc.stdout, proc.stdout
    assert "remove 0" in proc.stdout or "[skipped]" in proc.stdout, proc.stdout
    report = pd.read_csv(tmp_path / "r.csv", dtype=str)
    assert set(report.loc[report["change"] == "remove", "status"]) == {"skipped"}, report


# --- the property ----------------------------------------------------------------------------


def _mistyped(rng: random.Random, sheet: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """An export edited at random: rows dropped, one to three from ids mistyped (ids naming
    no record).  Returns it and the positions of the mistyped rows."""
    out = sheet.sample(frac=rng.uniform(0.5, 1.0), random_state=rng.randrange(2**31))
    out = out.reset_index(drop=True).astype({"from_id": object})
    typos = sorted(rng.sample(range(len(out)), min(len(out), rng.randint(1, 3))))
    for n, pos in enumerate(typos):
        base = UNKNOWN[str(out.loc[pos, "from_type"])]
        out.loc[pos, "from_id"] = f"{base[:-2]}{n:02d}"
    return out, typos


def _named_targets(sheet: pd.DataFrame, typos: list[int]) -> dict[tuple[str, str], set[str]]:
    """(object type, id) of the records the mistyped rows name as their targets -> the labels
    they name with them."""
    out: dict[tuple[str, str], set[str]] = {}
    for p in typos:
        labels = out.setdefault((str(sheet.loc[p, "to_type"]), str(sheet.loc[p, "to_id"])), set())
        if isinstance(sheet.loc[p, "label"], str):
            labels.add(str(sheet.loc[p, "label"]))
    return out


def _outcomes(result: pd.DataFrame) -> list[tuple[object, ...]]:
    keys = ["sheet", "from_id", "to_id", "type_id", "status", "error_code"]
    rows = result[keys].astype(str).replace({"planned": "success"})
    return sorted(map(tuple, rows.to_numpy().tolist()))


@pytest.mark.parametrize("seed", seeds(6))
def test_no_association_a_mistyped_row_could_name_is_removed(seed: int) -> None:
    """Either direction mistyped, one or both exported, labeled or not: every mistyped row is
    ``invalid`` ``OBJECT_NOT_FOUND`` in the dry run and the real run, which agree row for
    row; no pair of a record a mistyped row names as its target is removed (with a record of
    the mistyped side), nor the label the row names there (another label of such a pair may
    go: corrected, the row would not keep it); a removal held for a mistyped row is one of a
    record it names."""
    rng = random.Random(seed)
    deals, contacts = RECORDS["deals"][40:46], RECORDS["contacts"][40:52]
    with Sandbox(seed="demo") as sb:
        champion = sb.type_id("deals", "contacts", "Champion")
        for deal in deals:
            for contact in rng.sample(contacts, rng.randint(1, 4)):
                sb.associate("deals", deal, "contacts", contact, rng.choice([None, champion]))
        client = client_for(sb)
        halves = [("deals", "contacts", deals), ("contacts", "deals", contacts)]
        chosen = rng.choice([halves[:1], halves[1:], halves])
        sheet = pd.concat(
            [hf.read_associations(client, f, t, ids, progress=False) for f, t, ids in chosen],
            ignore_index=True,
        )[["from_type", "from_id", "to_type", "to_id", "label"]]
        sheet, typos = _mistyped(rng, sheet)
        before = _links(sb, "deals", "contacts")
        kwargs = {"allow_removals": True, "max_removals": 1000, "progress": False}
        dry = hf.sync(sheet, client, dry_run=True, **kwargs)
        real = hf.sync(sheet, client, **kwargs)
        after = _links(sb, "deals", "contacts")
    for result in (dry, real):
        assert set(result.loc[typos, "error_code"]) == {"OBJECT_NOT_FOUND"}, result
    assert _outcomes(dry) == _outcomes(real)
    named = _named_targets(sheet, typos)

    def labels_named(deal: str, contact: str) -> set[str] | None:  # None: no typo row names it
        found = [named.get(("deals", deal)), named.get(("contacts", contact))]
        return None if found == [None, None] else set().union(*(f for f in found if f))

    pairs = ({(d, c) for d, c, _ in before}, {(d, c) for d, c, _ in after})
    assert not {p for p in pairs[0] - pairs[1] if labels_named(*p) is not None}
    for deal, contact, _ in {e for e in before - after if e[2] == champion}:
        assert "Champion" not in (labels_named(deal, contact) or set()), (deal, contact)
    ids = {i for _, i in named}
    for f, t, message in zip(real["from_id"], real["to_id"], real["error_message"], strict=True):
        if isinstance(message, str) and message.startswith("Kept") and "HubSpot has no" in message:
            assert {f, t} & ids, (f, t, message)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry", "real"])
@pytest.mark.parametrize("labeled", [True, False], ids=["labeled", "unlabeled"])
@pytest.mark.parametrize("f,t", DIRECTIONS[:2])
def test_a_typo_out_of_the_scope_given_holds_the_pair_too(
    f: str, t: str, labeled: bool, dry_run: bool
) -> None:
    """``scope=[record]``: the typo's record is not in the scope, so its row was skipped
    ``OUT_OF_SCOPE`` unchecked, and the record's pair it meant was removed (found reviewing
    the fix).  It is read and held as in the scope."""
    with Sandbox(seed="demo") as sb:
        sheet = _typo_sheet(f, t, labeled, sb)
        before = _links(sb, f, t)
        result = hf.sync(
            sheet,
            client_for(sb),
            allow_removals=True,
            scope=[str(sheet.loc[0, "from_id"])],
            dry_run=dry_run,
            progress=False,
        )
        assert _links(sb, f, t) == before
    typo = result.loc[1]
    assert (typo["status"], typo["error_code"]) == ("invalid", "OBJECT_NOT_FOUND"), result
    held = _removals(result)
    assert len(held) == (2 if labeled else 1) and set(held["error_code"]) == {"REMOVAL_HELD"}
