"""An analyst's own columns beside the pairs read as the analyst's: keys, foreign words, codes.

fed3fa0 and e8c9e1e refused legitimate sheets: any ``<word> ID`` column of digits
(``External ID``, ``Customer ID``, ``ERP ID``, ``Kunden-ID``, a HubSpot export's ``Shopify
Customer ID``) stopped the read as "record ids of an object no column is read as"; the typo
rule took ``Objet`` (French) over "Relance devis", ``Objekt``, ``Categoría`` over "Premium" for
"Object" and "Category" misspelled, and ``TID``, ``OID``, ``Toy ID`` over digits for "To ID";
and a limits sheet's ``Type`` of words beside its ``Label`` (``USER_DEFINED``, ``hard limit``)
was refused as a column of association types.  Now an unread ``<X> ID`` column is refused only
when X names a standard object; a misspelled or look-alike header counts only when its cells
are that column's values in the strict sense (object types, categories, record ids, whole
type ids), the one-typo rule needs 4 letters in the header too and leaves the record id
columns out; and a limits sheet's bare ``Type`` is refused over type ids, or over words when
no label or type id column is read.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.io.aliases import alias_field
from hubframe.io.columns import HeaderError

DEAL, CONTACT, KEY = "12345678901", "98765432101", "55501"


def _pairs(header: str, cell: str) -> pd.DataFrame:
    body = f"Deal ID,Contact ID,{header}\n{DEAL},{CONTACT},{cell}\n102,202,{cell}\n"
    return hf.read_pairs(io.BytesIO(body.encode()))


def _kept(header: str, cell: str) -> None:
    frame = _pairs(header, cell)
    assert frame["from_id"].tolist() == [DEAL, "102"], header
    assert frame["to_id"].tolist() == [CONTACT, "202"], header
    assert header in frame.columns and frame[header].tolist() == [cell, cell], header


ANALYSTS_KEYS = [
    *("External ID", "Legacy ID", "Customer ID", "Account ID", "ERP ID", "SAP ID"),
    *("Kunden-ID", "Employee ID", "Contract ID", "Transaction ID", "Unique ID", "Parent ID"),
]


@pytest.mark.parametrize("header", ANALYSTS_KEYS)
def test_an_analysts_key_column_is_kept(header: str) -> None:
    _kept(header, KEY)


def test_an_exports_integration_id_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "hubspot-crm-exports-all-contacts-2026-12-07.csv"
    path.write_text(
        "Record ID,First Name,Email,Shopify Customer ID,Associated Deal IDs\n"
        "201,Ann,a@x.com,6012345678901,101;102\n",
        encoding="utf-8",
    )
    frame = hf.read_pairs(path)
    assert sorted(frame["to_id"].tolist()) == ["101", "102"]
    assert frame["Shopify Customer ID"].tolist() == ["6012345678901"] * 2


FOREIGN_AND_SHORT = [
    ("Objet", "Relance devis"),
    ("Objekt", "Musterstrasse 1"),
    ("Categoría", "Premium"),
    ("TID", "88812"),
    ("OID", "123"),
    ("Toy ID", "123"),
]


@pytest.mark.parametrize(("header", "cell"), FOREIGN_AND_SHORT)
def test_a_foreign_word_or_code_is_no_misspelled_header(header: str, cell: str) -> None:
    _kept(header, cell)


@pytest.mark.parametrize(
    ("header", "cell"),
    [("Objekt", "Deal"), ("Categroy", "user defined"), ("\u03a4o ID", "123")],
)
def test_a_misspelled_header_over_its_columns_values_still_stops_the_read(
    header: str, cell: str
) -> None:
    with pytest.raises(HeaderError) as caught:
        _pairs(header, cell)
    assert f'"{header}"' in str(caught.value) and "misspelled" in str(caught.value)


LIMITS_WITH_A_TYPE_OF_WORDS = [
    "From,To,Label,Max,Type\ndeals,contacts,Champion,5,USER_DEFINED\n",
    "From,To,Label,Type,Max\ndeals,contacts,Champion,custom label,5\n",
    "From,To,Label,Max,Notes,Type\ndeals,contacts,Champion,5,x,hard limit\n",
]


@pytest.mark.parametrize("sheet", LIMITS_WITH_A_TYPE_OF_WORDS)
def test_a_limits_type_of_words_beside_a_label_is_the_analysts(sheet: str) -> None:
    frame = hf.read_limits(io.BytesIO(sheet.encode()))
    assert frame["label"].tolist() == ["Champion"] and "Type" in frame.columns


@pytest.mark.parametrize(
    "sheet",
    [
        "From,To,Label,Max,Type\ndeals,contacts,Champion,5,1001\n",
        "From,To,Max,Type\ndeals,contacts,5,Champion\n",
    ],
)
def test_a_limits_type_of_type_ids_or_of_words_without_a_label_stops_the_read(
    sheet: str,
) -> None:
    with pytest.raises(HeaderError) as caught:
        hf.read_limits(io.BytesIO(sheet.encode()))
    assert '"Type"' in str(caught.value)


#: Words analysts put before " ID" for keys of their own (no HubSpot object among them:
#: "Order", "Invoice", "Product" name standard objects, whose ids are refused when not read).
_BUSINESS = [
    *("External", "Legacy", "Customer", "Account", "ERP", "SAP", "Employee", "Contract"),
    *("Transaction", "Unique", "Parent", "Vendor", "Supplier", "Partner", "Member", "Client"),
    *("Shopify Customer", "Stripe Customer", "Zendesk", "Salesforce Account", "Netsuite"),
    *("Billing Account", "Tenant", "Branch", "Store", "Warehouse", "Batch", "Shipment"),
    *("Booking", "Reservation", "Patient", "Student", "Policy", "Claim", "Loan", "Asset"),
    *("Car", "Vehicle", "Machine", "Site", "Source", "Tracking", "Sync", "Integration"),
]
_FOREIGN = [
    *("Kunden-ID", "Kundennummer", "Auftrags-ID", "Objet", "Objekt", "Categoría", "Categorie"),
    *("Kategorie", "Identifiant client", "Numéro client", "Código", "Klant-ID", "Rubrique"),
]
_SHORT = ["TID", "OID", "CID", "UID", "PID", "SID", "RID", "Ref", "Nr", "No", "Key"]
_FORMS = ["{} ID", "{} IDs", "{} Id", "{}_id", "{}-ID", "{}ID"]


def _extra_header(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.6:
        return rng.choice(_FORMS).format(rng.choice(_BUSINESS))
    return rng.choice(_FOREIGN if pick < 0.8 else _SHORT)


@pytest.mark.parametrize("seed", seeds(8))
def test_realistic_extra_headers_are_kept(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        header = _extra_header(rng)
        if alias_field(header) is not None:
            continue
        cell = rng.choice(["55501", "6012345678901", "101;102", "A-77", "Premium", "Relance"])
        _kept(header, cell)


def test_a_contacts_export_with_its_primary_company_column_reads() -> None:
    """HubSpot's contacts export carries "Primary Associated Company ID" (a standard contact
    property) beside "Associated Company IDs": its ids are among those read, so the export is
    read (fed3fa0 refused it as a column of company ids left out)."""
    body = (
        "Record ID,First Name,Email,Primary Associated Company ID,Associated Company,"
        "Associated Company IDs\n"
        "51234567890,Amelia,amelia@tidal.example,3120000011,Tidal,3120000011\n"
        "51234567891,James,james@tidal.example,3120000011,Tidal;Orbit,3120000011;3120000012\n"
    )
    frame = hf.read_pairs(io.BytesIO(body.encode()))
    assert frame["to_id"].tolist() == ["3120000011", "3120000011", "3120000012"]
    assert set(frame["to_type"]) == {"companies"}


@pytest.mark.parametrize("category", ["HUBSPOT_DEFINED", "USER_DEFINED", "hubspot defined"])
def test_a_limits_type_of_categories_without_labels_reads(category: str) -> None:
    """Object limits with the association's category noted under "Type": categories are no
    labels, so the column is the analyst's (e8c9e1e refused it as association types)."""
    body = f"From,To,Max,Type\ndeals,contacts,30,{category}\ncontacts,companies,5,{category}\n"
    frame = hf.read_limits(io.BytesIO(body.encode()))
    assert frame["max_to_object_ids"].astype(str).tolist() == ["30", "5"]
