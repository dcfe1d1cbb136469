"""A custom object written by its type id on one row and by its name on another is one object on
every API version and sandbox behaviour: its name's type id comes from the portal's custom
object schemas list.

Before: the two spellings were told one object only by the object type ids a pair's labels
list names, which the 2026-09 API never names and the "observed" and "hostile" behaviours
(``label_object_types=False``) leave out.  There a repeated pair spelled both ways was sent
twice (both rows ``success``), pre-flight counted the rows over a limit as two object pairs
and missed the refusal, and limits, sync and labels refused such a sheet whole.  Where the
schemas list cannot be read either, the rows naming the object by its name are refused
(``BAD_OBJECT_TYPE``, naming the value), never sent as another object.  The result table keeps
each cell as the analyst typed it.  Against the demo sandbox over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import PORTAL_ID
from hubframe.testing import client_for, demo_ids, without_schemas

ID, NAME, LONG = "2-7350001", "p_installations", f"p{PORTAL_ID}_installations"
APIS = ["2026-03", "2026-09", "v4"]
PRESETS = ["default", "observed", "hostile"]
COLUMNS = ["from_type", "from_id", "to_type", "to_id"]


def sheet(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return hf.read_pairs(pd.DataFrame(rows, columns=COLUMNS))


def uniform(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """The rows with the custom object written by its type id throughout."""
    spell = {NAME: ID, LONG: ID}
    return [(spell.get(f, f), a, spell.get(t, t), b) for f, a, t, b in rows]


def free_records(sb: Sandbox, many: int) -> tuple[list[str], list[str]]:
    """(installations, deals) of the demo portal that no installation-deal link names."""
    links = sb.associations(ID, "deals")
    used_from, used_to = set(links["from_id"].astype(str)), set(links["to_id"].astype(str))
    installs = [str(i) for i in demo_ids("installations") if str(i) not in used_from]
    deals = [str(i) for i in demo_ids("deals") if str(i) not in used_to]
    return installs[:many], deals[:many]


def said(result: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Per row: status, error code, and the message of a repeat (which row it repeats)."""
    out = []
    for status, code, message in zip(
        result["status"], result["error_code"], result["error_message"], strict=True
    ):
        code = "" if pd.isna(code) else str(code)
        out.append((str(status), code, str(message) if code == "DUPLICATE_ROW" else ""))
    return out


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("api", APIS)
def test_a_pair_spelled_both_ways_is_sent_once(api: str, preset: str) -> None:
    with Sandbox(seed="demo", behaviour=preset) as sb:
        (inst,), (deal,) = free_records(sb, 1)
        rows = [(NAME, inst, "deals", deal), (ID, inst, "deals", deal)]
        client = client_for(sb, api)
        issues = hf.validate_pairs(sheet(rows), client)
        done = hf.associate(sheet(rows), client, progress=False)
        links = sb.associations(ID, "deals")
    assert issues["code"].tolist() == ["DUPLICATE_ROW"] and issues["row"].tolist() == [3]
    assert [s for s, _, _ in said(done)] == ["success", "duplicate"], done
    assert done["error_code"].iloc[1] == "DUPLICATE_ROW" and "row 2" in done["error_message"][1]
    assert done["from_type"].tolist() == [NAME, ID]  # the cells as typed
    assert links.loc[links["from_id"].astype(str) == inst, "to_id"].astype(str).tolist() == [deal]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("api", APIS)
def test_preflight_counts_rows_over_a_limit_spelled_both_ways(api: str, preset: str) -> None:
    """An installation limited to one deal, two rows giving it one each, spelled both ways:
    pre-flight predicts the second row's refusal, as for the rows spelled alike, and the real
    run applies the first row only."""
    with Sandbox(seed="demo", behaviour=preset) as sb:
        installs, deals = free_records(sb, 2)
        inst = installs[0]
        sb.set_limit(ID, "deals", 1, type_id=sb.type_id(ID, "deals"))
        rows = [(NAME, inst, "deals", deals[0]), (ID, inst, "deals", deals[1])]
        client = client_for(sb, api)
        quiet: dict[str, Any] = {"progress": False, "preflight": True}
        alike = hf.associate(sheet(uniform(rows)), client, dry_run=True, **quiet)
        planned = hf.associate(sheet(rows), client, dry_run=True, **quiet)
        done = hf.associate(sheet(rows), client, **quiet)
        links = sb.associations(ID, "deals")
    assert planned["error_code"].tolist()[1] == "LIMIT_EXCEEDED", planned
    assert said(planned) == said(alike)
    assert [s for s, _, _ in said(done)] == ["success", "failed"], done
    assert links.loc[links["from_id"].astype(str) == inst, "to_id"].astype(str).tolist() == [
        deals[0]
    ]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("api", APIS)
def test_limits_spelled_both_ways_are_one_limit(api: str, preset: str) -> None:
    """One limit through a name and a type id: sent once, the later row a repeat (before:
    the sheet was refused where the labels lists name no object type ids)."""
    rows = pd.DataFrame([("deals", NAME, "5"), ("0-3", ID, "5")], columns=["From", "To", "Max"])
    with Sandbox(seed="demo", behaviour=preset) as sb:
        result = hf.configure_limits(hf.read_limits(rows), client_for(sb, api), progress=False)
    assert result["status"].tolist() == ["success", "duplicate"], result


@pytest.mark.parametrize("api", APIS)
def test_an_unreadable_schemas_list_refuses_the_name_rows(api: str) -> None:
    """Where neither a labels list nor the schemas list says which name is which type id, the
    rows naming the object by its name are ``invalid`` ``BAD_OBJECT_TYPE``, their message
    naming the value; the rows by type id are sent (never both, as two objects)."""
    with Sandbox(seed="demo", behaviour="observed") as sb:
        installs, deals = free_records(sb, 2)
        inst = installs[0]
        rows = [(ID, inst, "deals", deals[0]), (NAME, inst, "deals", deals[1])]
        client = without_schemas(client_for(sb, api))
        issues = hf.validate_pairs(sheet(rows), client)
        done = hf.associate(sheet(rows), client, progress=False)
    assert issues["code"].tolist() == ["BAD_OBJECT_TYPE"] and issues["row"].tolist() == [3]
    assert issues["value"].tolist() == [NAME]
    assert said(done)[0][0] == "success"
    assert said(done)[1][:2] == ("invalid", "BAD_OBJECT_TYPE"), done
    assert NAME in done["error_message"][1] and "schemas" in done["error_message"][1]


def _rows(r: random.Random, installs: list[str], deals: list[str]) -> list[tuple[str, ...]]:
    """A few rows between the installations and the deals, either direction, repeats among
    them, each custom object written by a spelling drawn at random.  The rows of the other
    direction name an installation of their own: rows of two directions are sent in two
    requests at once, and which of two over the installation's limit wins would be a race."""
    out: list[tuple[str, ...]] = []
    for _ in range(r.randint(2, 7)):
        deal, spelled = r.choice(deals), r.choice([ID, NAME, LONG])
        if r.random() < 0.7:
            out.append((spelled, r.choice(installs[:2]), "deals", deal))
        else:
            out.append(("deals", deal, spelled, installs[2]))
    return out


def _outcomes(rows: list[tuple[str, ...]], client: HubSpotClient) -> dict[str, Any]:
    quiet: dict[str, Any] = {"progress": False, "dry_run": True}
    frame = sheet(rows)  # type: ignore[arg-type]
    issues = hf.validate_pairs(frame, client)
    return {
        "validate": sorted(zip(issues["row"], issues["code"], strict=True)),
        "associate": said(hf.associate(frame, client, preflight=True, **quiet)),
        "remove": said(hf.remove_associations(frame, client, **quiet)),
    }


@pytest.mark.parametrize("seed", seeds(10))
def test_any_spelling_of_each_row_gets_the_uniform_sheets_outcome(seed: int) -> None:
    """Validation with a client, associate's pre-flight and remove_associations give a sheet
    spelling each row's custom object at random the outcomes of the same sheet written by type
    id throughout; the real run applies what the uniform sheet's run applies."""
    r = random.Random(seed)
    api, preset = r.choice(APIS), r.choice(PRESETS)
    ran = {}
    for spelled in (False, True):
        with Sandbox(seed="demo", behaviour=preset) as sb:
            installs, deals = free_records(sb, 3)
            sb.set_limit(ID, "deals", 1, type_id=sb.type_id(ID, "deals"))
            rows = _rows(random.Random(seed), installs, deals)
            rows = rows if spelled else uniform(rows)  # type: ignore[arg-type]
            client = client_for(sb, api)
            found = _outcomes(rows, client)
            done = said(hf.associate(sheet(rows), client, progress=False))  # type: ignore[arg-type]
            links = sb.associations(ID, "deals")
        ran[spelled] = (found, done, sorted(zip(links["from_id"], links["to_id"], strict=True)))
    assert ran[True] == ran[False], (api, preset, rows)
