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


@pytest.mark.parametrize(
    ("message", "told"),
    [
        (
            "HubSpot may still apply it. Run the retry file: sending it again is safe.",
            "HubSpot may still apply it. Run the undo again (of the same report or journal): "
            "it takes back only what is still there.",
        ),
        (  # a row's message quoted inside another's, as an unknown outcome retried says it
            "a retry did not apply the row (the read failed. Run the retry file: sending it "
            "again is safe), but an earlier attempt may have applied it. Check later, or run "
            "the retry file later.",
            "a retry did not apply the row (the read failed. Run the undo again (of the same "
            "report or journal): it takes back only what is still there), but an earlier "
            "attempt may have applied it. Check later, or run the undo again (of the same "
            "report or journal): it takes back only what is still there.",
        ),
    ],
)
def test_every_retry_advice_of_an_undo_row_says_to_undo_again(message: str, told: str) -> None:
    """The seeded test above met the quoted form only under some timings (a retry whose read
    failed), and an undo row said "Run the retry file" inside its message."""
    from hubframe.jobs.unlink import _undo_advice

    table = pd.DataFrame({"error_message": [message, None]})
    said = _undo_advice(table)["error_message"]
    assert said.iloc[0] == told and pd.isna(said.iloc[1])


@pytest.mark.parametrize(
    "message",
    [
        "Run the retry file later (after the daily limit resets).",
        "Run the retry file to send the rows the cancel left.",
        "Run the retry file: sending an association twice is safe.",
    ],
)
def test_advice_that_goes_on_is_never_cut_in_two(message: str) -> None:
    """Only whole advice is rewritten: a sentence going on after "Run the retry file" read
    "Run the undo again (...): it takes back only what is still there to send the rows ..."
    or "... still there (after the daily limit resets)"; it is left as it is."""
    from hubframe.jobs.unlink import _undo_advice

    said = _undo_advice(pd.DataFrame({"error_message": [message]}))["error_message"].iloc[0]
    assert said == message
