"""A type id HubSpot does not list for the object pair: validation, the dry run and the run agree.

``hf.validate_pairs(pairs, client)`` called such a row ``INVALID_ASSOCIATION_TYPE``, while the
dry run said ``planned`` and the run sent it, to be refused by HubSpot (``failed``): the dry run
told the analyst the row would go.  The run reads the pair's association types anyway; a type
id they do not hold is now refused before sending, with the same words in all three.
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

DEALS = [str(i) for i in demo_ids("deals")[60:64]]
CONTACTS = [str(i) for i in demo_ids("contacts")[60:64]]


def _sheet(type_ids: list[str]) -> pd.DataFrame:
    n = len(type_ids)
    return pd.DataFrame({"Deal ID": DEALS[:n], "Contact ID": CONTACTS[:n], "Type ID": type_ids})


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
@pytest.mark.parametrize("unlisted", ["99999", "279"])  # 279: contacts to companies
def test_an_unlisted_type_id_is_refused_alike_and_never_sent(
    sandbox: Sandbox, version: str, unlisted: str
) -> None:
    client = client_for(sandbox, version)
    unlabeled = sandbox.type_id("deals", "contacts")
    sheet = _sheet([str(unlabeled), unlisted, str(unlabeled)])
    pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
    issues = hf.validate_pairs(pairs, client)
    dry = hf.associate(pairs, client, dry_run=True, progress=False)
    sent_before = len(sandbox.request_log())
    real = hf.associate(pairs, client, progress=False)
    assert [(r.row, r.code) for r in issues.itertuples()] == [(3, "INVALID_ASSOCIATION_TYPE")]
    said = issues["message"].iloc[0]
    for result in (dry, real):
        row = result.iloc[1]
        assert (row["status"], row["error_code"]) == ("invalid", "INVALID_ASSOCIATION_TYPE")
        assert row["error_message"] == said
    assert dry["status"].tolist()[::2] == ["planned", "planned"]
    assert real["status"].tolist()[::2] == ["success", "success"]
    log = sandbox.request_log().iloc[sent_before:]
    writes = log[log["path"].str.contains("/batch/create|/batch/associate")]
    assert writes["inputs"].sum() == 2  # the two listed rows only
    linked = sandbox.associations("deals", "contacts")
    assert (linked["from_id"].astype(str) == DEALS[1]).sum() == 0


def test_when_the_pairs_types_cannot_be_read_hubspot_judges_the_type_id(sandbox: Sandbox) -> None:
    """The check needs the pair's types; when their read keeps failing (503), a type id row
    is sent as before and HubSpot's answer settles it: the listed type succeeds, the unlisted
    one is ``failed`` with HubSpot's reason -- never ``invalid`` on a guess, never lost."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    unlabeled = sandbox.type_id("deals", "contacts")
    sheet = _sheet([str(unlabeled), "99999"])
    pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
    with FaultProxy(sandbox, fail_path="/labels") as proxy:
        client = HubSpotClient(
            token=sandbox.token, base_url=proxy.url, max_retries=1, backoff_base=0.01
        )
        result = hf.associate(pairs, client, progress=False)
        assert proxy.path_failures >= 1
    assert result["status"].tolist() == ["success", "failed"]
    # a bare error body (the hostile profile) cannot be diagnosed without the types either:
    # HubSpot's own words then name the type id
    assert result.loc[1, "error_code"] in ("INVALID_ASSOCIATION_TYPE", "HUBSPOT_VALIDATION")
    assert "99999" in result.loc[1, "error_message"]
