"""A removal row whose type id the pair does not list is refused, as associate refuses it.

Before: ``remove_associations`` kept a type id the pair's labels list does not hold (another
portal's id, the reverse direction's, another pair's), read the pair, found no link of that type
and answered ``skipped NOT_ASSOCIATED`` "... do not have the label "Decision maker" in HubSpot
(already removed?)" -- while the pair carried that very label; ``hubframe remove`` exited 0
with no retry file.  Validation, associate and sync called the same rows invalid
INVALID_ASSOCIATION_TYPE.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

DEALS = [2040000001 + i for i in range(4)]
CONTACTS = [1019360001 + i for i in range(4)]

# type id -> what it is here: deals -> contacts "Decision maker" is 1001 / its inverse 1002
UNLISTED = {1002: "the reverse direction's", 99999: "no type", 279: "contacts -> companies'"}


def _portal() -> Sandbox:
    sb = Sandbox(seed=None).start()
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    label = sb.add_label("deals", "contacts", "Decision maker", "Decision maker")
    for deal, contact in zip(DEALS, CONTACTS, strict=True):
        sb.associate("deals", deal, "contacts", contact, label)
    return sb


def _labels_held(sb: Sandbox) -> int:
    links = sb.associations("deals", "contacts")
    return int((links["type_id"].astype(int) == 1001).sum())


@pytest.mark.parametrize("type_id", sorted(UNLISTED))
@pytest.mark.parametrize("with_label", [False, True], ids=["type id", "label and type id"])
@pytest.mark.parametrize("dry_run", [False, True], ids=["run", "dry run"])
def test_a_type_id_the_pair_does_not_list_is_refused(
    type_id: int, with_label: bool, dry_run: bool
) -> None:
    sb = _portal()
    try:
        client = client_for(sb)
        sheet = pd.DataFrame(
            {"Deal ID": DEALS[:2], "Contact ID": CONTACTS[:2], "Type ID": [type_id, 1001]}
        )
        if with_label:
            sheet["Association label"] = ["Decision maker", "Decision maker"]
        pairs = hf.read_pairs(sheet, from_type="deals", to_type="contacts")
        result = hf.remove_associations(pairs, client, dry_run=dry_run, progress=False)
        bad, good = result.iloc[0], result.iloc[1]
        assert bad["status"] == "invalid", bad.to_dict()
        assert bad["error_code"] in ("INVALID_ASSOCIATION_TYPE", "LABEL_TYPE_MISMATCH"), (
            bad.to_dict()
        )
        assert "already removed" not in str(bad["error_message"]), bad.to_dict()
        assert good["status"] == ("planned" if dry_run else "success"), good.to_dict()
        checked = hf.validate_pairs(pairs, client)  # validation agrees: the first row only
        assert list(checked["code"].unique()) == [bad["error_code"]], checked.to_dict("records")
        assert _labels_held(sb) == (4 if dry_run else 3)  # the listed row's label alone went
    finally:
        sb.stop()


def test_the_command_line_exits_with_failure_and_a_retry_file(tmp_path: Path) -> None:
    from hubframe.cli import main

    sb = _portal()
    try:
        path = tmp_path / "remove.csv"
        pd.DataFrame({"Deal ID": DEALS[:1], "Contact ID": CONTACTS[:1], "Type ID": [1002]}).to_csv(
            path, index=False
        )
        report = tmp_path / "report.xlsx"
        code = main(
            [
                "remove", str(path), "--from", "deals", "--to", "contacts", "--base-url", sb.url,
                "--token", sb.token, "--no-progress", "--report", str(report),
            ]
        )  # fmt: skip
        assert code != 0
        results = pd.read_excel(report, sheet_name="Results", dtype=str)
        assert list(results["error_code"]) == ["INVALID_ASSOCIATION_TYPE"]
        assert _labels_held(sb) == 4
    finally:
        sb.stop()
