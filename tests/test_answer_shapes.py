"""An answer entry that is not what HubSpot sends is refused as the answer it is, never read.

hubframe turns the type ids, record ids and limits of HubSpot's answers into numbers.  An
entry whose ``typeId`` was ``null``, ``"x"`` or ``{}`` made that a TypeError or ValueError deep
inside a job -- an undo, an export, a label lookup died with it -- and ``1.5`` was read as type
1 (an undo skipped a label that was there).  Every list an answer gives is now checked as it
arrives (:mod:`hubframe.hubspot.shapes`): an entry out of shape fails the read with a
ServerError naming it.  The fault proxy answers every read with the body drawn
(``read_body``); Hypothesis draws the value and the field it lands in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import ServerError
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.reads import read_links, read_records
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = str(demo_ids("deals")[61]), str(demo_ids("contacts")[161])

BAD = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.integers(max_value=-1),
    st.text(max_size=4).filter(lambda t: not (t.isascii() and t.isdigit())),
    st.lists(st.integers(0, 9), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)

#: reader -> (the good entry, the fields a bad value may land in, how the body holds entries)
SHAPES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "links": (
        {
            "toObjectId": int(CONTACT),
            "associationTypes": [{"category": "USER_DEFINED", "typeId": 1001, "label": "X"}],
        },
        ["toObjectId", "typeId", "category", "label"],
    ),
    "labels": ({"category": "USER_DEFINED", "typeId": 1001, "label": "X"}, ["typeId", "category"]),
    "limits": (
        {"category": "USER_DEFINED", "typeId": 1001, "userEnforcedMaxToObjectIds": 3},
        ["typeId", "userEnforcedMaxToObjectIds", "category"],
    ),
    "records": ({"id": CONTACT, "properties": {}}, ["id"]),
}


def _body(kind: str, entry: dict[str, Any]) -> str:
    if kind == "links":
        return json.dumps(
            {"status": "COMPLETE", "results": [{"from": {"id": DEAL}, "to": [entry]}]}
        )
    return json.dumps({"status": "COMPLETE", "results": [entry]})


def _readers(client: HubSpotClient) -> dict[str, list[Callable[[], object]]]:
    return {
        "links": [
            lambda: client.read_associations("deals", "contacts", [DEAL]),
            lambda: read_links(client, "deals", "contacts", [DEAL]),
        ],
        "labels": [lambda: client.list_labels("deals", "contacts")],
        "limits": [lambda: client.get_limits("deals", "contacts"), client.get_all_limits],
        "records": [
            lambda: read_records(client, "contacts", [CONTACT]),
            lambda: client.record_ids("contacts"),
        ],
    }


@pytest.fixture(scope="module")
def proxied() -> Iterator[tuple[FaultProxy, HubSpotClient]]:
    with Sandbox(seed="demo") as sb, FaultProxy(sb) as fp:
        yield fp, HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)


def _spoiled(entry: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    spoiled = json.loads(json.dumps(entry))
    if field in spoiled:
        spoiled[field] = value
    else:  # a field of the association type
        spoiled["associationTypes"][0][field] = value
    return spoiled


@settings(
    max_examples=examples(50),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), kind=st.sampled_from(sorted(SHAPES)), value=BAD)
def test_an_entry_out_of_shape_fails_the_read_as_a_server_error(
    proxied: tuple[FaultProxy, HubSpotClient], data: st.DataObject, kind: str, value: Any
) -> None:
    fp, client = proxied
    entry, fields = SHAPES[kind]
    field = data.draw(st.sampled_from(fields), "field")
    if field in ("category", "label") and (value is None or isinstance(value, str)):
        value = 7  # text and null are what HubSpot sends there
    if kind == "limits" and value is None:
        value = "x"  # an entry that sets no limit has null numbers
    fp.read_body = _body(kind, _spoiled(entry, field, value))
    for read in _readers(client)[kind]:
        with pytest.raises(ServerError, match="holds an entry that is not one"):
            read()


@pytest.mark.parametrize("kind", sorted(SHAPES))
def test_an_entry_in_shape_is_read(proxied: tuple[FaultProxy, HubSpotClient], kind: str) -> None:
    fp, client = proxied
    fp.read_body = _body(kind, SHAPES[kind][0])
    for read in _readers(client)[kind]:
        assert read()


@pytest.mark.parametrize("type_id", ["null", '"x"', "1.5", "{}"])
def test_an_undo_given_such_an_answer_fails_its_row_and_removes_nothing(type_id: str) -> None:
    """The run linked a deal and a contact with a label; every read of the undo answers a
    type id out of shape: the row fails (it died with TypeError, or skipped the label as not
    there); the label and the link stay."""
    sheet = pd.DataFrame(
        {"Deal ID": [DEAL], "Contact ID": [CONTACT], "Association label": ["Champion"]}
    )
    spec = f'{{"category": "USER_DEFINED", "typeId": {type_id}, "label": "Champion"}}'
    read = (
        f'{{"status": "COMPLETE", "results": [{{"from": {{"id": "{DEAL}"}}, "to": '
        f'[{{"toObjectId": {CONTACT}, "associationTypes": [{spec}]}}]}}]}}'
    )
    with Sandbox(seed="demo") as sb:
        result = hf.associate(sheet, client_for(sb), record_existing=True, progress=False)
        with FaultProxy(sb, read_body=read) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)
            report = hf.undo(result, client, progress=False)
        links = sb.associations("deals", "contacts")
    assert report["status"].tolist() == ["failed"], report
    assert report["error_code"].tolist() == ["SERVER_ERROR"]
    mine = links[links["to_id"].astype(str) == CONTACT]
    assert len(mine) == 2  # the plain link and the label


ODD_RESULTS = [
    '{"from": "x", "to": "y"}',
    '{"from": [], "to": {"id": []}}',
    '{"from": {"id": {"a": 1}}, "to": 7, "paging": []}',
    '"not an object"',
]


@pytest.mark.parametrize("odd", ODD_RESULTS)
@pytest.mark.parametrize("version", ["2026-03", "v4"])
def test_a_write_answer_with_results_out_of_shape_is_settled_by_a_read(
    odd: str, version: str
) -> None:
    """A create or default-associate answer whose results are not objects of ids (``"from":
    "x"``) raised AttributeError inside the run; such a result names no row, so the rows are
    read back: applied, they are a success."""
    sheet = pd.DataFrame(
        {"Deal ID": [DEAL] * 2, "Contact ID": [CONTACT, str(demo_ids("contacts")[162])],
         "Association label": ["", "Champion"]}
    )  # fmt: skip
    body = f'{{"status": "COMPLETE", "results": [{odd}]}}'
    with Sandbox(seed="demo") as sb, FaultProxy(sb, then=f"replace:{body}", cued=True) as fp:
        client = HubSpotClient(token=sb.token, base_url=fp.url, api_version=version)
        result = hf.associate(sheet, client, progress=False)
    assert result["status"].tolist() == ["success", "success"], result


@pytest.mark.parametrize("odd", ODD_RESULTS)
def test_a_read_answer_with_results_out_of_shape_is_read_around_them(
    proxied: tuple[FaultProxy, HubSpotClient], odd: str
) -> None:
    """A batch read's result out of shape names no record (it is skipped); one whose paging
    is not an object has no next page."""
    fp, client = proxied
    named = f'{{"from": {{"id": "{DEAL}"}}, "to": [], "paging": []}}'
    fp.read_body = f'{{"status": "COMPLETE", "results": [{odd}, {named}]}}'
    assert client.read_associations("deals", "contacts", [DEAL]) == {DEAL: []}
    assert read_links(client, "deals", "contacts", [DEAL]) == {DEAL: []}


@pytest.mark.parametrize("properties", ["[]", '"x"', "7"])
def test_a_lookup_answer_whose_properties_are_not_an_object_fails_as_a_read(
    proxied: tuple[FaultProxy, HubSpotClient], properties: str
) -> None:
    """A record of an email lookup whose ``properties`` is not an object raised
    AttributeError; it names no email, so the email is asked again and the read fails."""
    fp, client = proxied
    fp.read_body = (
        f'{{"status": "COMPLETE", "results": [{{"id": "1", "properties": {properties}}}]}}'
    )
    with pytest.raises(ServerError, match=r"named neither record a@example\.com"):
        read_records(client, "contacts", ["a@example.com"], id_property="email")


@pytest.mark.parametrize("results", ["true", "7", '{"id": "1"}', '"x"'])
@pytest.mark.parametrize("kind", sorted(SHAPES))
def test_results_that_are_not_a_list_fail_the_read(
    proxied: tuple[FaultProxy, HubSpotClient], kind: str, results: str
) -> None:
    """``"results": true`` read as an empty list made the export of every record of a type
    an empty sheet without a word; each reader now refuses it as a read that failed."""
    fp, client = proxied
    fp.read_body = f'{{"status": "COMPLETE", "results": {results}}}'
    for read in _readers(client)[kind]:
        with pytest.raises(ServerError, match=r"where a list belongs|named neither"):
            read()
