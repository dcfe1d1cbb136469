"""A frame whose ``attrs["hubframe"]`` another program changed is refused by name or read as it
is -- never Python's AttributeError/TypeError from inside (hubframe.io.meta).

pandas carries ``attrs`` through copies; ``attrs["hubframe"] = 5``, a ``column_map`` set to a
list or ``original_columns`` to a number made associate, validate_pairs, export_report,
export_retry and summarize fail with a traceback (conform.py, table.py, summary.py, retry.py).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe
from hubframe.errors import HubframeError, InputError
from hubframe.io.meta import SHAPES, refuse_odd_meta
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, workbook_bytes

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")
ODD: list[Any] = [None, 5, "x", [], {}, [1, 2], {"a": 1}, np.nan, ["x"] * 3, b"x", pd.NA, {5: [1]}]


@pytest.fixture(scope="module")
def portal() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture(scope="module")
def frames(portal: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Frames as hubframe gives them: a multi-sheet read, a result, a journaled result, an
    export and its sheet read back, a sync's result."""
    client = client_for(portal)
    folder = tmp_path_factory.mktemp("meta")
    sheets = {
        "A": [["Deal ID", "Contact ID"], [str(DEALS[0]), str(CONTACTS[0])]],
        "B": [["Deal ID", "Contact ID", "Notes"], [str(DEALS[1]), str(CONTACTS[1]), "x"]],
    }
    pairs = hubframe.read_pairs(
        workbook_bytes(sheets), sheet="*", from_type="deals", to_type="contacts"
    )
    result = hubframe.associate(pairs, client, progress=False, journal=folder / "j.sqlite")
    export = hubframe.read_associations(
        client, "deals", "contacts", list(DEALS[:3]), progress=False
    )
    hubframe.write_pairs(export, folder / "e.xlsx")
    return {
        "pairs": pairs,
        "result": result,
        "export": export,
        "export_read": hubframe.read_pairs(folder / "e.xlsx"),
        "journal_read": hubframe.undo(folder / "j.sqlite", client, dry_run=True, progress=False),
        "sync": hubframe.sync(pairs, client, dry_run=True, progress=False),
    }


def _entries(frames: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    return sorted(
        (name, key) for name, frame in frames.items() for key in frame.attrs.get("hubframe", {})
    )


def _calls(portal: Sandbox, folder: Path) -> dict[str, Callable[[pd.DataFrame], object]]:
    client = client_for(portal)
    return {
        "validate": hubframe.validate_pairs,
        "read_pairs": hubframe.read_pairs,
        "associate": lambda f: hubframe.associate(f, client, dry_run=True, progress=False),
        "sync": lambda f: hubframe.sync(f, client, dry_run=True, progress=False),
        "summarize": hubframe.summarize,
        "export_report": lambda f: hubframe.export_report(f, folder / "r.xlsx"),
        "export_retry": lambda f: hubframe.export_retry(f, folder / "retry.xlsx"),
        "undo": lambda f: hubframe.undo(f, client, dry_run=True, progress=False),
    }


def _mutated(value: Any, odd: Any, deep: bool) -> Any:
    """``odd`` in place of ``value``, or (``deep``) in place of one of its items."""
    if not deep:
        return odd
    if isinstance(value, dict) and value:
        return {**value, next(iter(value)): odd}
    if isinstance(value, list | tuple) and value:
        return [odd, *list(value)[1:]]
    return odd


def _answered(call: Callable[[pd.DataFrame], object], frame: pd.DataFrame) -> None:
    with contextlib.suppress(HubframeError):
        call(frame)


@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_changed_notes_are_refused_or_read(
    portal: Sandbox,
    frames: dict[str, pd.DataFrame],
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    name, key = data.draw(st.sampled_from(_entries(frames)), label="entry")
    odd = data.draw(st.sampled_from(ODD), label="odd")
    deep = data.draw(st.booleans(), label="deep")
    call = data.draw(st.sampled_from(sorted(_calls(portal, Path(".")))), label="call")
    frame = frames[name].copy()
    frame.attrs = copy.deepcopy(frames[name].attrs)
    frame.attrs["hubframe"][key] = _mutated(frame.attrs["hubframe"][key], odd, deep)
    _answered(_calls(portal, tmp_path_factory.mktemp("calls"))[call], frame)


@pytest.mark.parametrize("notes", [5, "x", [1], None, np.nan], ids=repr)
def test_notes_that_are_no_mapping_are_refused_by_name(notes: Any) -> None:
    frame = hubframe.read_pairs(pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]}))
    frame.attrs["hubframe"] = notes
    if notes is None:  # no notes: a frame of another program
        hubframe.validate_pairs(frame)
        return
    with pytest.raises(InputError, match=r"attrs\['hubframe'\] is not what hubframe writes"):
        hubframe.validate_pairs(frame)


@pytest.mark.parametrize(
    ("key", "value"),
    [("column_map", [1, 2]), ("original_columns", 5), ("sheets_read", 5), ("kind", 5)],
)
def test_an_entry_of_another_shape_is_named(key: str, value: Any, tmp_path: Path) -> None:
    frame = hubframe.read_pairs(pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]}))
    frame.attrs["hubframe"][key] = value
    for call in (
        hubframe.validate_pairs,
        lambda f: hubframe.export_report(f.assign(status="planned"), tmp_path / "r.xlsx"),
        lambda f: hubframe.summarize(f.assign(status="planned", error_code=None)),
    ):
        with pytest.raises(InputError, match=rf"\['{key}'\]"):
            call(frame)
    assert list(tmp_path.iterdir()) == []


def test_every_entry_hubframe_writes_has_a_shape(frames: dict[str, pd.DataFrame]) -> None:
    """A new entry is added to SHAPES, and every frame hubframe gives passes its own check."""
    for name, frame in frames.items():
        refuse_odd_meta(frame, name)
        unknown = set(frame.attrs.get("hubframe", {})) - set(SHAPES)
        assert not unknown, (name, unknown)
