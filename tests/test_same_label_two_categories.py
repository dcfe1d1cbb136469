"""A pair holding HubSpot's "Primary" and a user label also named "Primary" is two
associations: rows giving the label with each category are not in conflict.

Before, the rows an export writes for such a pair (``Primary HUBSPOT_DEFINED 5`` and
``Primary USER_DEFINED 1019``) were both ``invalid``, ``CONFLICTING_ROWS`` ("Keep one of the two
rows"): the unedited export was refused by its own sync, associate and remove, and keeping one
row as the message advised made a sync remove the other label.  Rows of one label in one
category (or both without one) that give two type ids are still in conflict.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEAL, COMPANY = 2040000001, 3120000001


def _state(sb: Sandbox) -> set[tuple[str, int]]:
    rows = sb.associations("deals", "companies")
    mine = rows[rows["from_id"].astype(str) == str(DEAL)]
    return {(str(c), int(t)) for c, t in zip(mine["to_id"], mine["type_id"], strict=True)}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_unedited_export_of_both_primaries_syncs_as_kept(suffix: str, tmp_path: Path) -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        mine = sb.add_label("deals", "companies", "Primary")
        sb.associate("deals", DEAL, "companies", COMPANY, 5)
        sb.associate("deals", DEAL, "companies", COMPANY, mine)
        before = _state(sb)
        export = hf.read_associations(client, "deals", "companies", ids=[DEAL], progress=False)
        assert sorted(export["category"]) == ["HUBSPOT_DEFINED", "USER_DEFINED"]
        path = hf.write_pairs(export, tmp_path / f"export{suffix}")
        back = hf.read_pairs(path)
        assert hf.validate_pairs(back).empty
        assert hf.validate_pairs(back, client).empty
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            synced = hf.sync(path, client, allow_removals=True, progress=False)
        assert synced["change"].tolist() == ["keep", "keep"]
        assert synced["error_code"].tolist() == ["ALREADY_ASSOCIATED"] * 2
        assert _state(sb) == before


def test_both_primaries_are_created_and_removed_by_their_rows() -> None:
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        mine = sb.add_label("deals", "companies", "Primary")
        rows = [
            ("deals", str(DEAL), "companies", str(COMPANY), "Primary", "HubSpot defined"),
            ("deals", str(DEAL), "companies", str(COMPANY), "Primary", "user defined"),
        ]
        names = ["From Type", "From ID", "To Type", "To ID", "Label", "Category"]
        sheet = hf.read_pairs(pd.DataFrame(rows, columns=names, dtype=object))
        before = _state(sb)
        made = hf.associate(sheet, client, progress=False)
        assert made["status"].tolist() == ["success", "success"], made["error_message"].tolist()
        assert {5, mine} <= {t for c, t in _state(sb) if c == str(COMPANY)}
        gone = hf.remove_associations(sheet, client, progress=False)
        assert gone["status"].tolist() == ["success", "success"], gone["error_message"].tolist()
        assert {t for c, t in _state(sb) if c == str(COMPANY)} <= {341}
        assert _state(sb) - {(str(COMPANY), 341)} == before - {(str(COMPANY), 341)}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("5", "HUBSPOT_DEFINED"), ("7", "HUBSPOT_DEFINED")),
        (("1019", "USER_DEFINED"), ("1021", "USER_DEFINED")),
        (("5", ""), ("1019", "")),
    ],
)
def test_one_label_in_one_category_with_two_type_ids_is_still_a_conflict(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    rows = [
        ("deals", str(DEAL), "companies", str(COMPANY), "Primary", *first),
        ("deals", str(DEAL), "companies", str(COMPANY), "Primary", *second),
    ]
    names = ["From Type", "From ID", "To Type", "To ID", "Label", "Type ID", "Category"]
    sheet = hf.read_pairs(pd.DataFrame(rows, columns=names, dtype=object))
    issues = hf.validate_pairs(sheet)
    assert issues["code"].tolist() == ["CONFLICTING_ROWS"] * 2
