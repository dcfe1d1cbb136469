"""A column the analyst adds to a frame read by hubframe that marks rows to remove (io/conform's
marking check), in the shapes the first check missed or mis-read:

* the column added twice under one name (``pd.concat`` of two frames, a join): ``frame[name]``
  is a DataFrame, whose conversion failed and was taken for "cells no text reads", so the
  column was never looked at and remove_associations removed the rows it marked keep;
* a limits frame whose limit cell the analyst edited to "remove" on the row the added column
  marks remove: that row asks its removal (the check looked at the frame's ``remove`` column as
  read, before the edit, and refused it).
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, csv_upload, demo_ids

DEALS = [str(d) for d in demo_ids("deals")[20:24]]
CONTACTS = [str(c) for c in demo_ids("contacts")[80:84]]
TYPES = {"from_type": "deals", "to_type": "contacts"}


def _marked_twice(frame: pd.DataFrame, copies: int) -> pd.DataFrame:
    action = pd.DataFrame({"action": ["keep", "remove", "keep", "keep"]}, index=frame.index)
    return pd.concat([frame, *[action] * copies], axis=1)


@pytest.mark.parametrize("copies", [1, 2, 3])
@pytest.mark.parametrize("job", ["remove", "associate", "sync"])
def test_a_marking_column_under_a_repeated_name_stops_every_job(job: str, copies: int) -> None:
    with Sandbox(seed="demo") as sb:
        for deal, contact in zip(DEALS, CONTACTS, strict=True):
            sb.associate("deals", deal, "contacts", contact, None)
        sheet = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS})
        frame = _marked_twice(hf.read_pairs(sheet, **TYPES), copies)
        before = sb.associations("deals", "contacts")
        client = client_for(sb)
        with pytest.raises(hf.InputError, match=r'"action" marks rows to remove \(row 3\)'):
            if job == "remove":
                hf.remove_associations(frame, client, progress=False)
            elif job == "associate":
                hf.associate(frame, client, progress=False)
            else:
                hf.sync(frame, client, allow_removals=True, progress=False)
        assert sb.associations("deals", "contacts").equals(before)


def _limits() -> pd.DataFrame:
    rows = [
        ["From Type", "To Type", "Max"],
        ["deals", "contacts", "5"],
        ["deals", "companies", "3"],
    ]
    return hf.read_limits(csv_upload(rows, "limits.csv"))


def test_a_limit_edited_to_remove_beside_an_action_of_remove_is_the_removal_it_asks() -> None:
    frame = _limits()
    for column in ("max_to_object_ids", "Max"):
        frame[column] = frame[column].astype(object)
        frame.loc[frame.index[0], column] = "remove"
    frame["action"] = ["remove", "keep"]
    with Sandbox(seed="demo") as sb:
        plan = hf.configure_limits(frame, client_for(sb), dry_run=True, progress=False)
    assert plan["remove"].tolist() == [True, False], plan.to_dict("records")
    assert plan["error_code"].isna().all(), plan.to_dict("records")


def test_an_action_of_remove_beside_a_limit_not_edited_is_still_refused() -> None:
    frame = _limits()
    frame["action"] = ["remove", "keep"]
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        with pytest.raises(hf.InputError, match=r'"action" marks rows to remove \(row 2\)'):
            hf.configure_limits(frame, client, dry_run=True, progress=False)
