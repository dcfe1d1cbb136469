"""sample_data/ is generated deterministically and behaves as its README says on the demo portal."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
from openapi_check import CheckedApi

from hubframe.sandbox import Sandbox

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
FILES = ("deals_contacts.xlsx", "contacts_companies.csv", "limits.csv", "messy_deals_contacts.xlsx")


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sample_generate"] = module
    spec.loader.exec_module(module)
    return module


def test_committed_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    load_generator().generate(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_the_copies_shipped_with_the_package_are_the_same_files() -> None:
    from hubframe.cli import DEMO_JOBS, SAMPLES

    assert load_generator().PACKAGED == SAMPLES
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(FILES)
    assert sorted(name for _, name, _ in DEMO_JOBS) == sorted(FILES)
    for name in FILES:
        assert (SAMPLES / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_deals_contacts_layout() -> None:
    ws = openpyxl.load_workbook(SAMPLE / "deals_contacts.xlsx").active
    assert ws is not None
    assert ws["A4"].value == "Deal ID" and ws["E4"].value == "Association label"
    assert ws.max_row == 66
    assert isinstance(ws["A5"].value, int)


def _label_types(sb: Sandbox, from_type: str, to_type: str) -> dict[str, tuple[str, int]]:
    labels = sb.labels(from_type, to_type)
    out = {str(r.label): (str(r.category), int(r.type_id)) for r in labels.itertuples() if r.label}
    default = labels[labels.label.isna()].iloc[0]
    out[""] = (str(default.category), int(default.type_id))
    return out


def _send(api: CheckedApi, path: str, pairs: list[tuple[Any, Any, tuple[str, int]]]) -> Any:
    inputs = [
        {
            "from": {"id": str(a)},
            "to": {"id": str(b)},
            "types": [{"associationCategory": c, "associationTypeId": t}],
        }
        for a, b, (c, t) in pairs
    ]
    return api.call("POST", path, {"inputs": inputs}).json()


def test_deals_contacts_outcomes_on_the_demo_portal(api: CheckedApi, sandbox: Sandbox) -> None:
    ws = openpyxl.load_workbook(SAMPLE / "deals_contacts.xlsx").active
    assert ws is not None
    types = _label_types(sandbox, "deals", "contacts")
    pairs = [(r[0], r[2], types[r[4] or ""]) for r in ws.iter_rows(min_row=5, values_only=True)]
    body = _send(api, "/crm/v4/associations/deals/contacts/batch/create", pairs)
    assert len(body["results"]) == 61
    assert [e["context"]["toObjectId"] for e in body["errors"]] == [["1019360020"]]
    assert body["errors"][0]["subCategory"] == "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"


def test_contacts_companies_outcomes_on_the_demo_portal(api: CheckedApi, sandbox: Sandbox) -> None:
    with open(SAMPLE / "contacts_companies.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    types = _label_types(sandbox, "contacts", "companies")
    pairs = [(r["Contact ID"], r["Company ID"], types[r["Association label"]]) for r in rows]
    body = _send(api, "/crm/associations/2026-03/contacts/companies/batch/create", pairs)
    assert len(body["results"]) == len(rows) - 1
    assert [e["context"]["fromObjectId"] for e in body["errors"]] == [["1019360001"]]


def test_limits_outcomes_on_the_demo_portal(api: CheckedApi, sandbox: Sandbox) -> None:
    with open(SAMPLE / "limits.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    base = "/crm/associations/2026-03/definitions/configurations"
    failed = []
    for row in rows:
        a, b = row["From object"].lower(), row["To object"].lower()
        category, type_id = _label_types(sandbox, a, b)[row["Label"]]
        if row["Max associations"] == "remove":
            spec = {"category": category, "typeId": type_id}
            api.call("POST", f"{base}/{a}/{b}/batch/purge", {"inputs": [spec]}, expect=200)
            continue
        value = int(row["Max associations"])
        item = {"category": category, "typeId": type_id, "maxToObjectIds": value}
        exists = type_id in set(sandbox.limits().type_id)
        op = "update" if exists else "create"
        body = api.call("POST", f"{base}/{a}/{b}/batch/{op}", {"inputs": [item]}).json()
        if body.get("errors"):
            failed.append(row["Label"])
    assert failed == ["Budget holder"]
    assert 1007 not in set(sandbox.limits().type_id)
