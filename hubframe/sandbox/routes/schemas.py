"""The custom object schemas list the sandbox serves: ``GET /crm-object-schemas/v3/schemas``
(also ``/crm/v3/schemas`` and ``/crm-object-schemas/<date>/schemas``).

Each custom object of the portal (the demo portal's installations, ``2-7350001``; those a
rehearsal made) is one entry, in the order they were added, with the fields hubframe reads
(``objectTypeId``, ``name``, ``fullyQualifiedName``, ``labels``) and empty property and
association lists.  HubSpot's list has no paging; the token needs
``crm.schemas.custom.read`` (403 ``MISSING_SCOPES`` otherwise).
"""

from __future__ import annotations

from hubframe.sandbox.bodies import JsonDict
from hubframe.sandbox.objects import CustomObject
from hubframe.sandbox.portal import Portal
from hubframe.sandbox.routes.common import Reply, require_scopes
from hubframe.sandbox.routes.parsing import Call
from hubframe.sandbox.routes.records import RECORD_TIMESTAMP

SCHEMAS_SCOPE = "crm.schemas.custom.read"


def schema_json(portal: Portal, custom: CustomObject) -> JsonDict:
    """One custom object as HubSpot's ObjectSchema (the fields hubframe reads, and a few)."""
    return {
        "id": custom.type_id.removeprefix("2-"),
        "objectTypeId": custom.type_id,
        "name": custom.name,
        "fullyQualifiedName": f"p{portal.portal_id}_{custom.name}",
        "labels": {"singular": custom.singular, "plural": custom.name},
        "metaType": "PORTAL_SPECIFIC",
        "archived": False,
        "properties": [],
        "associations": [],
        "requiredProperties": [],
        "searchableProperties": [],
        "secondaryDisplayProperties": [],
        "createdAt": RECORD_TIMESTAMP,
        "updatedAt": RECORD_TIMESTAMP,
    }


def schemas_list(portal: Portal, call: Call) -> Reply:
    require_scopes(call, [SCHEMAS_SCOPE])
    return Reply(200, {"results": [schema_json(portal, c) for c in portal.registry.customs()]})
