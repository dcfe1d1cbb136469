"""A label holding the replacement character U+FFFD is never created or renamed to.

U+FFFD is what a program writes where it could not read a character (a file decoded in the
wrong encoding, a lone surrogate in a DataFrame's text, which the reader turns into U+FFFD):
the name the sheet meant is lost.  Before, ``configure_labels`` (and so ``limits
--create-labels``) created the broken name in HubSpot -- "Entscheider\\ufffd" for
"Entscheider\\udcff", a silent change of what the sheet said, written into the CRM.  Now such a
row is ``invalid``, ``BAD_LABEL_TEXT``, naming the cell, and nothing is sent for it.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.cli import main
from hubframe.io.labels import TypeRowsLeftOut
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, xlsx_bytes

BROKEN = ["Entscheider\udcff", "Entscheider\ufffd", "\ufffd", "Ent\ufffdscheider\ud83d"]
HEADER = ["From type", "To type", "Label", "Inverse label"]


def _source(how: str, label: str, inverse: str | None) -> object:
    row = ["deals", "contacts", label, inverse]
    if how == "frame":
        return pd.DataFrame([row], columns=HEADER, dtype=object)
    # a file holds U+FFFD where the text it was written from held a lone surrogate
    clean = [
        "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in c) if c else c for c in row
    ]
    if how == "csv":
        text = ",".join(HEADER) + "\n" + ",".join(c or "" for c in clean) + "\n"
        return io.BytesIO(text.encode("utf-8"))
    return io.BytesIO(xlsx_bytes([HEADER, clean]))


def _labels(sb: Sandbox) -> list[str]:
    both = [sb.labels("deals", "contacts"), sb.labels("contacts", "deals")]
    return [str(x) for frame in both for x in frame["label"].dropna()]


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("side", ["label", "inverse"])
@pytest.mark.parametrize("how", ["frame", "csv", "xlsx"])
@pytest.mark.parametrize("cell", BROKEN, ids=ascii)
def test_a_label_holding_the_replacement_character_is_not_created(
    cell: str, how: str, side: str, dry_run: bool
) -> None:
    label, inverse = (cell, "Reports to") if side == "label" else ("Sponsor", cell)
    with Sandbox(seed="demo") as sb:
        before = _labels(sb)
        result = hf.configure_labels(_source(how, label, inverse), client_for(sb), dry_run=dry_run)
        row = result.iloc[0]
        assert (row["status"], row["error_code"]) == ("invalid", "BAD_LABEL_TEXT"), result
        what = "label" if side == "label" else "inverse label"
        assert f"The {what} cell '" in str(row["error_message"])
        assert _labels(sb) == before
        assert not any(m != "GET" for m in sb.request_log()["method"])


def test_a_rename_to_a_name_holding_the_replacement_character_is_refused() -> None:
    with Sandbox(seed="demo") as sb:
        maker = sb.type_id("deals", "contacts", "Decision maker")
        sheet = pd.DataFrame(
            {"From type": ["deals"], "To type": ["contacts"], "Label": ["Entscheider\ufffd"]}
            | {"Type ID": [maker]}
        )
        result = hf.configure_labels(sheet, client_for(sb), renames=True)
        assert result["error_code"].tolist() == ["BAD_LABEL_TEXT"], result
        names = sb.labels("deals", "contacts").set_index("type_id")["label"]
        assert names[maker] == "Decision maker"


def test_limits_create_labels_creates_no_broken_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text("From,To,Label,Max\ndeals,contacts,Scout\ufffd,3\ndeals,contacts,Scout,2\n")
    with Sandbox(seed="demo") as sb:
        before = _labels(sb)
        hub = ["--token", sb.token, "--base-url", sb.url]
        report = tmp_path / "report.csv"
        args = ["limits", str(sheet), "--create-labels", "--no-progress", *hub]
        main([*args, "--report", str(report)])
        out = capsys.readouterr().out
        assert "BAD_LABEL_TEXT" in out
        assert sorted(set(_labels(sb)) - set(before)) == ["Scout"]
        rows = pd.read_csv(report)
        assert rows["status"].tolist() == ["invalid", "success"], rows
        assert rows["error_code"].tolist()[0] == "BAD_LABEL_TEXT"


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc",)) | st.just("\ufffd"),
    min_size=1,
    max_size=12,
)


@settings(max_examples=examples(25), deadline=None)
@given(label=_TEXT)
def test_a_created_label_is_what_the_sheet_says_or_refused(label: str) -> None:
    """Any label a dry run plans to create holds no U+FFFD; one that holds it is refused."""
    with Sandbox(seed="demo") as sb:
        sheet = pd.DataFrame([["deals", "contacts", label, None]], columns=HEADER, dtype=object)
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            planned = hf.configure_labels(sheet, client_for(sb), dry_run=True)
        if planned.empty:  # a label of spaces (or hidden characters) alone: said, never lost
            assert any(w.category is TypeRowsLeftOut for w in said), label
            return
        row = planned.iloc[0]
        if "\ufffd" in label:
            assert row["error_code"] == "BAD_LABEL_TEXT"
        else:
            assert str(row["error_code"]) != "BAD_LABEL_TEXT"
