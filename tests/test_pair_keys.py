"""run/pairs._keys: one code per distinct (from type, to type, label, category, type id), in
order of first appearance, never two distinct keys merged -- also when the product of the
columns' distinct counts would leave int64 and the codes are renumbered on the way."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.run.pairs import _keys

FIELDS = ("from_type", "to_type", "label", "category", "type_id")


def _frame(rows: list[tuple[object, ...]], text: object = "string") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(FIELDS))
    for name in FIELDS[:4]:
        column = frame[name].astype(text)
        frame[name] = column.where(frame[name].notna(), None) if text is object else column
    frame["type_id"] = frame["type_id"].astype("Int64")
    return frame


def _check(frame: pd.DataFrame, rows: list[int] | None = None) -> None:
    """``rows``: the rows still open (in order), some or all of them."""
    picked = np.arange(len(frame), dtype=np.int64) if rows is None else np.array(rows, np.int64)
    codes, keys = _keys(frame, picked)
    plain = [
        tuple(
            None if pd.isna(v) else (int(v) if n == "type_id" else v)
            for n, v in zip(FIELDS, r, strict=True)
        )
        for r in frame.iloc[picked].itertuples(index=False)
    ]
    expected = list(dict.fromkeys(plain))
    assert keys == expected
    assert [keys[c] for c in codes.tolist()] == plain


def test_every_column_distinct_past_int64() -> None:
    n = 7_000  # (n + 1) ** 5 > 2 ** 63: without renumbering the product leaves int64
    rows = [(f"t{i}", f"u{i}", f"label {i}", f"CAT{i}", i) for i in range(n)]
    frame = _frame(rows + rows[::7])  # and repeats of some of them
    _check(frame)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["string", "str", object]),  # as read_pairs gives them, or a user's frame
    st.lists(
        st.tuples(
            st.sampled_from(["deals", "contacts", None]),
            st.sampled_from(["contacts", "companies"]),
            st.one_of(st.none(), st.text(max_size=3)),
            st.sampled_from(["USER_DEFINED", "HUBSPOT_DEFINED", None]),
            st.one_of(st.none(), st.integers(1, 5)),
        ),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_codes_follow_first_appearance(
    text: object, rows: list[tuple[object, ...]], open_rows: list[bool]
) -> None:
    """All rows, and the rows still open after some were settled (few or most of them: coded
    from a take of the rows, or whole and then taken)."""
    frame = _frame(rows, text)
    _check(frame)
    still_open = [n for n in range(len(rows)) if open_rows[n]]
    if still_open:  # none open: prepare_pairs returns before coding any
        _check(frame, still_open)


def test_constant_and_empty_columns() -> None:
    for text in ("string", "str", object):
        _check(_frame([("deals", "contacts", None, None, None)] * 5, text))
        _check(
            _frame(
                [("deals", "contacts", "", None, 3)] * 4 + [("deals", "contacts", "", "X", 3)], text
            )
        )
