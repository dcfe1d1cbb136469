"""Excel's ``_xHHHH_`` escapes in a workbook's text, for the openpyxl reader.

A workbook writes a character XML cannot hold as ``_xHHHH_`` (ECMA-376 22.4.2.2): Excel
writes a carriage return (text pasted from a Windows program) as ``_x000D_``, and a text
holding such an escape with its ``_`` escaped (``_x005F_x0041_`` for ``_x0041_``).  calamine
decodes them; openpyxl does not (it only drops ``x005F_`` from shared strings, wherever it
is), so the same cell read ``Sponsor_x000D_`` or ``Sponsor\\r`` as the workbook fell to
openpyxl or not (a duration cell anywhere): a label or id no sheet shows.  The openpyxl reader
takes the shared strings as written (:func:`shared_strings`) and decodes every text as calamine
does (:func:`decoded_escapes`).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Final
from xml.parsers import expat

#: calamine decodes the escapes of a character of one byte (``_x0100_`` up it keeps as
#: written, and reads on from its second character: ``_x0100_x0041_`` is ``_x0100A``).
_ESCAPE: Final = re.compile(r"_x00([0-9A-Fa-f]{2})_")
_MAIN: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def decoded_escapes(text: str) -> str:
    """``text`` with its ``_xHHHH_`` escapes decoded as calamine decodes them, left to right
    (``_x005F_x0041_`` is ``_x0041_``)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), text)


def shared_strings(data: bytes) -> list[str] | None:
    """The workbook's shared strings as written (escapes and all): each item's text and its
    runs' text, not its phonetic runs (as calamine and openpyxl read them); None when the
    workbook has no single shared strings part or it does not parse."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = [n for n in book.namelist() if n.lower().endswith("sharedstrings.xml")]
        if len(names) != 1:
            return None
        part = book.read(names[0])
    items: list[str] = []
    path: list[str] = []
    text: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        path.append(local)
        if local == "si" and len(path) == 2:
            text.clear()

    def end(name: str) -> None:
        if path.pop() == "si" and len(path) == 1:
            items.append("".join(text))

    def data_of(chunk: str) -> None:
        if path[-1:] == ["t"] and "rPh" not in path:
            text.append(chunk)

    def refuse(*_: object) -> None:
        raise ValueError("the part declares a document type or entities")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data_of
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        parser.Parse(part, True)
    except (expat.ExpatError, ValueError):
        return None
    return items
