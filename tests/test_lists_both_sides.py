"""A row listing several ids on both sides is refused, naming the row.

``Deal ID = 101;102`` beside ``Contact ID = 201;202`` was split one side after the other into
every combination (four pairs, two of them never asked for), without a word.  Whether the
analyst meant every combination or the lists paired in order cannot be told, so reading stops
and names the rows.  A list on one side (a HubSpot export's ``Associated Contact IDs``, or a
deal with its contacts) is split as before, and a one-id list (``101;``) is one id.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError

DEALS = [str(2040000001 + i) for i in range(9)]
CONTACTS = [str(1019360001 + i) for i in range(9)]


def _csv(rows: list[tuple[str, str]]) -> bytes:
    frame = pd.DataFrame(rows, columns=["Deal ID", "Contact ID"])
    return frame.to_csv(index=False).encode()


def _xlsx(rows: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=["Deal ID", "Contact ID"]).to_excel(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize("make", [_csv, _xlsx])
def test_lists_on_both_sides_are_refused_naming_the_row(make) -> None:  # type: ignore[no-untyped-def]
    rows = [(DEALS[0], CONTACTS[0]), (f"{DEALS[1]};{DEALS[2]}", f"{CONTACTS[1]}; {CONTACTS[2]}")]
    with pytest.raises(InputError, match=r"row 3 holds several ';'-separated ids on both sides"):
        hf.read_pairs(make(rows))


cells = st.lists(st.sampled_from(range(9)), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cells, cells, st.booleans()), min_size=1, max_size=6))
def test_a_sheet_reads_as_its_pairs_or_is_refused(
    rows: list[tuple[list[int], list[int], bool]],
) -> None:
    """Each row: one or more deals, one or more contacts (a trailing ';' on a one-id list now
    and then).  Refused exactly when a row lists several distinct ids on both sides; otherwise
    one pair per id of each list, in order (an id written twice gives a repeated pair)."""
    written = []
    for deals, contacts, trailing in rows:
        deal = ";".join(DEALS[d] for d in deals) + (";" if trailing and len(deals) == 1 else "")
        written.append((deal, ";".join(CONTACTS[c] for c in contacts)))
    # several DISTINCT ids on both sides (an id written twice names one record: e022152)
    both = any(len(set(d)) > 1 and len(set(c)) > 1 for d, c, _ in rows)
    if both:
        with pytest.raises(InputError, match="on both sides"):
            hf.read_pairs(_csv(written))
        return
    pairs = hf.read_pairs(_csv(written))
    expected = [(DEALS[d], CONTACTS[c]) for ds, cs, _ in rows for d in ds for c in cs]
    assert list(zip(pairs["from_id"], pairs["to_id"], strict=True)) == expected
