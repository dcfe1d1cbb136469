"""Reading HubSpot's answers: codes for errors, and which rows an error names."""

from __future__ import annotations

import json

from hubframe.errors import ErrorCode
from hubframe.hubspot.wire import ApiResponse
from hubframe.run.answers import Blame, blame, classify, map_response, rows_named
from hubframe.run.work import Batch, WorkItem
from hubframe.vocab import Action, Status


def test_classify_error_bodies() -> None:
    assert classify({"subCategory": "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"}) == (
        ErrorCode.LIMIT_EXCEEDED
    )
    assert classify({"context": {"objectId": ["1"]}}) == ErrorCode.OBJECT_NOT_FOUND
    # a type named without saying what is wrong with it: the sender reads the portal
    assert classify({"context": {"associationSpec": ["USER_DEFINED=3"]}}) == (
        ErrorCode.HUBSPOT_VALIDATION
    )
    assert classify({"message": "nope"}) == ErrorCode.HUBSPOT_VALIDATION


def _row(position: int, to_id: str, type_id: int | None = None) -> WorkItem:
    action = Action.ASSOCIATE if type_id else Action.ASSOCIATE_DEFAULT
    category = "USER_DEFINED" if type_id else None
    return WorkItem(position, action, "deals", "contacts", "1", to_id, category, type_id)


def test_rows_named_by_object_ids_types_and_specs() -> None:
    rows = [_row(0, "10", 1001), _row(1, "11", 1001), _row(2, "10", 1002)]
    by_object = {"context": {"INVALID_OBJECT_IDS": ["CONTACT=10 is not valid"]}}
    assert rows_named(by_object, rows) == [0, 2]
    by_spec = {"context": {"associationSpec": ["USER_DEFINED=1002"]}}
    assert rows_named(by_spec, rows) == [2]
    both = {"context": {"toObjectId": ["11"], "associationSpec": ["USER_DEFINED=1001"]}}
    assert rows_named(both, rows) == [1]
    assert rows_named({"message": "names no row"}, rows) == []
    wrong_type = {"context": {"objectId": ["10"], "objectType": ["COMPANY"]}}
    assert rows_named(wrong_type, rows) == [0, 2]  # an id match is kept when no type matches


def test_an_error_naming_a_type_no_row_asks_for_names_the_rows_of_its_records() -> None:
    """HubSpot adds the unlabeled type with every label; when that type's limit refuses a pair,
    the error names it (HUBSPOT_DEFINED=3) while the rows ask for labels."""
    rows = [_row(0, "10", 1001), _row(1, "10", 1002), _row(2, "11", 1001)]
    implied = {
        "context": {
            "fromObjectId": ["1"],
            "toObjectId": ["10"],
            "associationSpec": ["HUBSPOT_DEFINED=3"],
        }
    }
    assert rows_named(implied, rows) == [0, 1]
    only_a_type = {"context": {"associationSpec": ["HUBSPOT_DEFINED=3"]}}
    assert rows_named(only_a_type, rows) == []  # names no record: no row is guessed
    one_record = {"context": {"fromObjectId": ["1"], "associationSpec": ["HUBSPOT_DEFINED=3"]}}
    assert rows_named(one_record, rows) == []  # every row has that record: none is guessed


def _pair(position: int, from_id: str, to_id: str, type_id: int | None) -> WorkItem:
    action = Action.ASSOCIATE if type_id else Action.ASSOCIATE_DEFAULT
    category = "USER_DEFINED" if type_id else None
    return WorkItem(position, action, "deals", "contacts", from_id, to_id, category, type_id)


LIMIT = "crm.associations.ASSOCIATION_LIMIT_EXCEEDED"


def test_only_rows_an_error_can_be_about_and_no_other_are_blamed_for_sure() -> None:
    """Sure: the pair and type; a missing record of the stated type; a type.  Unsure: every row
    of a record named alone, the pair's rows for a type none asks for, an id of another type."""
    rows = [
        _pair(0, "1", "10", 1001),
        _pair(1, "1", "11", 1001),
        _pair(2, "2", "10", 1003),
        _pair(3, "2", "10", 1001),
        _pair(4, "10", "12", 1003),  # deal 10: the id of contact 10 too
    ]
    pair = {"fromObjectId": ["1"], "toObjectId": ["11"], "associationSpec": ["USER_DEFINED=1001"]}
    assert blame({"subCategory": LIMIT, "context": pair}, rows) == Blame(sure=(1,))
    record = {"fromObjectId": ["1"], "associationSpec": ["USER_DEFINED=1001"]}
    assert blame({"subCategory": LIMIT, "context": record}, rows) == Blame(unsure=(0, 1))
    reverse = {
        "fromObjectId": ["2"],
        "toObjectId": ["10"],
        "associationSpec": ["USER_DEFINED=1002"],
    }
    assert blame({"subCategory": LIMIT, "context": reverse}, rows) == Blame(unsure=(2, 3))
    missing = {"INVALID_OBJECT_IDS": ["CONTACT=10 is not valid"]}
    assert blame({"context": missing}, rows) == Blame(sure=(0, 2, 3))  # not deal 10's row
    untyped = {"objectId": ["10"]}  # ids of a deal and of a contact
    assert blame({"context": untyped}, rows) == Blame(unsure=(0, 2, 3, 4))
    only_contacts = {"objectId": ["11"]}
    assert blame({"context": only_contacts}, rows) == Blame(sure=(1,))
    elsewhere = {"objectId": ["10"], "objectType": ["COMPANY"]}  # no company in the batch
    assert blame({"context": elsewhere}, rows) == Blame(unsure=(0, 2, 3, 4))
    a_type = {"INVALID_ASSOCIATION_TYPE_ID": ["USER_DEFINED=1003 is not valid"]}
    assert blame({"context": a_type}, rows) == Blame(sure=(2, 4))
    two_labels = {"fromObjectId": ["2"], "toObjectId": ["10"]}  # which of the pair's two?
    assert blame({"subCategory": LIMIT, "context": two_labels}, rows) == Blame(unsure=(2, 3))
    assert blame({"context": {"fromObjectId": ["1"], "toObjectId": ["10"]}}, rows).sure == (0,)


def _answer(body: dict[str, object]) -> ApiResponse:
    return ApiResponse(207, json.dumps(body).encode(), {}, "c-1", 1)


def test_rows_an_unmatched_error_leaves_with_an_empty_results_list_are_not_successes() -> None:
    rows = [_row(0, "10", 1001), _row(1, "11", 1001)]
    batch = Batch(1, Action.ASSOCIATE, "deals", "contacts", tuple(rows))
    error = {"status": "error", "category": "VALIDATION_ERROR", "message": "refused"}
    outcomes = map_response(batch, _answer({"results": [], "errors": [error]}))
    assert [o.status for o in outcomes] == [Status.FAILED, Status.FAILED]
    done = {"fromObjectId": 1, "toObjectId": 10, "labels": ["Champion"]}
    outcomes = map_response(batch, _answer({"results": [done], "errors": [error]}))
    assert [o.status for o in outcomes] == [Status.SUCCESS, Status.FAILED]
