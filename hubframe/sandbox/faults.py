"""Seeded fault injection: server errors, throttling, locks (423), migrations (477), connection
resets, lost responses, and answers that say a batch is still being processed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

SERVER_ERROR_STATUSES = (500, 502, 503, 504)
#: HubSpot's error-handling guide: 423 Locked ("Locks will last for 2 seconds") and 477
#: Migration in Progress (a ``Retry-After`` header in seconds, "typically up to 24 hours").
LOCKED_STATUS = 423
MIGRATION_STATUS = 477
#: The batch envelope's ``status`` values that say the batch is not done yet (HubSpot's specs:
#: ``["CANCELED", "COMPLETE", "PENDING", "PROCESSING"]``).
PROCESSING_STATUSES = ("PROCESSING", "PENDING")
#: The endpoints a PROCESSING fault answers (the batch writes whose answer lists results);
#: other endpoints drawing it are answered as usual.
PROCESSING_ENDPOINTS = frozenset({"batch_create", "batch_default"})
_MESSAGES = {
    500: "internal error",
    502: "Bad Gateway: the upstream service did not answer in time",
    503: "Service Unavailable: please retry this request shortly",
    504: "Gateway Timeout: the request took too long to process",
}


class Fault(Enum):
    NONE = "none"
    SERVER_ERROR = "server_error"  # 5xx, nothing applied
    THROTTLE = "throttle"  # 429 TEN_SECONDLY_ROLLING, nothing applied
    RESET = "reset"  # connection reset (RST) before anything is applied
    LOST_RESPONSE = "lost_response"  # applied, then the connection drops without a reply
    PROCESSING = "processing"  # answered "PROCESSING" with no results; applied now or later
    LOCKED = "locked"  # 423 Locked, nothing applied
    MIGRATION = "migration"  # 477 Migration in Progress with Retry-After, nothing applied


def fault_options() -> tuple[str, ...]:
    """The options a fault plan takes (``faults=``, ``--faults``), in the order they are
    declared."""
    return tuple(f.name for f in fields(FaultPlan) if f.init)


@dataclass
class FaultPlan:
    """Rates of each fault kind, drawn from one seeded ``random.Random`` (caller holds a lock)."""

    server_error_rate: float = 0.0
    throttle_rate: float = 0.0
    reset_rate: float = 0.0
    lost_response_rate: float = 0.0
    #: A batch create or associate default answered at once with the envelope's ``status``
    #: ``processing_status`` and empty ``results`` (the HTTP status of a success), and applied
    #: ``processing_delay`` seconds later (0: before the answer).
    processing_rate: float = 0.0
    processing_delay: float = 0.0
    processing_status: str = "PROCESSING"
    #: 423 Locked and 477 Migration in Progress (nothing applied); a 477 carries
    #: ``Retry-After: migration_retry_after`` (seconds, a whole number as HubSpot sends).
    locked_rate: float = 0.0
    migration_rate: float = 0.0
    migration_retry_after: int = 1
    seed: int = 0
    #: Faults hit only the writes among the record-association endpoints (batch create,
    #: associate default, archive, labels archive, single PUT / DELETE), never their reads:
    #: a run's reads (the state before it, the checks after a lost answer) go through.
    writes_only: bool = False
    #: Faults hit the label and limit-configuration endpoints too (reads and writes, or only
    #: writes with ``writes_only``), not only the record-association ones.
    schema_paths: bool = False
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rates = (
            self.server_error_rate,
            self.throttle_rate,
            self.reset_rate,
            self.lost_response_rate,
            self.processing_rate,
            self.locked_rate,
            self.migration_rate,
        )
        if any(not 0.0 <= r <= 1.0 for r in rates):
            raise ValueError("fault rates must be between 0 and 1")
        if sum(rates) > 1.0:
            raise ValueError("fault rates must add up to at most 1")
        if not self.processing_delay >= 0:
            raise ValueError("processing_delay must be 0 or more seconds")
        retry_after = self.migration_retry_after
        if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
            raise ValueError("migration_retry_after must be a whole number of seconds, 0 or more")
        self.processing_status = str(self.processing_status).upper()
        if self.processing_status not in PROCESSING_STATUSES:
            raise ValueError(f"processing_status must be one of {', '.join(PROCESSING_STATUSES)}")
        self._rng = random.Random(self.seed)

    @classmethod
    def from_dict(cls, faults: dict[str, Any] | None) -> FaultPlan:
        faults = dict(faults or {})
        unknown = set(faults) - set(fault_options())
        if unknown:
            raise ValueError(f"unknown fault option(s): {', '.join(sorted(unknown))}")
        return cls(**faults)

    def hits(self, access: str, *, schema_path: bool = False) -> bool:
        """Whether an endpoint of this ``access`` ("read" / "write") draws faults: a
        record-association one, or a label or limit-configuration one (``schema_path``) when
        :attr:`schema_paths` says so."""
        if schema_path and not self.schema_paths:
            return False
        return access == "write" or not self.writes_only

    @property
    def active(self) -> bool:
        rates = self.server_error_rate + self.throttle_rate + self.reset_rate
        busy = self.locked_rate + self.migration_rate
        return rates + self.lost_response_rate + self.processing_rate + busy > 0

    def draw(self) -> tuple[Fault, int]:
        """The fault for the next eligible request, and a 5xx status when it is a server error."""
        if not self.active:
            return Fault.NONE, 0
        r = self._rng.random()
        status = self._rng.choice(SERVER_ERROR_STATUSES)
        for fault, rate in (
            (Fault.RESET, self.reset_rate),
            (Fault.THROTTLE, self.throttle_rate),
            (Fault.SERVER_ERROR, self.server_error_rate),
            (Fault.LOST_RESPONSE, self.lost_response_rate),
            (Fault.PROCESSING, self.processing_rate),
            (Fault.LOCKED, self.locked_rate),
            (Fault.MIGRATION, self.migration_rate),
        ):
            if r < rate:
                return fault, status
            r -= rate
        return Fault.NONE, 0


def server_error_message(status: int) -> str:
    return _MESSAGES.get(status, "internal error")


def busy_reply_parts(fault: Fault, retry_after: int) -> tuple[int, str, str, dict[str, str]]:
    """A LOCKED or MIGRATION fault's status, message, category and extra headers.  HubSpot's
    bodies for these are not documented: the ``Error`` shape with these words and categories
    is a guess (**unconfirmed**)."""
    if fault is Fault.LOCKED:
        return LOCKED_STATUS, "The resource is locked; retry in at least 2 seconds", "LOCKED", {}
    headers = {"Retry-After": str(retry_after)}
    message = "This account is being migrated between data hosting locations"
    return MIGRATION_STATUS, message, "MIGRATION_IN_PROGRESS", headers
