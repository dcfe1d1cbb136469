"""An undo's rows never tell the analyst to run the retry file.

An undo's retry file ("To remove") is run by ``hubframe remove``, which takes only the label of
a labeled row whose pair the undo removes whole; yet an undo row whose removal met a server
error or a lost answer said "Run the retry file: sending it again is safe", and doing so left
the run's links in the portal.  Such a row says to run the undo again (it takes back only what
is still there), and running it again does take the run back.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(d) for d in demo_ids("deals")[30:42]]
CONTACTS = [str(c) for c in demo_ids("contacts")[130:142]]


@pytest.mark.parametrize("seed", seeds(4))
def test_an_undo_under_faults_says_to_undo_again_and_that_works(seed: int) -> None:
    with Sandbox(seed="demo") as sb:
        before = sb.associations("deals", "contacts")
        sheet = pd.DataFrame({"Deal ID": DEALS, "Contact ID": CONTACTS, "Label": "Champion"})
        client = client_for(sb, backoff_base=0.01)
        result = hf.associate(hf.read_pairs(sheet), client, progress=False, record_existing=True)
        sb.set_faults(server_error_rate=0.5, reset_rate=0.3, seed=seed)
        undone = hf.undo(result, client, progress=False, batch_size=3)
        sb.set_faults()
        said = undone["error_message"].dropna().astype(str)
        assert not said.str.contains("retry file").any(), said.tolist()
        left = undone[~undone["status"].isin(["success", "skipped"])]
        assert left["error_message"].astype(str).str.contains("Run the undo again").all(), left
        again = hf.undo(result, client, progress=False)
        assert set(again["status"]) <= {"success", "skipped"}, again
        now = sb.associations("deals", "contacts")
        assert len(now) == len(before), (len(now), len(before))
