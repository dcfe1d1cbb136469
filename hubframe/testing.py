"""Testing with hubframe: pytest fixtures with a started sandbox, and builders tests share.

Enable the fixtures with ``pytest_plugins = ["hubframe.testing"]`` in a ``conftest.py``::

    def test_link(sandbox):
        client = hubframe.testing.client_for(sandbox)
        result = hubframe.associate(hubframe.testing.pairs_sheet([...]), client)

    def test_throttled(sandbox_factory):
        sb = sandbox_factory(rate_limit=(5, 1.0), seed=None)

Builders (as pyairtable's ``testing`` offers ``fake_record`` beside its fake server):
:func:`client_for` (a client for a sandbox, retrying fast), :func:`pairs_sheet` (a sheet of
deal -> contact pairs as analysts write it), :func:`xlsx_bytes` (a workbook from rows),
:func:`csv_upload` (a named CSV file in memory from rows),
:func:`demo_ids` (record ids the demo portal holds), :class:`FakeClock` (time that moves only
when told, for the rate limiter).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from hubframe.errors import UsageError
from hubframe.sandbox import Sandbox

if TYPE_CHECKING:
    from hubframe.hubspot.client import HubSpotClient

SandboxFactory = Callable[..., Sandbox]


def done_with(sb: Sandbox) -> None:
    """Stop ``sb`` and stop redacting the tokens it made.  Clients register their token for
    redaction for the whole process, and every sandbox makes a new one: a test suite that kept
    them all would search every report it writes for thousands of them.  A token the sandbox
    was given (``Sandbox(token=...)``) may be one the process still holds: it stays."""
    sb.stop()  # which forgets the tokens it made (Sandbox.stop)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A started ``Sandbox(seed="demo")``, done with after the test (:func:`done_with`)."""
    sb = Sandbox(seed="demo").start()
    try:
        yield sb
    finally:
        done_with(sb)


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    """Call with ``Sandbox`` keyword arguments; every sandbox made is started, and done with
    after the test (:func:`done_with`)."""
    made: list[Sandbox] = []

    def make(**kwargs: Any) -> Sandbox:
        sb = Sandbox(**kwargs).start()
        made.append(sb)
        return sb

    yield make
    for sb in made:
        done_with(sb)


def client_for(sb: Sandbox, api_version: str = "2026-03", **kwargs: Any) -> HubSpotClient:
    """A :class:`~hubframe.HubSpotClient` for ``sb`` (its token unless ``token=`` is given) that
    retries after 10-50 ms instead of seconds."""
    from hubframe.hubspot.client import HubSpotClient

    kwargs.setdefault("backoff_base", 0.01)
    kwargs.setdefault("backoff_cap", 0.05)
    token = kwargs.pop("token", sb.token)
    return HubSpotClient(token=token, base_url=sb.url, api_version=api_version, **kwargs)


def without_schemas(client: HubSpotClient) -> HubSpotClient:
    """``client`` whose custom object schemas list fails (a 500 after its retries), as for a
    portal where nothing says which custom object name is which type id."""
    from hubframe.errors import ServerError

    def refused() -> Any:
        raise ServerError("HubSpot answered 500 to the custom object schemas list")

    client.custom_object_types = refused  # type: ignore[method-assign]
    return client


def pairs_sheet(rows: Sequence[tuple[str, str, str]], *, notes: bool = False) -> pd.DataFrame:
    """Deal -> contact pairs as an analyst's sheet: ``Deal ID``, ``Contact ID``, ``Association
    label`` (and a ``Notes`` column of the analyst's own with ``notes=True``)."""
    sheet = {
        "Deal ID": [r[0] for r in rows],
        "Contact ID": [r[1] for r in rows],
        "Association label": [r[2] for r in rows],
    }
    if notes:
        sheet["Notes"] = [f"note {n}" for n in range(len(rows))]
    return pd.DataFrame(sheet)


def xlsx_bytes(rows: Sequence[Sequence[object]], *, title: str = "Sheet1") -> bytes:
    """A one-sheet workbook holding ``rows`` (the first is the header), as an upload gives it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_upload(rows: Sequence[Sequence[object]], name: str = "sheet.csv") -> io.BytesIO:
    """A CSV file in memory holding ``rows`` (the first is the header), named ``name`` as an
    upload or an open file is: the reader takes an export's object from a file name."""
    import csv

    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    source = io.BytesIO(text.getvalue().encode())
    source.name = name
    return source


def workbook_bytes(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook of several sheets (name -> rows, in order), as an upload gives it."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def demo_ids(object_type: str) -> tuple[int, ...]:
    """Ids of the records of one object type in ``Sandbox(seed="demo")``: ``deals``,
    ``contacts``, ``companies``, ``tickets`` or the custom object ``installations`` (also
    by its type id ``2-7350001``)."""
    from hubframe.sandbox import demo

    ids: dict[str, tuple[int, ...]] = {
        "deals": demo.DEAL_IDS,
        "contacts": demo.CONTACT_IDS,
        "companies": demo.COMPANY_IDS,
        "tickets": demo.TICKET_IDS,
        demo.INSTALLATIONS.name: demo.INSTALLATION_IDS,
        demo.INSTALLATIONS.type_id: demo.INSTALLATION_IDS,
    }
    if object_type not in ids:
        raise UsageError(
            f"the demo sandbox holds no records of {object_type!r}: use one of "
            f"{', '.join(repr(name) for name in ids)}"
        )
    return ids[object_type]


class FakeClock:
    """Time that moves only when told or when someone waits: ``RateLimiter(clock=fake,
    wait=fake.wait)`` paces requests in no real time, and tests read exact moments."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.waited: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def wait(self, condition: threading.Condition, seconds: float) -> None:
        """Instead of waiting on ``condition``: the time passes at once."""
        self.waited.append(seconds)
        self.now += seconds


__all__ = [
    "FakeClock",
    "SandboxFactory",
    "client_for",
    "csv_upload",
    "demo_ids",
    "pairs_sheet",
    "sandbox",
    "sandbox_factory",
    "without_schemas",
    "workbook_bytes",
    "xlsx_bytes",
]
