"""The ``seed="demo"`` portal: a small, realistic, fully deterministic CRM.

``sample_data/generate.py`` builds the sample sheets from the constants here, so the sheets and
the demo portal always agree.  Ids are 11 digits like real HubSpot record ids.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from hubframe.constants import USER_DEFINED
from hubframe.sandbox.behaviour import TypeIds
from hubframe.sandbox.objects import CustomObject
from hubframe.sandbox.portal import AssocDef, Portal

PORTAL_ID: Final = 24681357

DEAL_IDS: Final = tuple(range(2040000001, 2040000001 + 80))
CONTACT_IDS: Final = tuple(range(1019360001, 1019360001 + 240))
COMPANY_IDS: Final = tuple(range(3120000001, 3120000001 + 48))
TICKET_IDS: Final = tuple(range(5150000001, 5150000001 + 24))
INSTALLATION_IDS: Final = tuple(range(4710000001, 4710000001 + 30))

INSTALLATIONS: Final = CustomObject("2-7350001", "installations", "installation")
INSTALLATIONS_ASSOCIATED_WITH: Final = ("deals", "companies", "contacts")


class DemoLabel(NamedTuple):
    from_type: str
    to_type: str
    name: str
    label: str
    inverse_label: str | None
    #: The type ids the demo portal gives this label under the default (global) type ids;
    #: under ``type_ids="per_pair"`` ask the sandbox: ``sb.type_id("deals", "contacts", label)``.
    type_id: int
    inverse_type_id: int


_DC, _CC = ("deals", "contacts"), ("contacts", "companies")
DEMO_LABELS: Final = (
    DemoLabel(*_DC, "decision_maker", "Decision maker", "Decision maker", 1001, 1002),
    DemoLabel(*_DC, "champion", "Champion", None, 1003, 1004),
    DemoLabel(*_DC, "budget_holder", "Budget holder", None, 1005, 1006),
    DemoLabel(*_CC, "employee_employer", "Employee", "Employer", 1007, 1008),
    DemoLabel(*_CC, "former_employee", "Former employee", "Former employer", 1009, 1010),
    DemoLabel("deals", "companies", "reseller", "Reseller", None, 1011, 1012),
)
DECISION_MAKER: Final = DEMO_LABELS[0]
CHAMPION: Final = DEMO_LABELS[1]
BUDGET_HOLDER: Final = DEMO_LABELS[2]
EMPLOYEE: Final = DEMO_LABELS[3]
FORMER_EMPLOYEE: Final = DEMO_LABELS[4]
RESELLER: Final = DEMO_LABELS[5]
# Unlabeled USER_DEFINED types of the custom object, forward/reverse, per associated type.
INSTALLATION_TYPE_IDS: Final = {
    "deals": (1013, 1014),
    "companies": (1015, 1016),
    "contacts": (1017, 1018),
}


class DemoLimit(NamedTuple):
    from_type: str
    to_type: str
    category: str
    type_id: int
    label: str | None
    max_to_object_ids: int


DEMO_LIMITS: Final = (
    DemoLimit("deals", "contacts", "HUBSPOT_DEFINED", 3, None, 25),
    DemoLimit("deals", "contacts", USER_DEFINED, DECISION_MAKER.type_id, "Decision maker", 2),
    DemoLimit("contacts", "companies", USER_DEFINED, EMPLOYEE.type_id, "Employee", 1),
)

# Existing associations: (from_type, from_id, to_type, to_id, type_id or None = unlabeled).
_Assoc = tuple[str, int, str, int, int | None]


def _existing() -> tuple[_Assoc, ...]:
    out: list[_Assoc] = [
        ("deals", 2040000001, "contacts", 1019360001, DECISION_MAKER.type_id),
        ("deals", 2040000001, "contacts", 1019360002, DECISION_MAKER.type_id),
        ("deals", 2040000002, "contacts", 1019360003, CHAMPION.type_id),
        ("deals", 2040000003, "contacts", 1019360004, None),
    ]
    for i in range(10):  # the first ten contacts work at the first two companies
        out.append(("contacts", CONTACT_IDS[i], "companies", COMPANY_IDS[i // 5], EMPLOYEE.type_id))
    for i in range(5):
        out.append(("deals", DEAL_IDS[i], "companies", COMPANY_IDS[i], None))
    for i in range(3):
        out.append(("deals", DEAL_IDS[i], INSTALLATIONS.type_id, INSTALLATION_IDS[i], None))
    return tuple(out)


DEMO_ASSOCIATIONS: Final = _existing()

_FIRST = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Mateo",
    "Amelia", "James", "Harper", "Leo", "Chloe", "Arjun", "Yuki", "Fatima", "Jonas", "Ines",
)  # fmt: skip
_LAST = (
    "Martin", "Nguyen", "Schmidt", "Garcia", "Okafor", "Rossi", "Kowalski", "Dubois", "Silva",
    "Tanaka", "Johansson", "Murphy", "Haddad", "Novak", "Fischer", "Costa",
)  # fmt: skip
_COMPANY_WORDS = (
    "Northwind", "Bluefin", "Cedar", "Helix", "Lumen", "Orbit", "Pioneer", "Quartz",
    "Redwood", "Summit", "Tidal", "Vertex",
)  # fmt: skip
_COMPANY_KINDS = ("Analytics", "Logistics", "Health", "Foods")
_DEAL_KINDS = ("Renewal", "Expansion", "New business", "Pilot", "Upsell")
_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "contractsent")


def company_name(i: int) -> str:
    return f"{_COMPANY_WORDS[i % 12]} {_COMPANY_KINDS[(i // 12) % 4]}"


def company_properties() -> list[dict[str, str]]:
    out = []
    for i in range(len(COMPANY_IDS)):
        name = company_name(i)
        domain = name.lower().replace(" ", "") + ".example.com"
        out.append({"name": name, "domain": domain})
    return out


def contact_properties() -> list[dict[str, str]]:
    out = []
    for i in range(len(CONTACT_IDS)):
        first, last = _FIRST[i % 20], _LAST[(i * 7 + i // 20) % 16]
        company = company_name(i // 5 % len(COMPANY_IDS))
        domain = company.lower().replace(" ", "") + ".example.com"
        email = f"{first.lower()}.{last.lower()}{i}@{domain}"
        out.append({"firstname": first, "lastname": last, "email": email, "company": company})
    return out


def deal_properties() -> list[dict[str, str]]:
    out = []
    for i in range(len(DEAL_IDS)):
        name = f"{company_name(i % len(COMPANY_IDS))} - {_DEAL_KINDS[i % 5]} {2026 + i % 2}"
        amount = str(5000 + (i * 7919) % 95000)
        out.append({"dealname": name, "amount": amount, "dealstage": _STAGES[i % 4]})
    return out


def ticket_properties() -> list[dict[str, str]]:
    return [{"subject": f"Support request #{i + 1}"} for i in range(len(TICKET_IDS))]


def installation_properties() -> list[dict[str, str]]:
    return [{"site_name": f"Site {i + 1:02d}"} for i in range(len(INSTALLATION_IDS))]


def populate(portal: Portal) -> None:
    """Fill an empty portal with the demo data (caller holds the lock)."""
    records = (
        ("deals", DEAL_IDS, deal_properties()),
        ("contacts", CONTACT_IDS, contact_properties()),
        ("companies", COMPANY_IDS, company_properties()),
        ("tickets", TICKET_IDS, ticket_properties()),
    )
    for type_name, ids, props in records:
        portal.add_records(portal.kind(type_name), ids, props)
    created: dict[int, AssocDef] = {}  # demo (global) type id -> the definition made
    for spec in DEMO_LABELS:
        fk, tk = portal.kind(spec.from_type), portal.kind(spec.to_type)
        forward, backward = portal.add_label(fk, tk, spec.name, spec.label, spec.inverse_label)
        created.update({spec.type_id: forward, spec.inverse_type_id: backward})
    portal.add_custom_object(INSTALLATIONS, INSTALLATIONS_ASSOCIATED_WITH)
    installations = portal.kind(INSTALLATIONS.type_id)
    portal.add_records(installations, INSTALLATION_IDS, installation_properties())
    for limit in DEMO_LIMITS:
        d = _demo_def(portal, limit.from_type, limit.to_type, limit.type_id, created)
        assert portal.set_limit(d, limit.max_to_object_ids, create=True) is None
    for from_type, from_id, to_type, to_id, type_id in DEMO_ASSOCIATIONS:
        fk, tk = portal.kind(from_type), portal.kind(to_type)
        types = [_demo_def(portal, from_type, to_type, type_id, created)] if type_id else []
        assert portal.associate(fk, tk, (from_id, to_id), types, enforce=False) is None
    if portal.behaviour.type_ids is TypeIds.GLOBAL:
        assert all(d.type_id == type_id for type_id, d in created.items())


def _demo_def(
    portal: Portal, from_type: str, to_type: str, type_id: int, created: dict[int, AssocDef]
) -> AssocDef:
    """The definition a demo type id names: a label made here, or a HubSpot-defined type."""
    if type_id in created:
        return created[type_id]
    d = portal.def_by_type(portal.kind(from_type), portal.kind(to_type), type_id)
    assert d is not None, (from_type, to_type, type_id)
    return d
