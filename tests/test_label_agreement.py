"""A row whose label and type id name different association types is refused by every job that
resolves labels (associate, remove, limits, validate online, sync): ``invalid``,
``LABEL_TYPE_MISMATCH``, nothing sent for it.  Before, associate sent the type id and reported
the row's label beside it: a silent write of another label than the sheet shows.

The class is tested, not a case: every written label (exact, respelled, unlabeled words, a
typo, empty) against every type id of the pair, in the three API versions, under each sandbox
profile, with the portal compared to what was reported."""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.constants import UNLABELED_NAMES
from hubframe.io import read_limits
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import CONTACT_IDS, DEAL_IDS
from hubframe.testing import client_for

pytestmark = pytest.mark.profiles

#: What a sheet may write in a label cell: exact names, respellings, the unlabeled words, a typo.
WRITTEN = (
    "Decision maker",
    "  DECISION   maker ",
    "Champion",
    "champion",
    "Budget holder",
    "budget HOLDER",
    "",
    "default",
    "Unlabeled",
    "Decison maker",
)


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def _agree(written: str, label: str | None) -> bool:
    """The oracle: an empty cell defers to the type id; otherwise the names must match."""
    if not _squash(written):
        return True
    if label is None:
        return _squash(written) in UNLABELED_NAMES
    return _squash(written) == _squash(label)


def _types(sandbox: Sandbox) -> list[tuple[int, str | None]]:
    listed = client_for(sandbox).list_labels("deals", "contacts")
    return [(int(d["typeId"]), d.get("label") or None) for d in listed]


def _grid(sandbox: Sandbox) -> tuple[pd.DataFrame, list[bool]]:
    """Every written label against every type id, each row on a pair of its own."""
    rows, agree = [], []
    for n, (written, (type_id, label)) in enumerate(
        (w, t) for w in WRITTEN for t in _types(sandbox)
    ):
        rows.append((str(DEAL_IDS[n]), str(CONTACT_IDS[n]), written, type_id))
        agree.append(_agree(written, label))
    sheet = pd.DataFrame(rows, columns=["Deal ID", "Contact ID", "Association label", "type_id"])
    return sheet, agree


def _links(sandbox: Sandbox) -> set[tuple[str, str, int]]:
    frame = sandbox.associations("deals", "contacts")
    return set(zip(frame["from_id"], frame["to_id"], frame["type_id"].astype(int), strict=True))


@pytest.mark.parametrize("api_version", ["2026-03", "2026-09", "v4"])
def test_associate_sends_a_row_only_when_its_label_and_type_id_agree(
    sandbox: Sandbox, api_version: str
) -> None:
    sheet, agree = _grid(sandbox)
    assert any(agree) and not all(agree)
    before = _links(sandbox)
    result = hf.associate(sheet, client_for(sandbox, api_version), progress=False)
    assert len(result) == len(sheet)
    for n, ok in enumerate(agree):
        row = result.iloc[n]
        if ok:
            assert row["status"] == "success", (n, row["error_code"], row["error_message"])
        else:
            assert (row["status"], row["error_code"]) == ("invalid", "LABEL_TYPE_MISMATCH"), n
            assert str(sheet.loc[n, "type_id"]) in row["error_message"]
    after = _links(sandbox)
    touched = {(f, t) for f, t, _ in after - before}
    for n, ok in enumerate(agree):
        deal, contact, _, type_id = sheet.iloc[n]
        if ok:
            assert (deal, contact, int(type_id)) in after, n
        else:
            assert (deal, contact) not in touched, n  # nothing at all was written for it
            assert (deal, contact, int(type_id)) not in after - before, n


def test_validate_online_flags_the_rows_the_run_refuses(sandbox: Sandbox) -> None:
    sheet, agree = _grid(sandbox)
    issues = hf.validate_pairs(hf.read_pairs(sheet), client_for(sandbox))
    flagged = set(issues.loc[issues["code"] == "LABEL_TYPE_MISMATCH", "row"].astype(int))
    assert flagged == {n + 2 for n, ok in enumerate(agree) if not ok}  # header = row 1


def test_remove_refuses_a_mismatched_row_and_keeps_the_association(sandbox: Sandbox) -> None:
    types = dict((label, type_id) for type_id, label in _types(sandbox))
    deal, contact = str(DEAL_IDS[0]), str(CONTACT_IDS[0])
    sandbox.associate("deals", deal, "contacts", contact, types["Champion"])
    before = _links(sandbox)
    sheet = pd.DataFrame(
        {"Deal ID": [deal], "Contact ID": [contact], "Association label": ["Decision maker"],
         "type_id": [types["Champion"]]}
    )  # fmt: skip
    result = hf.remove_associations(sheet, client_for(sandbox), progress=False)
    assert (result.loc[0, "status"], result.loc[0, "error_code"]) == (
        "invalid",
        "LABEL_TYPE_MISMATCH",
    )
    assert _links(sandbox) == before


def test_a_limit_row_whose_label_and_type_id_disagree_is_not_sent(sandbox: Sandbox) -> None:
    types = dict((label, type_id) for type_id, label in _types(sandbox))
    before = sandbox.limits("deals", "contacts")
    sheet = pd.DataFrame(
        {
            "from_type": ["deals", "deals"],
            "to_type": ["contacts", "contacts"],
            "label": ["Champion", "Champion"],
            "type_id": [types["Decision maker"], types["Champion"]],
            "max_to_object_ids": [7, 9],
        }
    )
    result = hf.configure_limits(read_limits(sheet), client_for(sandbox), progress=False)
    assert result["error_code"].tolist()[0] == "LABEL_TYPE_MISMATCH"
    assert result["status"].tolist() == ["invalid", "success"]
    after = sandbox.limits("deals", "contacts")
    decision = after.loc[after["label"] == "Decision maker", "max_to_object_ids"].tolist()
    assert decision == before.loc[before["label"] == "Decision maker", "max_to_object_ids"].tolist()
    assert after.loc[after["label"] == "Champion", "max_to_object_ids"].tolist() == [9]
