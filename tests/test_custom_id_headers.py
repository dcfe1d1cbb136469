"""A header refusal shows the way out for a custom object's id column and for two id columns of
one object.

hubframe recognises the id columns of standard objects by name ("Contact ID"); a custom
object's, named after it as analysts write it ("Installation ID"), is not read.  Before, such
a sheet stopped with "no column for the 'to' record id" and the accepted names only: no word
that the column may be a custom object's, nor of choosing it (``columns=``) and naming its
object (``from_type="p_..."`` or its ``2-...`` type id).  And a contacts export with
"Associated Company ID" and "Associated Company IDs" given ``to_type="companies"`` was told to
"Choose one with to_type="companies"": the argument given, which cannot choose between two
columns of one object.  Now the message names the column, how to choose it in the caller's
syntax (Python, the command line, the app), and never the argument already given.
"""

from __future__ import annotations

import io

import pytest

import hubframe as hf
from hubframe.io.columns import HeaderError

CUSTOM_HEADERS = [
    "Installation ID",
    "Installation IDs",
    "Associated Installation IDs",
    "Car ID",
    "Site Visit ID",
    "installation_id",
]
SYNTAXES = ["python", "cli", "app"]


def _refusal(text: str, **kwargs: object) -> str:
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(io.BytesIO(text.encode()), **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


@pytest.mark.parametrize("syntax", SYNTAXES)
@pytest.mark.parametrize("first", [True, False], ids=["custom first", "custom second"])
@pytest.mark.parametrize("header", CUSTOM_HEADERS)
def test_a_custom_objects_id_column_is_named_with_how_to_read_it(
    header: str, first: bool, syntax: str
) -> None:
    headers = [header, "Contact ID"] if first else ["Contact ID", header]
    message = _refusal(",".join(headers) + "\n4710000001,1019360001\n", syntax=syntax)
    assert f'"{header}"' in message and "custom object" in message, message
    if syntax == "python":
        assert f"columns={{{header!r}: " in message, message
        assert '_type="p_' in message and "2-" in message, message
    elif syntax == "cli":
        assert "columns=" not in message, message
        assert "--to p_" in message or "--from p_" in message, message
    else:
        assert "dropdown" in message, message


@pytest.mark.parametrize("syntax", ["python", "cli"])
@pytest.mark.parametrize("side", ["from", "to"])
@pytest.mark.parametrize("header", CUSTOM_HEADERS)
def test_the_custom_objects_type_given_is_not_advised_again(
    header: str, side: str, syntax: str
) -> None:
    """Its type given (``from_type="p_installations"``): only the column is to choose."""
    given = {f"{side}_type": "p_installations"}
    other = "to" if side == "from" else "from"
    given[f"{other}_type"] = "contacts"
    message = _refusal(f"{header},Contact ID\n4710000001,1019360001\n", syntax=syntax, **given)
    assert f'"{header}"' in message and "custom object" in message, message
    assert f'{side}_type="p_' not in message and f"--{side} p_" not in message, message
    if syntax == "python":
        assert f"columns={{{header!r}: '{side}_id'}}" in message, message


@pytest.mark.parametrize("header", ["Deal ID", "Record ID", "Email ID", "Notes", "Amount"])
def test_other_headers_get_no_custom_object_hint(header: str) -> None:
    message = _refusal(f"{header},Name\n1,a\n")
    assert "custom object" not in message, message


EXPORT = (
    "Record ID,First Name,Last Name,Email,Associated Company ID,Associated Company IDs\n"
    "1019360001,a,b,a@b.c,3120000001,3120000001;3120000002\n"
)


@pytest.mark.parametrize("given", [{}, {"to_type": "companies"}], ids=["no type", "companies"])
@pytest.mark.parametrize("syntax", SYNTAXES)
def test_two_columns_of_one_object_are_chosen_by_column_not_by_type(
    given: dict[str, str], syntax: str
) -> None:
    name = "hubspot-crm-exports-all-contacts-2026.csv"
    source = io.BytesIO(EXPORT.encode())
    source.name = name
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(source, syntax=syntax, **given)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "Associated Company ID" in message and "Associated Company IDs" in message
    assert 'to_type="companies"' not in message and "--to companies" not in message, message
    if syntax == "python":
        assert "columns={'Associated Company ID': 'to_id'}" in message, message
    elif syntax == "cli":
        assert "rename" in message or "delete" in message, message
