"""``columns=`` that names two columns for one field, or one column for two fields, is refused
before anything is read or sent.

Before, ``{"Primary Contact": "to_id", "Secondary Contact": "to_id"}`` kept the last silently
(the primary contacts left out), and ``{"Deal": "from_id", "to_id": "Deal"}`` read the deal id
as both sides: a dry run planned ``deals 2040000001 -> contacts 2040000001``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.io.columns import HeaderError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL = str(demo_ids("deals")[0])
FIRST, SECOND = (str(c) for c in demo_ids("contacts")[:2])
SHEET = pd.DataFrame({"Deal": [DEAL], "Primary Contact": [FIRST], "Secondary Contact": [SECOND]})
TYPES: dict[str, Any] = {"from_type": "deals", "to_type": "contacts"}


@pytest.mark.parametrize(
    "columns",
    [
        {"Deal": "from_id", "Primary Contact": "to_id", "Secondary Contact": "to_id"},
        {"Deal": "from_id", "to_id": "Primary Contact", "Secondary Contact": "to_id"},
        {"from_id": "Deal", "Primary Contact": "to_id", "secondary contact": "to_id"},
    ],
)
def test_two_columns_for_one_field_are_refused_naming_both(columns: dict[str, str]) -> None:
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(SHEET, columns=columns, **TYPES)
    message = str(caught.value)
    assert "'Primary Contact'" in message and "'Secondary Contact'" in message
    assert "'to_id'" in message


@pytest.mark.parametrize(
    "columns",
    [
        {"Deal": "from_id", "to_id": "Deal"},
        {"from_id": "Deal", "to_id": "Deal"},
        {"Deal": "from_id", "to_id": "deal"},  # one column however it is spelled
        {"Deal": "from_id", "Primary Contact": "to_id", "label": "Deal"},
    ],
)
def test_one_column_for_two_fields_is_refused(columns: dict[str, str]) -> None:
    with pytest.raises(HeaderError, match="'Deal' for both 'from_id' and"):
        hf.read_pairs(SHEET, columns=columns, **TYPES)


def test_nothing_is_planned_or_sent_with_such_a_choice() -> None:
    with Sandbox(seed="demo") as sb:
        before = sb.associations("deals", "contacts")
        for dry_run in (True, False):
            with pytest.raises(HeaderError):
                hf.associate(
                    hf.read_pairs(SHEET, columns={"Deal": "from_id", "to_id": "Deal"}, **TYPES),
                    client_for(sb),
                    dry_run=dry_run,
                    progress=False,
                )
        assert sb.associations("deals", "contacts").equals(before)


def test_the_app_is_told_in_its_dropdowns_words() -> None:
    with pytest.raises(HeaderError) as caught:
        hf.read_pairs(SHEET, columns={"Deal": "from_id", "to_id": "Deal"}, syntax="app", **TYPES)
    message = str(caught.value)
    assert '"From record ID"' in message and '"To record ID"' in message
    assert "columns=" not in message


def test_a_limits_sheets_two_max_columns_are_refused() -> None:
    sheet = pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": [5], "Max (new)": [3]})
    with pytest.raises(HeaderError, match=r"'Max'.*'Max \(new\)'"):
        hf.read_limits(
            sheet, columns={"Max": "max_to_object_ids", "Max (new)": "max_to_object_ids"}
        )


def test_distinct_choices_read_as_chosen() -> None:
    frame = hf.read_pairs(SHEET, columns={"Deal": "from_id", "Secondary Contact": "to_id"}, **TYPES)
    assert frame["from_id"].tolist() == [DEAL] and frame["to_id"].tolist() == [SECOND]
