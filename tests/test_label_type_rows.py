"""A labels sheet's row that names object types and nothing else is left out with a word.

Such rows ask nothing (a template's rows not filled in) and were dropped without a word: a row
whose label cell held only a space ("deals, contacts, ' '") had no result row, no message, and
the dry run of a one-row sheet returned an empty table (found by the Hypothesis property of
tests/test_label_broken_text.py).  They are left out still, but :class:`TypeRowsLeftOut` names
them; a blank row (no cell of its own) is a sheet's blank row, not named.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.cli import main
from hubframe.io.labels import TypeRowsLeftOut, read_labels
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

HEADER = ["From type", "To type", "Label", "Inverse label"]


def _said(read: object) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert callable(read)
        read()
    return [str(w.message) for w in caught if w.category is TypeRowsLeftOut]


@pytest.mark.parametrize("blank", ["", " ", "\u00a0", "\u200b", None])
def test_a_row_of_types_alone_is_named(blank: str | None) -> None:
    sheet = pd.DataFrame(
        [["deals", "contacts", "Ok1", None], ["deals", "contacts", blank, None]],
        columns=HEADER,
        dtype=object,
    )
    said = _said(lambda: read_labels(sheet))
    assert len(said) == 1 and "row 3 (index 1) names object types and nothing else" in said[0]


def test_blank_rows_and_type_arguments_are_not_named() -> None:
    sheet = pd.DataFrame(
        [[None, None, "Ok1", None], [None, None, None, None]], columns=HEADER, dtype=object
    )
    assert _said(lambda: read_labels(sheet, from_type="deals", to_type="contacts")) == []


def test_the_command_line_says_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "labels.csv"
    sheet.write_text("From type,To type,Label\ndeals,contacts,Scout\ndeals,contacts,  \n")
    with Sandbox(seed="demo") as sb:
        code = main(
            ["labels", str(sheet), "--dry-run", "--token", sb.token, "--base-url", sb.url]
        )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured
    assert "row 3 names object types and nothing else" in captured.out + captured.err


def test_property_every_row_is_a_result_row_or_named() -> None:
    """Seeded: sheets of label rows, type-only rows and blank rows, in any order: each row with
    a cell of its own is a result row of the dry run or named by the warning."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        for seed in seeds(12):
            rows = []
            for n in range(2 + seed % 7):
                kind = (seed * 7 + n * 3) % 3
                label = f"L{seed}x{n}" if kind == 0 else (" " if kind == 1 else None)
                rows.append(["deals", "contacts", label, None] if kind < 2 else [None] * 4)
            sheet = pd.DataFrame(rows, columns=HEADER, dtype=object)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                planned = hf.configure_labels(sheet, client, dry_run=True)
            named = " ".join(str(w.message) for w in caught if w.category is TypeRowsLeftOut)
            listed = {int(r) for r in re.findall(r"(\d+) \(index \d+\)", named)}
            more = re.search(r"and (\d+) more", named)
            labeled = [n + 2 for n, row in enumerate(rows) if (row[2] or "").strip()]
            typed = [n + 2 for n, row in enumerate(rows) if row[0] and n + 2 not in labeled]
            assert set(planned["row"]) == set(labeled), (seed, planned)
            assert listed == set(typed[:5]), (seed, named)
            assert len(typed) == len(listed) + (int(more.group(1)) if more else 0), named
