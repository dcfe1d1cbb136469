"""A label, inverse label or internal name cell that a workbook holds as a date, a time, a
yes/no value, or a number shown otherwise than its digits as read (a format such as ``0.00``,
or one General shows in scientific notation) stops the read naming the row, the column, the
value held and the format it is shown with, in a pairs sheet as in a labels sheet.  Before, a
label typed ``2-3`` (Excel shows ``3-Feb``) was created and sent as ``2026-02-03``, ``1.50`` as
``1.5``, ``1E+21`` as ``1e+21``.  A number General shows as its digits (``7``, ``1.5``) reads
as them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from hubframe.errors import InputError
from hubframe.io import read_pairs
from hubframe.io.labels import read_labels

#: (value held, number format, what the message shows of the value held)
REFUSED = [
    (dt.datetime(2026, 2, 3), "d-mmm", "2026-02-03"),
    (dt.datetime(2026, 2, 3, 9, 30), "m/d/yy h:mm", "2026-02-03"),
    (dt.time(9, 30), "h:mm", "09:30"),
    (dt.timedelta(hours=30), "[h]:mm", ""),
    (True, "General", "TRUE"),
    (False, "General", "FALSE"),
    (1.5, "0.00", "1.5"),
    (7, "0.00", "7"),
    (7.5, "0", "7.5"),
    (1234, "#,##0", "1234"),
    (0.25, "0%", "0.25"),
    (1e21, "General", "1e+21"),
    (12345678901234567890, "General", "1.234567890123457e+19"),
    (123456789012, "General", "123456789012"),
    (0.123456789012, "General", "0.123456789012"),
    (1.5, '0.0 "x"', "1.5"),
]
#: (value held, number format, the label read)
READ = [
    (7, "General", "7"),
    (1.5, "General", "1.5"),
    (-42, "General", "-42"),
    (12345678901, "General", "12345678901"),
    (7, "@", "7"),
    (7, "0", "7"),
    # formats that show a whole number as its digits (Excel's built-ins among them)
    (7, "#,##0", "7"),
    (2024, "0;[Red]-0", "2024"),
    (7, "[Blue]0", "7"),
    (7, "#", "7"),
    (7, "General;-General", "7"),
    ("2-3", "General", "2-3"),
    ("1.50", "@", "1.50"),
]


def _book(header: list[str], row: list[object], column: int, fmt: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    sheet.append(["Filler"] * len(header))  # a text row first: the cell is row 3
    sheet.append(row)
    sheet.cell(row=3, column=column + 1).number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PAIRS = ["Deal ID", "Contact ID", "Label"]
LABELS = ["From type", "To type", "Label", "Inverse label", "Name"]


def _sheets(value: object) -> list[tuple[str, list[str], list[object], int]]:
    """(reader, header, the row, the column of ``value``) for each label column."""
    return [
        ("pairs", PAIRS, [101936297021, 201936297021, value], 2),
        ("labels", LABELS, ["deals", "contacts", value, "Employer", "x"], 2),
        ("labels", LABELS, ["deals", "contacts", "Employee", value, "x"], 3),
        ("labels", LABELS, ["deals", "contacts", "Employee", "Employer", value], 4),
    ]


def _read(reader: str, data: bytes) -> object:
    if reader == "pairs":
        return read_pairs(data, from_type="deals", to_type="contacts")
    return read_labels(data)


@pytest.mark.parametrize(("value", "fmt", "held"), REFUSED)
def test_cells_shown_otherwise_stop_the_read_naming_them(
    value: object, fmt: str, held: str
) -> None:
    for reader, header, row, column in _sheets(value):
        data = _book(header, row, column, fmt)
        with pytest.raises(InputError) as caught:
            _read(reader, data)
        said = str(caught.value)
        assert f"'{header[column]}'" in said and "row 3" in said, said
        assert held in said, said


@pytest.mark.parametrize(("value", "fmt", "label"), READ)
def test_cells_shown_as_read_are_read(value: object, fmt: str, label: str) -> None:
    for reader, header, row, column in _sheets(value):
        frame = _read(reader, _book(header, row, column, fmt))
        canonical = {2: "label", 3: "inverse_label", 4: "name"}[column]
        assert list(frame[canonical])[-1] == label  # type: ignore[index]
