"""A labels run says when a new label nearly spells one the pair has, and refuses a look-alike.

``hubframe labels pairs.csv`` created "Decison maker" beside "Decision maker" without a word
(``associate`` alone refuses the typo as UNKNOWN_LABEL, then applied the new label), and
"Ｃhampion" (a full-width C) beside "Champion": two labels no sheet can tell apart.  Now the
first's line names the label it nearly spells, and the second is refused LABEL_WOULD_REPEAT with
nothing created.
"""

from __future__ import annotations

import io
import unicodedata

import pytest

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

HEADER = "From type,To type,Label\n"


def _run(sb: Sandbox, label: str, dry_run: bool) -> dict[str, object]:
    sheet = io.BytesIO((HEADER + f"deals,contacts,{label}\n").encode())
    result = hf.configure_labels(sheet, client_for(sb), dry_run=dry_run)
    [row] = result.to_dict("records")
    return row


def _listed(sb: Sandbox) -> set[str]:
    return {str(x) for x in sb.labels("deals", "contacts")["label"].dropna()}


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(
    ("label", "near"),
    [
        ("Decison maker", "Decision maker"),
        ("Decision makers", "Decision maker"),
        ("Champoin", "Champion"),
        ("Budget holdr", "Budget holder"),
        ("Sponsor", None),
        ("Technical evaluator", None),
    ],
)
def test_a_new_label_close_to_an_existing_one_says_so(
    label: str, near: str | None, dry_run: bool
) -> None:
    with Sandbox(seed="demo") as sb:
        row = _run(sb, label, dry_run)
        made = _listed(sb)
    assert row["status"] == ("planned" if dry_run else "success"), row
    message = str(row["error_message"] or "")
    if near is None:
        assert "close to this one" not in message, message
    else:
        assert f'already has the label "{near}", close to this one' in message, message
    assert (label in made) is (not dry_run)


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("label", ["Ｃhampion", "ＣＨＡＭＰＩＯＮ", "Ｃhampio\uff4e"])
def test_a_look_alike_of_an_existing_label_is_refused(label: str, dry_run: bool) -> None:
    assert unicodedata.normalize("NFKC", label).lower() == "champion"
    with Sandbox(seed="demo") as sb:
        before = _listed(sb)
        row = _run(sb, label, dry_run)
        after = _listed(sb)
    assert row["status"] == "invalid" and row["error_code"] == "LABEL_WOULD_REPEAT", row
    assert '"Champion"' in str(row["error_message"])
    assert after == before
