"""A column of record ids of a standard object the read does not use stops it, in any form.

Before, only the id columns of standard objects ("Company ID") and some forms of them
("Old Deal ID", "Contact ID (secondary)") stopped the read: ``Car ID,Contact ID,Deal ID`` read
as contacts -> deals with the car ids left out without a word (the analyst may have meant car
<-> contact), and ``Deal ID,Contact ID,Primary Contact ID`` left the primary contacts' ids out
(only a HubSpot export's "Associated Company IDs (Primary)" beside its "Associated Company
IDs" is a part of the ids read).  Now a column not read whose header names a standard
object's record ids in any form (a qualifier: "Primary Contact ID", "Secondary Deal IDs";
"Contact Record ID", "Record ID - Company") and whose cells are record ids stops the read
naming it, unless the id columns were chosen with ``columns=``.  A word hubframe knows no
object by ("Car ID", "External ID", "Customer ID") is the analyst's own column: a custom
object's ids cannot be told offline from the analyst's own key (fed3fa0 refused those too,
and with them every integration's and ERP's key: tests/test_extra_id_columns.py).  Ids of
what is no record (owners, pipelines, stages, the portal, a row's number) are the analyst's
own.
"""

from __future__ import annotations

import io
import random

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.io.columns import HeaderError

DEAL, CONTACT, OTHER = "12345678901", "98765432101", "77777777701"


def _read(headers: list[str], cells: list[str], **kwargs: object) -> pd.DataFrame:
    body = ",".join(headers) + "\n" + ",".join(cells) + "\n"
    return hf.read_pairs(io.BytesIO(body.encode()), **kwargs)  # type: ignore[arg-type]


def _refused(headers: list[str], cells: list[str], **kwargs: object) -> str:
    with pytest.raises(HeaderError) as caught:
        _read(headers, cells, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize(
    "header",
    [
        "Primary Contact ID",
        "Primary Deal ID",
        "Secondary Deal IDs",
        "Contact Record ID",
        "Company Record ID",
        "Record ID - Company",
        "Ticket Object ID",
        "Billing Company ID",
        "Tickets Record IDs",
    ],
)
@pytest.mark.parametrize("where", ["first", "last"])
def test_an_unread_id_column_stops_the_read(header: str, where: str) -> None:
    headers = [header, "Contact ID", "Deal ID"]
    cells = [OTHER, CONTACT, DEAL]
    if where == "last":
        headers, cells = headers[1:] + headers[:1], cells[1:] + cells[:1]
    message = _refused(headers, cells)
    assert f'"{header}"' in message and "left out" in message, message


@pytest.mark.parametrize("header", ["Company ID", "Old Deal ID", "Contact ID (secondary)"])
def test_the_controls_are_refused_as_before(header: str) -> None:
    message = _refused(["Deal ID", "Contact ID", header], [DEAL, CONTACT, OTHER])
    assert f'"{header}"' in message, message


def test_columns_chosen_leave_the_other_out_on_purpose() -> None:
    chosen = {"Contact ID": "from_id", "Deal ID": "to_id"}
    frame = _read(["Car ID", "Contact ID", "Deal ID"], [OTHER, CONTACT, DEAL], columns=chosen)
    assert frame[["from_id", "to_id"]].values.tolist() == [[CONTACT, DEAL]]
    assert frame["Car ID"].tolist() == [OTHER]


def test_the_custom_objects_column_chosen_is_read() -> None:
    frame = _read(
        ["Car ID", "Contact ID", "Deal ID"],
        [OTHER, CONTACT, DEAL],
        columns={"Car ID": "from_id", "Contact ID": "to_id"},
        from_type="p_cars",
    )
    assert frame[["from_id", "to_id"]].values.tolist() == [[OTHER, CONTACT]]


def test_an_exports_primary_company_beside_its_companies_is_read_as_before() -> None:
    export = pd.DataFrame(
        {
            "Record ID": [DEAL],
            "Associated Company IDs": ["3050000001;3050000002"],
            "Associated Company IDs (Primary)": ["3050000001"],
        }
    )
    frame = hf.read_pairs(export, from_type="deals", to_type="companies")
    assert frame["to_id"].tolist() == ["3050000001", "3050000002"]


ORDINARY = {
    "HubSpot Owner ID": "41234567",
    "Contact owner ID": "41234567",
    "Deal Stage ID": "1234567",
    "Pipeline ID": "default",
    "Portal ID": "4412345",
    "Hub ID": "4412345",
    "Row ID": "1",
    "Salesforce ID": "0035g00000AbCdXYZ",
    "Car ID": "77777777701",  # a custom object's or the analyst's own key: not told offline
    "Car IDs": "77777777701",
    "Car Record ID": "77777777701",
    "Record ID - Car": "77777777701",
    "Installation Object ID": "77777777701",
    "hs_object_id": "77777777701",
    "HubSpot ID": "77777777701",
    "Car ID (empty)": "",
    "Car ID note": "12345",
    "Form ID": "3c1f0d7e-1a2b-4c3d-9e8f-0a1b2c3d4e5f",
    "Ideas": "12",
    "Paid": "1200",
}


@pytest.mark.parametrize("header", sorted(ORDINARY))
def test_ids_of_what_is_no_record_and_other_columns_read_as_before(header: str) -> None:
    frame = _read(["Deal ID", "Contact ID", header], [DEAL, CONTACT, ORDINARY[header]])
    assert frame[["from_id", "to_id"]].values.tolist() == [[DEAL, CONTACT]]
    assert header in frame.columns


_STEMS = ["Company", "Companies", "Ticket", "Line Item", "Quote", "Meeting", "Call", "Task"]
_FORMS = ["{} ID", "{} IDs", "{} Id", "{}_id", "{} Record ID", "Record ID - {}", "{} Object ID"]
_QUALIFIERS = ["Primary", "Billing", "Main", "Champion", "Partner", "Referring"]


@pytest.mark.parametrize("seed", seeds(8))
def test_any_unread_standard_object_id_header_with_ids_is_refused(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        if rng.random() < 0.5:
            header = rng.choice(_FORMS).format(rng.choice(_STEMS))
        else:
            header = f"{rng.choice(_QUALIFIERS)} {rng.choice(['Contact', 'Deal'])} ID"
        headers = ["Deal ID", "Contact ID"]
        headers.insert(rng.randint(0, 2), header)
        cells = [OTHER if h == header else DEAL if h == "Deal ID" else CONTACT for h in headers]
        message = _refused(headers, cells)
        assert f'"{header}"' in message, (headers, message)
