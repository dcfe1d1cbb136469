"""A local fake of HubSpot's CRM associations APIs, on a real HTTP server (127.0.0.1).

``Sandbox(seed="demo")`` serves the association, label and limit-configuration endpoints of
API versions v4 (``/crm/v4/...`` and, for labels and limits, ``/crm/associations/v4/...``),
2026-03 (and its ``2025-09`` alias) and 2026-09, with the bodies, status codes, headers and errors
of ``shared/hubspot-api.md``; its responses validate against HubSpot's OpenAPI specs (see
``tests/openapi_check.py`` for the documented differences that are allowed).

Layout: ``objects`` (object types and path spellings), ``portal`` (in-memory state and rules),
``routes`` (the endpoints: ``routes.table`` routes paths and versions to them, ``routes.parsing``
reads requests, ``routes.common`` holds shared replies and JSON, and one module per family:
``associations`` (batch), ``single`` (single-record PUT / DELETE / GET list), ``labels``,
``limits`` and ``records`` (the CRM objects batch read and list)), ``bodies`` (error and batch
JSON), ``server`` (HTTP, auth, rate limit, faults, latency, request log), ``core``
(:class:`Sandbox`), ``demo`` (the demo portal), ``serve`` (the CLI).

Modelled, not confirmed
-----------------------
HubSpot does not document these; the sandbox does the most plausible thing.

Batches and errors
  * Item errors (207 on v4/2026-03, 200 with ``errors`` on 2026-09; 207 even when every input
    failed): a missing record or non-numeric id -> one error per input, context
    ``INVALID_OBJECT_IDS`` ["CONTACT=123 is not valid"], ``objectId``, ``objectType`` (custom
    objects are named by type id there); an association type unknown for the direction -> one
    error per distinct spec, context ``INVALID_ASSOCIATION_TYPE_ID``, ``associationSpec``
    ["USER_DEFINED=3"], ``fromObjectType``, ``toObjectType``; an exceeded limit -> one error per
    input, category VALIDATION_ERROR, subCategory ``crm.associations.ASSOCIATION_LIMIT_EXCEEDED``,
    context ``fromObjectId``, ``toObjectId``, ``associationSpec``, a message naming the record,
    the type and the limit. The good inputs of the batch are applied.
  * Whole-request 400 (nothing applied): missing body, malformed JSON, ``inputs`` missing or not
    a list of objects, more inputs than the maximum (create / default / archive / labels-archive
    2,000, read 1,000, limit configurations 100; message "Too many inputs: N were sent, the
    maximum for this endpoint is M."), a required field missing in any input (message lists the
    fields), a category outside the enum, a non-integer type id. For batch labels/archive and
    limit purge, a type unknown for the pair is a whole 400 too (v4 answers those with 204, so
    they cannot carry item errors).
  * Single-record PUTs answer 400 "One or more associations are invalid" (missing records,
    unknown types) with the same context, and 400 with the limit error's fields and message.
  * Batch read: an input whose record has no associations of that pair (or does not exist) is an
    item error, category OBJECT_NOT_FOUND, subCategory ``crm.associations.NO_ASSOCIATIONS_FOUND``,
    context ``fromObjectId``. Pages hold 500 associated records per input
    (``Sandbox.set_read_page_size``); cursors are opaque; labeled types are listed before the
    unlabeled one. The GET list of an unknown record is 200 with no results.
  * Batch archive ignores pairs that are not associated or do not exist; 2026-03 answers one
    ``{}`` per input, 2026-09's BatchResponseVoid is the envelope with empty ``results``.

Associations, labels and limits
  * Type ids are unique across categories: user labels and custom-object types get ids from
    1001 up (above every HUBSPOT_DEFINED id), never reused. A label between two object types
    always gets one id per direction (the reverse labelled with the inverse label, or the same
    label when unpaired); an unpaired same-object label is one symmetric id.
  * A custom object's default types to the objects it is associated with are USER_DEFINED with
    label null. HubSpot-defined labeled types pair with their reverse (1/2 Primary, 5/6, 25/26,
    930/931, 702/703, 13/14); 578 (lead -> primary contact) has no reverse label.
  * Single labeled PUT replaces the pair's labels and keeps the unlabeled association; an empty
    list leaves only the unlabeled one.
  * Limits are enforced per source record and type id in both stored directions (creating
    deal->contact "Decision maker" also checks the contact->deal inverse type's limit for the
    contact). Inputs are applied in order, so the first inputs of a batch use up a limit.
    Existing associations are never re-checked (limits are not retroactive); HubSpot-defined
    "Primary" is not limited to one.
  * Limit configurations: create on a type that already has a limit and update on one that has
    none are item errors; values must be 1-10,000; label limit > object limit fails with "must be
    between 1 and N"; object limit below a label limit fails with "must be at least N"; an unknown
    type fails with "1-1007 is not a valid association type between DEAL and CONTACT" (prefix 0
    HUBSPOT_DEFINED, 1 USER_DEFINED, 2 INTEGRATOR_DEFINED, 3 WORK). GET returns configured limits
    only.
  * Labels: ``name`` must match ``[A-Za-z_][A-Za-z0-9_]*`` and be unique per pair; at most 10
    user labels per direction; update and delete take the forward or the reverse id; unknown
    ids, HubSpot-defined types and labels in use give 400; delete also drops the labels' limits.

HTTP
  * 401 body is the same for a missing and an unknown token. Scopes are checked per object type
    in the path: reads need ``crm.objects.<type>.read`` (``.write`` also does), writes need
    ``.write``; custom objects need ``crm.objects.custom.*`` and ``crm.schemas.custom.read``;
    ``requiredScopes`` lists the missing ones.
  * Rate limit: 401s and unknown routes are not counted; requests answered 429 do not use budget;
    ``Daily`` headers only with ``daily_limit``; no ``Retry-After``; no ``Secondly`` headers.
  * Faults hit only the record-association endpoints; an injected throttle uses no budget, an
    injected 5xx does (body category INTERNAL_ERROR).
  * Unknown paths are 404 and wrong methods 405, with an ``Error`` body; the per-record GET list
    is 404 on 2026-09; ``/crm/associations/v4/`` serves labels and limits only.
  * Object type names are matched case-insensitively, singular or plural.
  * Every request gets a reply (``server`` has the pipeline): malformed request lines 400 (also
    HTTP/0.9-style ones), over-long lines 414/431, broken framing 400 (a ``Content-Length``
    that is not plain digits, lengths that disagree, ``Transfer-Encoding`` with a length or
    not ending in ``chunked``, a bad chunk line, a body that ends early), other transfer
    codings 501, stalled requests 408, JSON nested deeper than 500 or holding more than a
    million values 400 (Jackson's own bound is 1,000 levels), bodies over 64 MiB 413 --
    checked after the token and the rate limit, before the body is read.  Ids are ASCII
    digits: ``"²"`` or ``"٣"`` are ids of no record.  Error bodies are the ``Error`` shape
    with category VALIDATION_ERROR (408 TIMEOUT, 501 NOT_IMPLEMENTED, 500 INTERNAL_ERROR).
"""

from __future__ import annotations

from hubframe.sandbox.core import Sandbox

__all__ = ["Sandbox"]
