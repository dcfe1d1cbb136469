"""A labels sheet cell holding the access token is refused, not created and reported failed.

HubSpot's answers are read with the token redacted, so a label created under the token's text
came back as ``<redacted>``: the read-back found no new label and the row said ``failed``,
``NOT_APPLIED`` while HubSpot held it.  A label must not carry a secret anyway: such a row (the
label, inverse label or internal name holding the token or a word shaped like one) is now
``invalid``, ``BAD_LABEL_TEXT``, nothing created, the cell not shown.
"""

from __future__ import annotations

import pandas as pd
import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

SHAPED = "pat-na1-12345678-abcd-4def-8123-0123456789ab"


def _user_labels(sb: Sandbox) -> set[str]:
    held = sb.labels("deals", "contacts")
    return {str(x) for x in held.loc[held["category"] == "USER_DEFINED", "label"].dropna()}


@pytest.mark.parametrize("column", ["Label", "Inverse label", "Name"])
@pytest.mark.parametrize("secret", ["token", "token inside", "shaped"])
def test_a_cell_holding_the_token_is_refused_in_the_dry_and_the_real_run(
    sandbox: Sandbox, column: str, secret: str
) -> None:
    word = {"token": sandbox.token, "token inside": f"Sponsor {sandbox.token}"}.get(secret, SHAPED)
    row = {"From": "deals", "To": "contacts", "Label": "Sponsor", "Inverse label": "Backed"}
    row["Name"] = "sponsor"
    row[column] = word
    sheet = pd.DataFrame([row, {**row, "Label": "Backer", "Inverse label": "", "Name": ""}])
    client, before = client_for(sandbox), _user_labels(sandbox)
    for dry_run in (True, False):
        result = hf.configure_labels(sheet, client, dry_run=dry_run)
        first = result.iloc[0]
        assert (first["status"], first["error_code"]) == ("invalid", "BAD_LABEL_TEXT"), result
        assert "holds the access token" in first["error_message"]
        assert sandbox.token not in " ".join(result["error_message"].fillna(""))
        assert result.iloc[1]["status"] == ("planned" if dry_run else "success"), result
    assert _user_labels(sandbox) - before == {"Backer"}


def test_a_label_that_only_starts_like_a_token_is_created(sandbox: Sandbox) -> None:
    sheet = pd.DataFrame([{"From": "deals", "To": "contacts", "Label": "pat-down check"}])
    result = hf.configure_labels(sheet, client_for(sandbox))
    assert result["status"].tolist() == ["success"], result
    assert "pat-down check" in _user_labels(sandbox)
