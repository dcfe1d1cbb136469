"""Odd objects a DataFrame cell may hold, for the tests that every reader, job and writer
refuses them by name (an InputError, or the row's issue) or writes them as their text, and
never fails with Python's own error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from hubframe.errors import HubframeError


class NoText:
    """An object whose ``str`` fails."""

    def __str__(self) -> str:
        raise RuntimeError("no text")


def with_cell(frame: pd.DataFrame, column: str, value: Any) -> pd.DataFrame:
    """A copy of ``frame`` whose ``column`` holds ``value`` in its first row (as object)."""
    edited = frame.copy()
    cells = edited[column].astype(object).tolist()
    cells[0] = value
    edited[column] = pd.Series(cells, index=edited.index, dtype=object)
    return edited


def edits(
    frame: pd.DataFrame, columns: list[str], values: list[Any]
) -> Iterator[tuple[str, pd.DataFrame]]:
    """``(case, frame)`` for each column holding each value."""
    for column in columns:
        for value in values:
            yield f"{column} = {type(value).__name__}", with_cell(frame, column, value)


def refused_or_done(call: Callable[[], object], case: str) -> None:
    """``call()`` ends, or raises a HubframeError; anything else fails the test naming ``case``."""
    try:
        call()
    except HubframeError:
        pass
    except Exception as exc:  # the defect these tests are for
        pytest.fail(f"{case}: {type(exc).__name__}: {exc}")
