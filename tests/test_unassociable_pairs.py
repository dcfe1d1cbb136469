"""Rows of two objects HubSpot cannot associate are refused before anything is sent.

HubSpot lists no association type from deals to products (a deal's products are its line
items) or from deals to users, nor between a custom object and an object its schema is not
associated with.  Before, the dry run and ``validate_pairs(..., client)`` planned such an
unlabeled row (its pair's labels were read only for labeled rows), and the run failed it
"HubSpot does not accept association type None None" -- naming a type the row does not
have.  Now the labels list of a pair whose unlabeled type is not HubSpot's known one is read
once, and an empty list refuses the pair's rows (``INVALID_ASSOCIATION_TYPE``, saying the
two objects cannot be associated): validation, dry run and run agree, for every API version
and behaviour profile.  Pairs HubSpot defines an unlabeled type for are not read for it.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import ErrorCode
from hubframe.run.answers import row_message
from hubframe.run.work import WorkItem
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from hubframe.vocab import Action

pytestmark = pytest.mark.profiles

VERSIONS = ["2026-03", "v4", "2026-09"]
KW = {"progress": False}
PRODUCT, USER = "9200000001", "9300000001"
DEAL = str(demo_ids("deals")[30])
TICKET = str(demo_ids("tickets")[3])
INSTALLATION = str(demo_ids("installations")[3])
CODE = ErrorCode.INVALID_ASSOCIATION_TYPE.value

#: (from type, from id, to type, to id) of pairs the demo portal lists no type for.
UNASSOCIABLE = [
    ("deals", DEAL, "products", PRODUCT),
    ("products", PRODUCT, "deals", DEAL),
    ("deals", DEAL, "users", USER),
    ("2-7350001", INSTALLATION, "tickets", TICKET),
    ("tickets", TICKET, "p_installations", INSTALLATION),
]
#: The cells a row may name its association type with: none, a label, a type id.
KINDS = {"unlabeled": {}, "label": {"label": "Primary"}, "type id": {"type_id": 3}}


def _portal(factory: Callable[..., Sandbox]) -> Sandbox:
    sb = factory(seed="demo")
    sb.add_records("products", [int(PRODUCT)])
    sb.add_records("users", [int(USER)])
    return sb


def _sheet(row: tuple[str, str, str, str], kind: str) -> pd.DataFrame:
    cells = {"from_type": row[0], "from_id": row[1], "to_type": row[2], "to_id": row[3]}
    return pd.DataFrame([{**cells, **KINDS[kind]}])


def _writes(sb: Sandbox) -> int:
    log = sb.request_log()
    return int(((log["method"] == "POST") & log["path"].str.contains("/batch/")).sum())


def _pair_id(row: tuple[str, str, str, str]) -> str:
    return f"{row[0]}->{row[2]}"


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("row", UNASSOCIABLE, ids=_pair_id)
def test_validation_dry_run_and_run_refuse_the_row_before_sending(
    sandbox_factory: Callable[..., Sandbox], row: tuple[str, str, str, str], version: str, kind: str
) -> None:
    sb = _portal(sandbox_factory)
    client = client_for(sb, version)
    sheet = _sheet(row, kind)
    issues = hf.validate_pairs(hf.read_pairs(sheet), client)
    assert issues["code"].tolist() == [CODE], issues[["code", "message"]]
    dry = hf.associate(sheet, client, dry_run=True, **KW)
    ran = hf.associate(sheet, client, **KW)
    for result in (dry, ran):
        assert result.loc[0, "status"] == "invalid", result.loc[0].to_dict()
        assert result.loc[0, "error_code"] == CODE
        message = str(result.loc[0, "error_message"])
        assert "None" not in message, message
        assert "no association type" in message and "cannot be associated" in message, message
    assert _writes(sb) == 0
    assert sb.associations(row[0], row[2]).empty


@pytest.mark.parametrize("version", VERSIONS)
def test_rows_of_pairs_that_can_be_associated_are_sent_beside_them(
    sandbox_factory: Callable[..., Sandbox], version: str
) -> None:
    sb = _portal(sandbox_factory)
    contact = str(demo_ids("contacts")[100])
    sheet = pd.DataFrame(
        [
            ("deals", DEAL, "products", PRODUCT),
            ("deals", DEAL, "contacts", contact),
            ("2-7350001", INSTALLATION, "contacts", contact),
            ("p_installations", INSTALLATION, "deals", DEAL),
        ],
        columns=["from_type", "from_id", "to_type", "to_id"],
    )
    ran = hf.associate(sheet, client_for(sb, version), **KW)
    assert ran["status"].tolist() == ["invalid", "success", "success", "success"], ran
    assert ran["error_code"].tolist()[0] == CODE


@pytest.mark.parametrize("version", VERSIONS)
def test_pairs_with_a_known_unlabeled_type_read_no_labels_for_unlabeled_rows(
    sandbox_factory: Callable[..., Sandbox], version: str
) -> None:
    """Deals -> contacts (HubSpot's 3), companies -> companies (450): a run of an unlabeled
    sheet of them costs no read of their labels."""
    sb = sandbox_factory(seed="demo")
    contacts, companies = demo_ids("contacts"), demo_ids("companies")
    sheet = pd.DataFrame(
        [
            ("deals", DEAL, "contacts", contacts[101]),
            ("companies", companies[20], "companies", companies[21]),
        ],
        columns=["from_type", "from_id", "to_type", "to_id"],
    )
    sb.reset_request_log()
    ran = hf.associate(sheet, client_for(sb, version), **KW)
    assert (ran["status"] == "success").all(), ran
    assert not sb.request_log()["path"].str.endswith("/labels").any()


def test_the_run_says_what_an_unlabeled_row_refused_means() -> None:
    """HubSpot's own refusal of an unlabeled row (a pair a run could not check first): no
    "association type None None", the pair's objects named."""
    item = WorkItem(0, Action.ASSOCIATE_DEFAULT, "deals", "products", "1", "2")
    message = row_message(item, {"message": "invalid"}, ErrorCode.INVALID_ASSOCIATION_TYPE)
    assert "None" not in message, message
    assert "deals" in message and "products" in message and "cannot be associated" in message
