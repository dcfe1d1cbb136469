"""The endpoint table: one entry per action, and each entry's facts checked against HubSpot."""

from __future__ import annotations

import pytest

from hubframe.constants import MAX_BATCH_CREATE, MAX_BATCH_LIMITS
from hubframe.errors import ConfigurationError, InternalError
from hubframe.run.endpoints import ENDPOINTS, batch_limit, endpoint, payloads, send
from hubframe.run.work import Batch, WorkItem
from hubframe.run.worktable import WorkTable
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids
from hubframe.vocab import Action

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

DEAL, CONTACT = (str(i) for i in (demo_ids("deals")[40], demo_ids("contacts")[200]))


def test_every_action_has_exactly_one_entry() -> None:
    assert set(ENDPOINTS) == set(Action)
    assert all(ENDPOINTS[a].action is a for a in Action)


def test_batch_limit_is_the_maximum_or_the_smaller_size() -> None:
    assert batch_limit(Action.ASSOCIATE, None) == MAX_BATCH_CREATE
    assert batch_limit(Action.CREATE_LIMIT, 500) == MAX_BATCH_LIMITS
    assert batch_limit(Action.ASSOCIATE, 7) == 7
    with pytest.raises(ConfigurationError):
        batch_limit(Action.ASSOCIATE, 0)


def test_undo_takes_back_what_each_creating_action_made() -> None:
    assert endpoint(Action.ASSOCIATE).undo == (Action.ARCHIVE, Action.ARCHIVE_LABELS)
    assert endpoint(Action.ASSOCIATE_DEFAULT).undo == (Action.ARCHIVE, None)
    assert all(endpoint(a).undo == (None, None) for a in Action if a.is_limit)


def test_undo_of_a_removal_creates_the_removed_type_again_only_if_it_was_there() -> None:
    assert endpoint(Action.ARCHIVE_LABELS).undo == (None, Action.ASSOCIATE)
    assert endpoint(Action.ARCHIVE).undo == (None, Action.ASSOCIATE_DEFAULT)


def _item(action: Action, **kw: object) -> WorkItem:
    base = dict(from_id=DEAL, to_id=CONTACT, category="HUBSPOT_DEFINED", type_id=3)
    return WorkItem(0, action, "deals", "contacts", **{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "action",
    [Action.ASSOCIATE, Action.ASSOCIATE_DEFAULT, Action.ARCHIVE_LABELS, Action.ARCHIVE],
)
@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_each_association_endpoint_sends_its_payload_and_reads_its_change_back(
    sandbox: Sandbox, action: Action, version: str
) -> None:
    """Over HTTP: the payload is accepted, the answer's results name the row (where results
    name anything), and the read-back says the change is there."""
    client = client_for(sandbox, version)
    batch = Batch(1, action, "deals", "contacts", (_item(action),))
    if action.removes_association:
        send(client, Batch(1, Action.ASSOCIATE, "deals", "contacts", (_item(Action.ASSOCIATE),)))
    resp = send(client, batch)
    assert 200 <= resp.status < 300 and not resp.json().get("errors")
    entry = endpoint(action)
    if entry.result_key is not None:
        keys = {entry.result_key(r) for r in resp.json()["results"]}
        assert entry.item_key(batch.items[0]) in keys
    assert entry.present(client, batch) == [True]


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
def test_limit_endpoints_create_update_purge_and_read_back(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    label = sandbox.add_label("deals", "contacts", f"Endpoint test {version}")
    item = _item(Action.CREATE_LIMIT, category="USER_DEFINED", type_id=label, max_to_object_ids=4)
    for action, maximum in [
        (Action.CREATE_LIMIT, 4),
        (Action.UPDATE_LIMIT, 2),
        (Action.PURGE_LIMIT, None),
    ]:
        step = Batch(1, action, "deals", "contacts", (_with(item, action, maximum),))
        assert payloads(step)[0]["typeId"] == label
        resp = send(client, step)
        assert 200 <= resp.status < 300 and not resp.json().get("errors")
        assert endpoint(action).present(client, step) == [True]


def _with(item: WorkItem, action: Action, maximum: int | None) -> WorkItem:
    return WorkItem(
        0, action, item.from_type, item.to_type, category=item.category, type_id=item.type_id,
        max_to_object_ids=maximum,
    )  # fmt: skip


_TYPED = [
    Action.ASSOCIATE,
    Action.ARCHIVE_LABELS,
    Action.CREATE_LIMIT,
    Action.UPDATE_LIMIT,
    Action.PURGE_LIMIT,
]


@pytest.mark.parametrize("action", _TYPED)
@pytest.mark.parametrize("type_id", [0, -1, -2, -1000])
@pytest.mark.parametrize("as_table", [False, True])
def test_a_type_id_hubspot_cannot_have_is_never_sent(
    sandbox: Sandbox, action: Action, type_id: int, as_table: bool
) -> None:
    """A stand-in for a label not created yet (negative), or 0, stops the batch before its
    request: whichever row of it holds one, in a batch of items or of a table."""
    client = client_for(sandbox, "2026-03")
    maximum = 3 if action in (Action.CREATE_LIMIT, Action.UPDATE_LIMIT) else None
    good = _item(action, max_to_object_ids=maximum)
    bad = _item(action, type_id=type_id, max_to_object_ids=maximum)
    items = (good, bad, good)
    before = len(sandbox.request_log())
    # -1 is a table's "none": the table refuses to hold it, rather than send a default link
    said = (
        r"row 0 holds -1" if as_table and type_id == -1 else rf"batch 5 holds type id {type_id}\b"
    )
    with pytest.raises(InternalError, match=said):
        table = WorkTable.from_items(items) if as_table else None
        send(
            client,
            Batch(5, action, "deals", "contacts", items if table is None else None, table=table),
        )
    assert len(sandbox.request_log()) == before
