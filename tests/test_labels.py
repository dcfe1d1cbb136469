"""Label names -> (category, type id), fetched once per object pair from the sandbox."""

from __future__ import annotations

import pytest

from hubframe.errors import ErrorCode
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.labels import LabelBook, UnknownLabel, closest_first
from hubframe.sandbox import Sandbox


def book_for(sb: Sandbox) -> LabelBook:
    return LabelBook(HubSpotClient(token=sb.token, base_url=sb.url))


def label_gets(sb: Sandbox) -> int:
    log = sb.request_log()
    return int(log["path"].str.endswith("/labels").sum())


def test_resolves_case_and_space_insensitively_once_per_pair(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    decision = book.resolve("deals", "contacts", "Decision maker")
    assert decision.category == "USER_DEFINED"
    assert book.resolve("deals", "contacts", "  decision   MAKER ").type_id == decision.type_id
    assert book.resolve("deals", "contacts", "champion").label == "Champion"
    assert book.category_of("deals", "contacts", decision.type_id) == "USER_DEFINED"
    assert book.category_of("deals", "contacts", 999_999) is None
    assert label_gets(sandbox) == 1
    primary = book.resolve("contacts", "companies", "primary")
    assert (primary.category, primary.type_id) == ("HUBSPOT_DEFINED", 1)
    assert label_gets(sandbox) == 2


def test_unlabeled_default(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    unlabeled = book.unlabeled("deals", "contacts")
    assert unlabeled is not None
    assert (unlabeled.category, unlabeled.type_id, unlabeled.label) == ("HUBSPOT_DEFINED", 3, None)
    assert book.resolve("deals", "contacts", "Unlabeled") == unlabeled
    assert book.resolve("deals", "contacts", "default") == unlabeled
    assert book.resolve("contacts", "companies", "(no label)").type_id == 279


def test_unknown_label_lists_existing_labels_closest_first(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    with pytest.raises(UnknownLabel) as info:
        book.resolve("deals", "contacts", "Decison makr")
    assert info.value.code is ErrorCode.UNKNOWN_LABEL
    message = str(info.value)
    assert '"Decison makr"' in message
    listed = message.split("labels that exist: ")[1]
    assert listed.index('"Decision maker"') < listed.index('"Champion"')
    assert '"Budget holder"' in listed


def test_closest_first_orders_by_similarity() -> None:
    names = ["Champion", "Budget holder", "Decision maker"]
    assert closest_first("budget", names)[0] == "Budget holder"
    assert closest_first("champ", names)[0] == "Champion"
    assert sorted(closest_first("x", names)) == sorted(names)
