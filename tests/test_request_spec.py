"""Every request hubframe sends is one HubSpot's OpenAPI specs accept.

The sandbox's answers are held to the specs (``openapi_check``), but nothing held hubframe's
own requests to them: a body the sandbox takes and HubSpot refuses (an integer where the spec
wants a string, a field renamed, a body on an operation that has none) would fail every real
run while every test passed.  Here the jobs run against a sandbox over HTTP on each API version
and preset, and each request the client sends (recorded as it goes out) is validated against
its operation's request schema.  Paths with no spec in the repository (the custom-object
schemas list, the v3 objects read v4 uses) are left out, and said.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import pytest
from openapi_check import SpecMismatch, get_checker

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEAL, CONTACT, COMPANY = 3_300_000_001, 4_300_000_001, 5_300_000_001
#: Paths the specs in tests/openapi do not cover.
UNSPECIFIED = ("/crm-object-schemas/", "/crm/v3/objects/")
Sent = list[tuple[str, str, Any]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    """Each request the client sends: (method, path, JSON body or None); it is still sent."""
    from urllib.parse import urlsplit

    seen: Sent = []
    original = HubSpotClient._send

    def record(
        self: HubSpotClient,
        method: str,
        url: str,
        data: bytes | None,
        params: Mapping[str, str] | None,
        headers: dict[str, str],
    ) -> Any:
        body = None if data is None else json.loads(bytes(data))
        seen.append((method, urlsplit(url).path, body))
        return original(self, method, url, data, params, headers)

    monkeypatch.setattr(HubSpotClient, "_send", record)
    yield seen


def _portal(sb: Sandbox) -> int:
    sb.add_records("deals", [DEAL + n for n in range(30)])
    sb.add_records(
        "contacts", [CONTACT + n for n in range(30)], [{"email": f"p{n}@x.com"} for n in range(30)]
    )
    sb.add_records("companies", [COMPANY + n for n in range(5)])
    label = sb.add_label("deals", "contacts", "Decision maker", "Decides for")
    sb.associate("deals", DEAL + 1, "contacts", CONTACT + 1)
    sb.associate("deals", DEAL + 2, "contacts", CONTACT + 2, type_id=label)
    return label


def _jobs(client: HubSpotClient, label: int) -> None:
    """Every job once: associate (labels, an email lookup, a primary company), remove, undo,
    sync with removals, limits (create, update, purge), labels (create, rename), export."""
    pairs = pd.DataFrame(
        {
            "Deal ID": [str(DEAL + n) for n in range(10)],
            "Contact ID": [str(CONTACT + n) for n in range(10)],
            "Association label": ["Decision maker", "", "Decision maker", ""] + [""] * 6,
        }
    )
    hf.associate(pairs, client, progress=False, record_existing=True)
    by_email = pd.DataFrame(
        {"Deal ID": [str(DEAL + 20)], "Contact email": ["p20@x.com"], "Association label": [""]}
    )
    hf.associate(by_email, client, progress=False)
    primary = pd.DataFrame(
        {
            "Contact ID": [str(CONTACT + 5)],
            "Company ID": [str(COMPANY)],
            "Association label": ["Primary"],
        }
    )
    hf.associate(primary, client, progress=False)
    hf.remove_associations(pairs.iloc[:2], client, progress=False)
    hf.undo(hf.associate(pairs.iloc[4:8], client, progress=False), client, progress=False)
    hf.sync(pairs.iloc[[3, 9]], client, allow_removals=True, progress=False)
    limits = pd.DataFrame(
        {
            "From object": ["Deals", "Deals"],
            "To object": ["Contacts", "Contacts"],
            "Label": ["", "Decision maker"],
            "Max associations": ["30", "3"],
        }
    )
    hf.configure_limits(limits, client, progress=False)
    hf.configure_limits(
        limits.assign(**{"Max associations": ["25", "remove"]}), client, progress=False
    )
    labels = pd.DataFrame(
        {
            "From type": ["deals", "deals"],
            "To type": ["contacts", "contacts"],
            "Label": ["Technical buyer", "Sponsor"],
            "Inverse label": ["Buyer of", ""],
            "Type ID": ["", str(label)],
        }
    )
    hf.configure_labels(labels, client, renames=True)
    hf.read_associations(client, "deals", "contacts", progress=False)


@pytest.mark.parametrize("behaviour", ["default", "hostile", "observed"])
@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_every_request_is_one_the_specs_accept(sent: Sent, version: str, behaviour: str) -> None:
    with Sandbox(seed=None, behaviour=behaviour) as sb, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _jobs(client_for(sb, version), _portal(sb))
    checker = get_checker()
    checked, problems = 0, []
    for method, path, body in sent:
        if path.startswith(UNSPECIFIED):
            continue
        try:
            checker.check_request(method, path, body)
            checked += 1
        except SpecMismatch as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(sorted(set(problems)))
    assert checked > 30, [p for _, p, _ in sent]  # the jobs sent their requests here
    writes = {p.rsplit("/", 2)[-2] + "/" + p.rsplit("/", 1)[-1] for m, p, _ in sent if m != "GET"}
    assert {"batch/create", "batch/archive", "batch/read"} <= writes, writes


@pytest.mark.parametrize(
    "body",
    [
        {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}}]},  # no types
        {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": [{"typeId": 3}]}]},
        {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": "3"}]},
        None,
    ],
    ids=["types missing", "types spelled otherwise", "types not a list", "no body"],
)
def test_the_check_refuses_a_body_the_spec_does_not_take(body: Any) -> None:
    """The check is not empty: labeled batch create bodies HubSpot's spec refuses fail it."""
    with pytest.raises(SpecMismatch):
        get_checker().check_request(
            "POST", "/crm/associations/2026-03/deals/contacts/batch/create", body
        )
