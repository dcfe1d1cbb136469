"""One table of the batch endpoints a run sends to, keyed by :class:`~hubframe.vocab.Action`.

Everything that differs from one endpoint to the next lives in its :class:`Endpoint` entry:
how many inputs a request may carry, which client method sends it, the JSON input of a row,
how the answer's ``results`` name the rows that were done, how to look in the portal whether a
row's change is there (when an answer was lost), and what takes a created row back (undo).
Adding an endpoint is one entry here (and one test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from hubframe.constants import (
    MAX_BATCH_ARCHIVE,
    MAX_BATCH_CREATE,
    MAX_BATCH_DEFAULT,
    MAX_BATCH_LIMITS,
)
from hubframe.errors import ConfigurationError, InternalError
from hubframe.hubspot.shapes import dig, placed_limits
from hubframe.run.work import Batch, WorkItem
from hubframe.vocab import Action

if TYPE_CHECKING:  # the client is the caller's: reading a journal or report needs no HTTP
    from hubframe.hubspot.client import HubSpotClient, Inputs
    from hubframe.hubspot.wire import ApiResponse, JsonBytes

JSON = dict[str, Any]
Key = tuple[str, str]
Send: TypeAlias = "Callable[[str, str, Inputs], ApiResponse]"


@dataclass(frozen=True)
class Endpoint:
    """What a run needs to know about one batch endpoint."""

    action: Action
    #: Inputs per request (HubSpot's maximum; ``batch_size=`` may lower it).
    maximum: int
    #: The client method that sends a request: ``send(client)(from_type, to_type, inputs)``.
    send: Callable[[HubSpotClient], Send]
    #: The JSON input of one row.
    payload: Callable[[WorkItem], JSON]
    #: What names a row in the answer's ``results``; None when results name nothing.
    result_key: Callable[[JSON], Key] | None
    #: The row's key, to compare with :attr:`result_key`.
    item_key: Callable[[WorkItem], Key]
    #: Per row of a batch: is its change in the portal now (for removals: is the link gone)?
    present: Callable[[HubSpotClient, Batch], list[bool]]
    #: What takes a row back.  A created row: (when the two records were not linked before the
    #: run, when they were); None where nothing can (the link or label was there before).  A
    #: removal: (when the removed type was not there before the run, when it was): the type
    #: is created again (a sync's removals record what they removed).
    undo: tuple[Action | None, Action | None] = (None, None)
    #: A 2xx answer confirms no row: it names none, and HubSpot answers a write it ignored
    #: alike.  Every row no error refuses is read back (:attr:`present`, one read a batch).
    read_back: bool = False


def row_keys(batch: Batch) -> list[Key]:
    """The key of each row of ``batch`` (see :attr:`Endpoint.item_key`), from its table's
    arrays when it has one (no WorkItems made)."""
    item_key = endpoint(batch.action).item_key
    if batch.table is not None:
        table = batch.table
        return table.record_keys() if item_key is _records_key else table.type_keys()
    return [item_key(item) for item in batch.items]


def endpoint(action: Action) -> Endpoint:
    """The entry of ``action``."""
    return ENDPOINTS[Action(action)]


def batch_limit(action: Action, batch_size: int | None) -> int:
    """The inputs per request for ``action``: the maximum, or ``batch_size`` when smaller."""
    maximum = endpoint(action).maximum
    if batch_size is None:
        return maximum
    if batch_size < 1:
        raise ConfigurationError(f"batch_size must be 1 or more, not {batch_size}")
    return min(maximum, batch_size)


# --- payloads and keys ------------------------------------------------------------------------


def _pair(item: WorkItem) -> JSON:
    return {"from": {"id": item.from_id}, "to": {"id": item.to_id}}


def _labeled(item: WorkItem) -> JSON:
    spec = {"associationCategory": item.category, "associationTypeId": item.type_id}
    return {"from": {"id": item.from_id}, "to": {"id": item.to_id}, "types": [spec]}


def _archive(item: WorkItem) -> JSON:
    return {"from": {"id": item.from_id}, "to": [{"id": item.to_id}]}


def _limit(item: WorkItem) -> JSON:
    return {
        "category": item.category,
        "typeId": item.type_id,
        "maxToObjectIds": item.max_to_object_ids,
    }


def _limit_purge(item: WorkItem) -> JSON:
    return {"category": item.category, "typeId": item.type_id}


def _records_key(item: WorkItem) -> Key:
    return (str(item.from_id), str(item.to_id))


def _type_key(item: WorkItem) -> Key:
    return (str(item.category), str(item.type_id))


def _labeled_result(result: JSON) -> Key:
    return (str(result.get("fromObjectId")), str(result.get("toObjectId")))


def _default_result(result: JSON) -> Key:
    return (str(dig(result, "from", "id")), str(dig(result, "to", "id")))


def _limit_result(result: JSON) -> Key:
    return (str(result.get("category")), str(result.get("typeId")))


# --- reading the portal back --------------------------------------------------------------------


def _links_present(client: HubSpotClient, batch: Batch) -> list[bool]:
    return links_present(batch, batch_links(client, batch))


def batch_links(client: HubSpotClient, batch: Batch) -> dict[str, list[JSON]]:
    """The associations of the batch's from records (from id -> their ``to`` entries): what
    :func:`links_present` judges; a job that reads them first keeps them to say more."""
    ids = [item.from_id for item in batch.items if item.from_id is not None]
    return client.read_associations(batch.from_type, batch.to_type, ids)


def links_present(batch: Batch, found: Mapping[str, list[JSON]]) -> list[bool]:
    """Per row of an association batch, whether its change is in ``found`` (a removal: gone)."""
    removing = batch.action.removes_association
    return [
        _association_present(item, found.get(str(item.from_id), [])) != removing
        for item in batch.items
    ]


def _association_present(item: WorkItem, entries: Iterable[Mapping[str, Any]]) -> bool:
    for entry in entries:
        if str(entry.get("toObjectId")) != str(item.to_id):
            continue
        if item.type_id is None or item.action is Action.ARCHIVE:
            return True
        for spec in entry.get("associationTypes") or []:
            same_type = int(spec.get("typeId", -1)) == item.type_id
            if same_type and spec.get("category") in (None, item.category):
                return True
    return False


def _limits_present(client: HubSpotClient, batch: Batch) -> list[bool]:
    current = placed_limits(client.get_limits(batch.from_type, batch.to_type))
    return [_limit_present(item, current) for item in batch.items]


def _limit_present(item: WorkItem, current: Mapping[tuple[str, int], Any]) -> bool:
    key = (str(item.category), int(item.type_id if item.type_id is not None else -1))
    if item.action is Action.PURGE_LIMIT:
        return key not in current
    value = current.get(key)
    return value is not None and int(value) == item.max_to_object_ids


# --- the table ----------------------------------------------------------------------------------

ENDPOINTS: Mapping[Action, Endpoint] = {
    e.action: e
    for e in (
        Endpoint(
            Action.ASSOCIATE,
            MAX_BATCH_CREATE,
            lambda client: client.batch_create,
            _labeled,
            _labeled_result,
            _records_key,
            _links_present,
            undo=(Action.ARCHIVE, Action.ARCHIVE_LABELS),
        ),
        Endpoint(
            Action.ASSOCIATE_DEFAULT,
            MAX_BATCH_DEFAULT,
            lambda client: client.batch_associate_default,
            _pair,
            _default_result,
            _records_key,
            _links_present,
            undo=(Action.ARCHIVE, None),
        ),
        Endpoint(
            Action.CREATE_LIMIT,
            MAX_BATCH_LIMITS,
            lambda client: client.create_limits,
            _limit,
            _limit_result,
            _type_key,
            _limits_present,
        ),
        Endpoint(
            Action.UPDATE_LIMIT,
            MAX_BATCH_LIMITS,
            lambda client: client.update_limits,
            _limit,
            _limit_result,
            _type_key,
            _limits_present,
        ),
        Endpoint(
            Action.PURGE_LIMIT,
            MAX_BATCH_LIMITS,
            lambda client: client.purge_limits,
            _limit_purge,
            None,  # a purge answers 204, or results of empty objects: they name nothing
            _type_key,
            _limits_present,
            read_back=True,  # an ignored purge answers alike: its limits are read back
        ),
        Endpoint(
            Action.ARCHIVE,
            MAX_BATCH_ARCHIVE,
            lambda client: client.batch_archive,
            _archive,
            None,  # archive results are empty objects: they name nothing
            _records_key,
            _links_present,
            undo=(None, Action.ASSOCIATE_DEFAULT),
            read_back=True,  # an ignored removal answers alike: the pairs are read back
        ),
        Endpoint(
            Action.ARCHIVE_LABELS,
            MAX_BATCH_ARCHIVE,
            lambda client: client.batch_archive_labels,
            _labeled,
            None,
            _records_key,
            _links_present,
            undo=(None, Action.ASSOCIATE),
            read_back=True,
        ),
    )
}


def payloads(batch: Batch) -> list[JSON]:
    """The JSON inputs of a batch, in order."""
    build = endpoint(batch.action).payload
    return [build(item) for item in batch.items]


def encoded(batch: Batch) -> JsonBytes | None:
    """A planned batch's ``inputs`` built from its arrays (None: built row by row when sent)."""
    if batch.table is None:
        return None
    from hubframe.run.bodies import encoded_inputs

    return encoded_inputs(batch.action, batch.table)


def send(client: HubSpotClient, batch: Batch, inputs: JsonBytes | None = None) -> ApiResponse:
    """Send one batch to its endpoint; ``inputs``: its :func:`encoded` inputs when the caller
    built them already (else they are built here).  A row whose type id HubSpot cannot have
    (a stand-in for a label not created yet) stops it before anything is sent."""
    unsendable = batch.unsendable_type_id()
    if unsendable is not None:
        raise InternalError(
            f"batch {batch.number} holds type id {unsendable}, which stands for a label not "
            "created yet; nothing of it was sent"
        )
    body: Inputs | None = inputs if inputs is not None else encoded(batch)
    if body is None:
        body = payloads(batch)
    return endpoint(batch.action).send(client)(batch.from_type, batch.to_type, body)


__all__ = [
    "ENDPOINTS",
    "Endpoint",
    "batch_limit",
    "batch_links",
    "encoded",
    "endpoint",
    "links_present",
    "payloads",
    "row_keys",
    "send",
]
