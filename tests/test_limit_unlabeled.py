"""The object limit is one limit however a row names it: an empty label, "Unlabeled",
"default", or the unlabeled type's id (a custom pair's too).

Two rows naming it differently and asking different limits were not a conflict: validation
took "Unlabeled" for a label above the object limit (a wrong LABEL_LIMIT_ABOVE_OBJECT_LIMIT,
the row held back) and the other row was sent alone; a custom pair's unlabeled type id, which
validation cannot know offline, did the same.  Both rows are now CONFLICTING_ROWS and neither
is sent; a label limit above an object limit written "Unlabeled" is still caught.
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

VERSIONS = ["2026-03", "2026-09", "v4"]
NAMES = ["", "Unlabeled", "default", " unlabeled ", "(no label)", "type id"]


def _sheet(to_type: str, rows: list[tuple[str, int]], type_id: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "From": ["deals"] * len(rows),
            "To": [to_type] * len(rows),
            "Label": [pd.NA if n in ("", "type id") else n for n, _ in rows],
            "Type ID": [str(type_id) if n == "type id" else pd.NA for n, _ in rows],
            "Max": [str(v) for _, v in rows],
        }
    )
    return hf.read_limits(frame)


@pytest.mark.parametrize("first", NAMES[:-1])
@pytest.mark.parametrize("second", NAMES)
@pytest.mark.parametrize("values", [(5, 7), (7, 5)])
def test_validation_takes_every_name_for_the_object_limit(
    first: str, second: str, values: tuple[int, int]
) -> None:
    sheet = _sheet("contacts", [(first, values[0]), (second, values[1])], 3)
    codes = set(hf.validate_limits(sheet)["code"])
    assert "LABEL_LIMIT_ABOVE_OBJECT_LIMIT" not in codes


@pytest.mark.parametrize("name", NAMES)
def test_a_label_above_the_object_limit_however_written_is_caught(name: str) -> None:
    sheet = _sheet("contacts", [(name, 5)], 3)
    labels = hf.read_limits(
        pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Label": ["Champion"], "Max": ["9"]})
    )
    issues = hf.validate_limits(pd.concat([sheet, labels], ignore_index=True).assign(row=[2, 3]))
    assert issues["code"].tolist() == ["LABEL_LIMIT_ABOVE_OBJECT_LIMIT"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("to_type", ["contacts", "2-7350001"])
@pytest.mark.parametrize(
    ("first", "second"),
    [("", "Unlabeled"), ("default", "type id"), ("", "type id"), ("type id", "")],
)
@pytest.mark.parametrize("values", [(5, 7), (7, 5), (6, 6)])
def test_two_names_of_the_object_limit_are_one_limit(
    version: str, to_type: str, first: str, second: str, values: tuple[int, int]
) -> None:
    with Sandbox(seed="demo") as sb:
        type_id = sb.type_id("deals", to_type)
        sb.set_limit("deals", to_type, 25, type_id=type_id)
        sheet = _sheet(to_type, [(first, values[0]), (second, values[1])], type_id)
        client = client_for(sb, version)
        planned = hf.configure_limits(sheet, client, dry_run=True)
        result = hf.configure_limits(sheet, client, progress=False)
        held = sb.limits("deals", to_type)
    now = dict(zip(held["type_id"].astype(int), held["max_to_object_ids"], strict=True))
    if values[0] != values[1]:
        assert planned["error_code"].tolist() == ["CONFLICTING_ROWS"] * 2
        assert result["error_code"].tolist() == ["CONFLICTING_ROWS"] * 2, result
        assert now[type_id] == 25
    else:
        assert result["status"].tolist() == ["success", "duplicate"], result
        assert now[type_id] == values[0]
