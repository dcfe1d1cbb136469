"""How the read's messages name a row of the source.

A sheet's row is named by its number as the spreadsheet shows it (the header is row 1): the
number the read's ``row`` column holds.  A DataFrame's rows are numbered so too (its first
row is row 2), but an analyst looking at a frame reads "row 3" as ``df.loc[3]``: with an
index that is not 0, 1, 2... (``full.iloc[3:]``, a sorted frame) that is another row, and
even with one it is the row below.  So a DataFrame's row is named with its index label too:
``row 3 (index 4)`` (:func:`row_name`), as :class:`~hubframe.io.notes.EmptyRowsLeftOut` names
the rows it leaves out.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from hubframe.terminal import shown

#: The row number of a DataFrame's first row (its header is row 1, as a sheet's).
FIRST_ROW: Final = 2
#: At most this many characters of an index label are shown.
_LABEL_CHARS: Final = 60


def index_label(value: object) -> str:
    """An index label as a message shows it: a number as its digits (``4``, not
    ``np.int64(4)``), text and other labels as their ``repr`` (``'c'``, a MultiIndex's
    ``('a', 1)``)."""
    text = shown(tuple(map(_plain, value)) if isinstance(value, tuple) else _plain(value))
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 3] + "..."


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (its ``repr`` is ``np.int64(4)``)."""
    return value.item() if isinstance(value, np.generic) else value


def row_name(row: int, index: pd.Index | None) -> str:
    """The words after "row" naming sheet row ``row`` (position + 2 in a DataFrame) of a
    source: ``3`` for a file's row, ``3 (index 4)`` for a DataFrame's whose ``index`` (the
    frame's) labels that row 4."""
    number = int(row)
    if index is None or not 0 <= number - FIRST_ROW < len(index):
        return str(number)
    return f"{number} (index {index_label(index[number - FIRST_ROW])})"


__all__ = ["FIRST_ROW", "index_label", "row_name"]
