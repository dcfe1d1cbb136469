"""Number formats that show a cell's number otherwise than it holds it.

A workbook keeps a number and, apart, the format Excel shows it with.  Most formats only pad,
group or round what is shown (``00000000000``, ``#,##0``, ``0.00E+00``), and hubframe reads the
number held, as documented.  Some show other digits, or none: ``0,`` divides by a thousand,
``"10"0`` puts digits before the number, ``0%`` multiplies by a hundred, ``;;;`` hides the
number, ``[<100]0;"big"`` shows text.  A format's fourth section is for text cells: without
``@`` in it (``;;;``, ``0;0;0;"x"``) a text cell shows nothing or other text.  On an id cell the
analyst sees one id (or none) and the file holds another (and a CSV saved from Excel holds the
one shown): which one was meant cannot be told, so the read stops naming the cells
(:func:`hubframe.io.excel`).

The formats are in ``styles.xml`` (``numFmts``, and ``cellXfs``, whose n-th ``xf`` is the style
``s="n"`` of a cell); the cells that use them are found in the sheet's XML with bounded
searches, only when the workbook has such a format at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final
from xml.parsers import expat

from hubframe.io.xmltags import PREFIX, TAG_MAX, column_number

#: Excel's built-in formats that show other digits (9: ``0%``, 10: ``0.00%``).
_BUILT_IN: Final = {9: "0%", 10: "0.00%"}
_QUOTED = re.compile(r'"[^"]*"')
_TYPE = re.compile(rb"\bt\s*=\s*[\"']([a-zA-Z]+)[\"']")
_TEXT: Final = (b"s", b"str", b"inlineStr")  # the cell types that hold text
_STYLES_MAX: Final = 16 << 20  # a styles part larger than this is not looked at
_HEAD: Final = 4096  # the bytes of a part that tell its writer's quotes


def shows_other_digits(code: str) -> bool:
    """Whether a number format shows a whole number otherwise than its digits (see the module
    docstring): a percent sign, a thousands scaling comma, digits written as text, a condition,
    or a first section that shows no number (empty, or text only).  Dates and times are left
    to the reader's own check of date cells."""
    if not code or code.strip().lower() == "general":
        return False
    first = _sections(code)[0]
    literal = "".join(_QUOTED.findall(first)) + "".join(re.findall(r"\\(.)", first))
    bare = re.sub(r"\\.", "", _QUOTED.sub("", first))  # what is left once text is out
    conditions = [b for b in re.findall(r"\[[^\]]*\]", bare) if b[1:2] in ("<", ">", "=")]
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    if "%" in bare or conditions or any(ch.isdigit() for ch in literal):
        return True
    if re.search(r"[0#?],+(?![0-9#?])", bare):  # 0, 0,, #,##0, -- scaled by a thousand
        return True
    if "general" in bare.lower() or "@" in bare or re.search(r"[0#?]", bare):
        return False
    return re.search(r"[dmyhs]", bare.lower()) is None  # nothing or text shown, not a date


def hides_text(code: str) -> bool:
    """Whether a format shows a text cell otherwise than its text: a fourth section (the text
    one) without ``@`` shows nothing (``;;;``) or its own text instead."""
    sections = _sections(code)
    if len(sections) < 4:
        return False
    return "@" not in re.sub(r"\\.", "", _QUOTED.sub("", sections[3]))


def _sections(code: str) -> list[str]:
    """The ``;``-separated sections of a format, quotes kept whole."""
    out, current, quoted, escaped = [], [], False, False
    for ch in code:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return out


def misleading_styles(styles: bytes) -> dict[int, str]:
    """Style index (a cell's ``s``) -> format code, for the styles whose format shows other
    digits than a number held or hides a text held.  Empty for a part that cannot be parsed
    or is too large."""
    if not styles or len(styles) > _STYLES_MAX:
        return {}
    codes: dict[int, str] = dict(_BUILT_IN)
    formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "numFmt" and attrs.get("numFmtId", "").isdigit():
            codes[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] += 1
        elif local == "xf" and depth["cellXfs"]:
            found = attrs.get("numFmtId", "0")
            formats.append(int(found) if found.isdigit() else 0)

    def end(name: str) -> None:
        if name.rsplit(":", 1)[-1] == "cellXfs":
            depth["cellXfs"] -= 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(styles, True)
    except expat.ExpatError:
        return {}
    return {
        index: codes[fmt]
        for index, fmt in enumerate(formats)
        if fmt in codes and (shows_other_digits(codes[fmt]) or hides_text(codes[fmt]))
    }


def styled_cells(
    part: bytes, styles: dict[int, str], columns: Iterable[str]
) -> Iterator[tuple[int, int, str]]:
    """(Excel row, column, format code) of the cells of a sheet part, in ``columns`` (letters),
    whose style is one of ``styles`` and shows them otherwise than they hold: number cells
    whose format shows other digits, text cells whose format hides the text.  The usual
    layout (``<c r="A2" s="5" ...>``, as Excel, openpyxl, XlsxWriter and LibreOffice write
    it) is found by one regular expression with a literal start (100,000 styled cells
    elsewhere: ~0.02 s); any other layout (a prefix, single quotes, other attributes first)
    by a slower one, only when the part's first styled cell is written otherwise (a writer
    keeps one layout)."""
    letters = "|".join(sorted({c.upper() for c in columns})).encode()
    if not styles or not letters:
        return
    index = "|".join(map(str, styles)).encode()
    tail = rb"([^<>]{0,%d})>" % TAG_MAX
    usual = re.compile(rb'<c r="(' + letters + rb')([0-9]{1,7})" s="(' + index + rb')"' + tail)
    yield from _shown_otherwise(usual.finditer(part), styles, (0, 1, 2))
    if _usual_layout(part, styles):
        return
    ref = rb'r\s*=\s*["\']\$?(' + letters + rb')\$?([0-9]{1,7})["\']'
    style = rb's\s*=\s*["\'](' + index + rb')["\']'
    attrs = rb"[^<>]{0,%d}?" % TAG_MAX
    for first, second, order in ((ref, style, (0, 1, 2)), (style, ref, (1, 2, 0))):
        tag = rb"<" + PREFIX + rb"c\s" + attrs + first + attrs + rb"\s" + second + tail
        found = (m for m in re.finditer(tag, part) if usual.match(m.group(0)) is None)
        yield from _shown_otherwise(found, styles, order)


def _usual_layout(part: bytes, styles: dict[int, str]) -> bool:
    """Whether the part's first styled cell is written ``<c r="A2" s="5"`` and its start uses
    double quotes: its writer writes every cell so (or it has no styled cell)."""
    if b"='" in part[:_HEAD]:
        return False
    found = [p for n in styles if (p := part.find(b' s="%d"' % n)) >= 0]
    if not found:
        return b" s='" not in part
    first = min(found)
    start = part.rfind(b"<", max(0, first - TAG_MAX), first)
    return re.fullmatch(rb'<c r="[A-Za-z]{1,3}[0-9]{1,7}"', part[start:first]) is not None


def _shown_otherwise(
    found: Iterable[re.Match[bytes]], styles: dict[int, str], order: tuple[int, int, int]
) -> Iterator[tuple[int, int, str]]:
    """The cells of ``found`` (groups: letters, row and style at ``order``) that their style
    shows otherwise: numbers by :func:`shows_other_digits`, text by :func:`hides_text`;
    booleans and errors are shown as they are."""
    letters_at, row_at, index_at = order
    for match in found:
        found_kind = _TYPE.search(match.group(0))
        kind = b"n" if found_kind is None else found_kind.group(1)
        groups = match.groups()
        code = styles[int(groups[index_at])]
        if (kind == b"n" and shows_other_digits(code)) or (kind in _TEXT and hides_text(code)):
            yield int(groups[row_at]), column_number(groups[letters_at]), code


__all__ = ["hides_text", "misleading_styles", "shows_other_digits", "styled_cells"]
