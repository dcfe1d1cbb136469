"""The app's messages name its own controls, not Python's keyword arguments.

Before: a sheet the reader refused in the notebook app said "Pass from_type=\"contacts\"" or
"choose it with columns={'Role': 'label'}", options an analyst in the app has no way to type.
The reader is told it speaks to the app (``syntax="app"``) and names the picker or dropdown
instead; Python and the command line read as before.
"""

from __future__ import annotations

import html
import io
import re
import warnings
from datetime import UTC, datetime

import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import read_notes
from hubframe.testing import workbook_bytes
from hubframe.widgets import HubframeApp

#: Sheets the reader refuses, each with what its app message must name.
REFUSED = {
    "no type": (b"Record ID,Associated ID\n1,2\n", '"From object type"'),
    "role": (b"Deal ID,Contact ID,Role\n1,2,Champion\n", '"Role" in the "Label column" dropdown'),
    "two association columns": (
        b"Record ID,Deal Name,Deal Stage,Associated Contact IDs,Associated Company IDs\n"
        b"1,a,b,2,3\n",
        '"Associated Contact IDs" in the "To record ID" dropdown',
    ),
    "a third id column": (
        b"Deal ID,Contact ID,Company ID\n1,2,3\n",
        '"Deal ID" in the "From record ID" dropdown and "Company ID" in the "To record ID" '
        "dropdown",
    ),
    "a repeated label": (
        b"Deal ID,Contact ID,Label,Label 2\n1,2,a,b\n",
        '"Label 2" in the "Label column" dropdown',
    ),
    "a label given against the cells": (
        b"Deal ID,Contact ID,Label\n1,2,Champion\n",
        '"Label for all rows" Decision maker',
    ),
}
PYTHON_WORDS = re.compile(r"\b(from_type|to_type|columns|label|sheet)=|--(from|to|label|sheet)\b")


def _refusal(data: bytes, syntax: str, name: str) -> str:
    label = "Decision maker" if name == "a label given against the cells" else None
    with pytest.raises(InputError) as info:
        hf.read_pairs(io.BytesIO(data), label=label, syntax=syntax)  # type: ignore[arg-type]
    return str(info.value)


@pytest.mark.parametrize("name", list(REFUSED))
def test_the_app_is_told_of_its_controls_and_python_of_its_arguments(name: str) -> None:
    data, named = REFUSED[name]
    app = _refusal(data, "app", name)
    assert named in app and not PYTHON_WORDS.search(app), app
    assert PYTHON_WORDS.search(_refusal(data, "python", name))
    cli = _refusal(data, "cli", name)
    assert "columns=" not in cli and "from_type=" not in cli and "dropdown" not in cli


def test_the_apps_sheet_warnings_name_its_sheet_dropdown() -> None:
    book = workbook_bytes(
        {"A": [["Deal ID", "Contact ID"], ["1", "2"]], "B": [["Deal ID", "Contact ID"], ["3", "4"]]}
    )
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        hf.read_pairs(io.BytesIO(book), syntax="app")
    text = " ".join(str(w.message) for w in said)
    assert '"Sheet" All visible sheets reads every sheet' in text and "sheet=" not in text


def test_the_apps_notes_name_its_type_pickers() -> None:
    from hubframe.io.syntax import APP

    data = b"Record ID,Ticket name,Ticket status,Associated Contact IDs\n3,b,open,4\n"
    notes = read_notes(hf.read_pairs(io.BytesIO(data), syntax="app"))
    lines = [text for _, text in notes.messages(APP)]
    assert any('"From object type" sets another' in line for line in lines), lines


def test_a_refused_sheet_in_the_app_names_the_picker(app: HubframeApp) -> None:
    data = REFUSED["no type"][0]
    item = {"name": "pairs.csv", "type": "", "size": len(data), "content": memoryview(data)}
    app.upload.value = ({**item, "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)
    assert app.wait(60)
    shown = html.unescape(re.sub(r"<[^>]+>", "", app.messages["mapping"].value))
    assert 'Pick "From object type" contacts (for example)' in shown
    assert not PYTHON_WORDS.search(shown), shown
