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


#: A token of HubSpot's shape, and what of it gives it away though it is not whole: its UUID
#: (the secret: ``pat-na1-`` is the same for every token of a region), and either of them
#: with underscores for dashes (retyped as an internal name, which takes no dashes).
TOKEN = "pat-na1-3f2a9c41-7b6d-4e85-a1c0-9d8e7f6a5b4c"
GIVEN_AWAY = {
    "its uuid": TOKEN[8:],
    "its uuid in a label": f"Sponsor {TOKEN[8:].upper()}",
    "underscored": TOKEN.replace("-", "_"),
    "uuid underscored": TOKEN[8:].replace("-", "_"),
    "uuid without dashes": TOKEN[8:].replace("-", ""),  # found in review
}


@pytest.mark.parametrize("column", ["Label", "Inverse label", "Name"])
@pytest.mark.parametrize("case", GIVEN_AWAY)
def test_a_cell_giving_the_token_away_is_refused_and_never_shown(
    sandbox_factory: object, column: str, case: str, tmp_path: object
) -> None:
    """A label cell holding the token's UUID (its prefix left off), or a name cell holding
    the token with underscores, was created in HubSpot and printed and written to the
    reports as it was."""
    from pathlib import Path

    sb = sandbox_factory(seed="demo", token=TOKEN)  # type: ignore[operator]
    row = {"From": "deals", "To": "contacts", "Label": "Sponsor", "Inverse label": "Backed"}
    row["Name"] = "sponsor"
    row[column] = GIVEN_AWAY[case]
    sheet = pd.DataFrame([row])
    before = _user_labels(sb)
    result = hf.configure_labels(sheet, client_for(sb))
    assert (result["status"].iloc[0], result["error_code"].iloc[0]) == (
        "invalid",
        "BAD_LABEL_TEXT",
    ), result
    assert _user_labels(sb) == before
    report = Path(str(tmp_path)) / "labels.csv"
    hf.export_report(result, report)
    written = report.read_text(encoding="utf-8-sig").casefold()
    secret = TOKEN[8:].casefold()
    assert secret not in written and secret.replace("-", "_") not in written
    assert secret.replace("-", "") not in written
