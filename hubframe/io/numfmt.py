"""Number formats that show a cell's number otherwise than it holds it.

A workbook keeps a number and, apart, the format Excel shows it with.  Most formats only pad,
group or round what is shown (``00000000000``, ``#,##0``, ``0.00E+00``), and hubframe reads the
number held, as documented.  Some show other digits, or none: ``0,`` divides by a thousand,
``"10"0``, ``[$10]0`` (a currency symbol) and ``0*0`` (a fill) write digits beside the number,
``[DBNum1]0`` other numerals, ``0%`` multiplies by a hundred, ``;;;`` hides the number,
``[<100]0;"big"`` shows text, and a date or time format (``mm``, ``h:mm``, built-in format 14)
never shows a number's digits: a date, or ``########`` past Excel's last date (9999-12-31,
serial 2958465), which every HubSpot id is (:func:`shows_as_date`).  A section is read piece
by piece (:func:`_pieces`) as Excel reads it: a ``[...]`` is not taken for a colour or a
locale unless it is one.  A format's fourth section is for text cells: without ``@`` in it
(``;;;``, ``0;0;0;"x"``) a text cell shows nothing or other text.  On an id cell the analyst
sees one id (or none) and the file holds another (and a CSV saved from Excel holds the one
shown): which one was meant cannot be told, so the read stops naming the cells
(:func:`hubframe.io.excel`).

The formats are in ``styles.xml`` (``numFmts``, and ``cellXfs``, whose n-th ``xf`` is the style
``s="n"`` of a cell, style 0 for a cell without ``s``; ``dxfs``, whose n-th ``dxf`` is the
format of a conditional formatting rule's ``dxfId``) or in the sheet's own rules (Excel 2010's
extensions).  The cells that use them are found in the sheet's XML only when the workbook has
such a format at all: by one search in the layout writers use, by an XML parser otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final
from xml.parsers import expat

from hubframe.io.bounds import STYLES_MAX_BYTES
from hubframe.io.xmltags import PREFIX, SPACE, TAG_MAX, column_number

#: Excel's built-in formats that show other digits (9: ``0%``, 10: ``0.00%``).
_BUILT_IN: Final = {9: "0%", 10: "0.00%"}
#: The codes of Excel's built-in formats (``numFmtId`` below 164, not written in ``numFmts``)
#: that every locale shows alike, for messages; 0 is General, 49 Text (``@``).
BUILT_IN_CODES: Final = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip
#: Excel's built-in date and time formats (14-22, 45-47) and its locales' (27-36, 50-58, Thai
#: 71-81), which a workbook uses by number without writing their codes.
DATE_FORMAT_IDS: Final = frozenset([*range(14, 23), *range(27, 37), *range(45, 48),
                                    *range(50, 59), *range(71, 82)])  # fmt: skip
#: Excel's last date (9999-12-31 23:59:59) as a number: past it a date or time format shows
#: ``########`` (1900 date system; the 1904 one ends 1462 days earlier).
LAST_DATE: Final = 2958465.99999
_TYPE = re.compile(rb"\bt\s*=\s*[\"']([a-zA-Z]+)[\"']")
_TEXT: Final = ("s", "str", "inlineStr")  # the cell types that hold text
_HEAD: Final = 4096  # the bytes of a part that tell its writer's quotes
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]{0,32}:(?:worksheet|sheetData|row|c)[\s>]")
#: A cell whose start is not ``<c r="``: without a reference, or with it after other attributes.
_UNPLACED = re.compile(rb'<c(?:[\t\n\r>/]| (?!r="))')
_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
#: A range of cells: top, left, bottom, right (1-based).
Range = tuple[int, int, int, int]


def shows_other_digits(code: str) -> bool:
    """Whether a number format shows a whole number otherwise than its digits (see the module
    docstring): a percent sign, a thousands scaling comma, digits written as text (quoted,
    escaped, a currency symbol ``[$1]``, a fill ``*0``), other numerals (``[DBNum1]``, a locale
    asking for them), a condition, or a first section that shows no number (empty, or text
    only).  Dates and times: :func:`shows_as_date`."""
    if not code or code.strip().lower() == "general":
        return False
    pieces = _pieces(_sections(code)[0])
    kinds = {kind for kind, _ in pieces}
    bare = _joined(pieces, "code")
    if "%" in bare or kinds & {"condition", "numerals"} or _has_digit(_joined(pieces, "text")):
        return True
    if re.search(r"[0#?],+(?![0-9#?])", bare):  # 0, 0,, #,##0, -- scaled by a thousand
        return True
    if "general" in bare.lower() or "@" in bare or re.search(r"[0#?]", bare):
        return False
    return re.search(r"[dmyhs]", bare.lower()) is None  # nothing or text shown, not a date


def shows_as_date(code: str, value: float) -> bool:
    """Whether ``code`` shows the number ``value`` as a date or time: the section that shows
    it (the first for a positive number, the second for a negative one and the third for 0,
    when there are) holds date or time codes (``d m y h s``, elapsed ``[h]``), text, colours
    and locales aside.  Such a cell never shows the number's digits: a date, or ``########``
    when the number is negative or past :data:`LAST_DATE` (every HubSpot id)."""
    sections = _sections(code)
    if any(kind == "condition" for s in sections for kind, _ in _pieces(s)):
        return any(_dated(s) for s in sections)  # which section shows it: as Excel decides
    index = 1 if value < 0 else 2 if value == 0 else 0
    return _dated(sections[index] if index < len(sections) else sections[0])


def shows_dates(code: str) -> bool:
    """Whether a section of ``code`` shows dates or times (:func:`shows_as_date`)."""
    return any(_dated(s) for s in _sections(code))


def _dated(section: str) -> bool:
    """Whether a section holds date or time codes, outside text, colours and locales."""
    bare = _joined(_pieces(section), "code").lower()
    return "general" not in bare and re.search(r"[dmyhs]", bare) is not None


def shows_number_otherwise(code: str, value: float) -> bool:
    """Whether ``code`` shows the number ``value`` as other text than hubframe reads it as
    (its digits): besides other digits (:func:`shows_other_digits`), padded with zeros
    (``00000`` shows 123 as ``00123``) or spaces (``??0``, ``_)``), grouped (``#,##0``:
    ``1,234``), with decimals, an exponent, a fraction, a sign or text of its own (a currency
    symbol: ``[$€-407]0`` shows ``€7``), or nothing (``#`` for 0).  What a record id shows so
    is still its id; the value of a unique property is text, which HubSpot compares as it is
    written."""
    if shows_other_digits(code):
        return True
    if not code or code.strip().lower() in ("general", "@"):
        return False
    number = float(value)
    if not number.is_integer() or number < 0:
        return True
    pieces = _pieces(_sections(code)[0])
    if any(kind == "space" or (kind == "text" and text) for kind, text in pieces):
        return True
    bare = _joined(pieces, "code")  # without a colour or a locale
    if bare.strip().lower() == "general":
        return False
    if re.fullmatch(r"[0#?,]+", bare) is None:  # decimals, an exponent, a fraction ...
        return True
    digits = str(int(number))
    places = re.sub(r"[#,]", "", bare)  # 0 and ? show a digit or pad; # shows one or nothing
    grouped = "," in bare and len(digits) > 3
    return len(places) > len(digits) or grouped or (number == 0 and not places)


def hides_text(code: str) -> bool:
    """Whether a format shows a text cell otherwise than its text: a fourth section (the text
    one) without ``@`` shows nothing (``;;;``) or its own text instead; a section with ``@``
    that writes digits of its own beside it (``"10"@`` or ``[$10]@`` shows the text 2040000001
    as 102040000001, which a CSV Excel saves then holds; ``@*0`` fills the cell with zeros
    after it) shows other digits."""
    sections = [_pieces(s) for s in _sections(code)]
    if any("@" in _joined(s, "code") and _has_digit(_joined(s, "text")) for s in sections):
        return True
    if len(sections) < 4:
        return False
    return "@" not in _joined(sections[3], "code")


#: Colours a section may name (``[Red]``, ``[Color10]``): they show nothing.
_COLOUR = re.compile(r"black|blue|cyan|green|magenta|red|white|yellow|color\s*[0-9]{1,2}", re.I)
#: Elapsed time (``[h]``, ``[mm]``, ``[ss]``): part of a time format.
_ELAPSED = re.compile(r"h+|m+|s+", re.I)
#: Characters whose next one is written as it is (``\1``, ``!1``) or repeated to fill the
#: cell (``*0``; ``* `` in accounting formats), and the one whose next one is a space its width.
_ESCAPES: Final = "\\!*"
_SPACER: Final = "_"

Piece = tuple[str, str]  # (kind, text): what a section is made of (_pieces)


def _pieces(section: str) -> list[Piece]:
    """A section as Excel reads it: ``("text", t)`` written as it is (quoted, escaped, a fill
    character, a currency symbol), ``("space", c)`` a space the width of ``c`` (``_)``),
    ``("code", c)`` a character of the format itself (placeholders, date codes, ``@``),
    ``("condition", ...)``, ``("numerals", ...)`` (other numerals, or a bracket whose meaning
    is not known) and ``("shown", "")`` (a colour or a locale: nothing shown)."""
    out: list[Piece] = []
    at = 0
    while at < len(section):
        ch = section[at]
        if ch == '"':
            end = section.find('"', at + 1)
            end = len(section) if end < 0 else end
            out.append(("text", section[at + 1 : end]))
            at = end + 1
        elif ch in _ESCAPES or ch == _SPACER:
            out.append(("space" if ch == _SPACER else "text", section[at + 1 : at + 2]))
            at += 2
        elif ch == "[" and (end := section.find("]", at + 1)) > 0:
            out.extend(_bracket(section[at + 1 : end]))
            at = end + 1
        else:
            out.append(("code", ch))
            at += 1
    return out


def _bracket(inside: str) -> list[Piece]:
    """What a ``[...]`` of a section is: a condition (``[<100]``), a colour, elapsed time,
    a currency and locale (``[$€-407]``: the symbol is written; a locale whose top byte is
    not 0 asks for other numerals: ``[$-1010409]``, Arabic-Indic digits), or anything else
    (``[DBNum1]``, East Asian numerals; one not known: what it shows cannot be told)."""
    if inside[:1] in ("<", ">", "="):
        return [("condition", inside)]
    if inside.startswith("$"):
        symbol, _, locale = inside[1:].partition("-")
        numerals = re.fullmatch(r"[0-9A-Fa-f]{1,8}", locale) and int(locale, 16) >> 24
        return [("text", symbol)] + ([("numerals", inside)] if numerals else [])
    if _COLOUR.fullmatch(inside):
        return [("shown", "")]
    if _ELAPSED.fullmatch(inside):
        return [("code", inside)]
    return [("numerals", inside)]


def _joined(pieces: list[Piece], kind: str) -> str:
    return "".join(text for k, text in pieces if k == kind)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


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


@dataclass(frozen=True)
class Formats:
    """The formats of a workbook's ``styles.xml`` that show a cell otherwise than it holds
    (:func:`shows_other_digits`, :func:`hides_text`): by style index (a cell's ``s``; a cell
    without ``s`` has style 0), and by differential format index (a conditional formatting
    rule's ``dxfId``: the rule shows the cells it applies to with that format)."""

    cells: dict[int, str] = field(default_factory=dict)
    rules: dict[int, str] = field(default_factory=dict)
    #: every style whose number format is not General -> its code (a built-in one without a
    #: known code: "built-in format N"): what a label cell holding a number is shown with
    numbers: dict[int, str] = field(default_factory=dict)
    #: the styles whose format shows dates or times (:func:`shows_dates`, a built-in date
    #: format) -> its code: a number there shows no digits of its own (:func:`shows_as_date`)
    dates: dict[int, str] = field(default_factory=dict)
    #: why the styles part could not be read (too large, not well-formed), or None: calamine
    #: reads past a styles part expat refuses (trailing bytes), so its cells' formats are not
    #: known, and the check must not take that for "none shows otherwise"
    unchecked: str | None = None

    def __bool__(self) -> bool:
        return bool(self.cells or self.rules or self.dates or self.unchecked)


def misleading_styles(styles: bytes) -> dict[int, str]:
    """Style index (a cell's ``s``) -> format code, for the styles whose format shows other
    digits than a number held or hides a text held.  Empty for a part that cannot be parsed
    or is too large."""
    return misleading_formats(styles).cells


def misleading_formats(styles: bytes) -> Formats:
    """The styles and differential formats (:class:`Formats`) whose number format shows other
    digits than a number held or hides a text held.  Empty for a part that cannot be parsed or
    is too large."""
    if not styles:
        return Formats()
    if len(styles) > STYLES_MAX_BYTES:  # the guard refuses it first; a part given alone
        return Formats(unchecked=f"styles.xml holds more than {STYLES_MAX_BYTES >> 20} MiB")
    codes: dict[int, str] = dict(_BUILT_IN)
    formats: list[int] = []
    rules: dict[int, str] = {}
    path: list[str] = []
    differential = [0]  # dxf elements met

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        parent = path[-1] if path else ""
        path.append(local)
        number = attrs.get("numFmtId", "")
        if local == "numFmt" and parent == "numFmts" and number.isdigit():
            codes[int(number)] = attrs.get("formatCode", "")
        elif local == "xf" and parent == "cellXfs":
            formats.append(int(number) if number.isdigit() else 0)
        elif local == "dxf" and parent == "dxfs":
            differential[0] += 1
        elif local == "numFmt" and parent == "dxf" and differential[0]:
            code = attrs.get("formatCode") or codes.get(int(number) if number.isdigit() else 0)
            rules[differential[0] - 1] = code or ""

    try:
        _parse(styles, start, lambda _: path.pop())
    except Unchecked as exc:
        return Formats(unchecked=f"styles.xml: {exc}")
    cells = {i: codes[fmt] for i, fmt in enumerate(formats) if fmt in codes}
    known = BUILT_IN_CODES | codes
    numbers = {
        i: known.get(fmt) or f"built-in format {fmt}" for i, fmt in enumerate(formats) if fmt
    }
    dates = {i: numbers[i] for i, fmt in enumerate(formats) if _date_format(fmt, codes)}
    return Formats(_misleading(cells), _misleading(rules, dates=True), numbers, dates=dates)


def _date_format(number: int, codes: dict[int, str]) -> bool:
    """Whether the format ``number`` (a ``numFmtId``) shows dates or times: its code written
    in the workbook says, else whether it is a built-in date format."""
    if number in codes:
        return shows_dates(codes[number])
    return number in DATE_FORMAT_IDS


def _misleading(codes: dict[int, str], dates: bool = False) -> dict[int, str]:
    """The formats of ``codes`` that show a cell otherwise; with ``dates``, date and time
    formats too (a conditional formatting rule's: which number it shows cannot be told)."""
    return {
        i: c
        for i, c in codes.items()
        if shows_other_digits(c) or hides_text(c) or (dates and shows_dates(c))
    }


def styled_cells(
    part: bytes,
    styles: dict[int, str],
    columns: Iterable[str],
    keep: Callable[[str, str], bool] | None = None,
) -> Iterator[tuple[int, int, str]]:
    """(Excel row, column, format code) of the cells of a sheet part, in ``columns`` (letters),
    whose style is one of ``styles`` and shows them otherwise than they hold: number cells
    whose format shows other digits, text cells whose format hides the text (``keep(type,
    code)``, given a cell's ``t`` and its format, says which cells instead).  The usual
    layout (``<c r="A2" s="5" ...>`` for every cell, as Excel, openpyxl, XlsxWriter and
    LibreOffice write it) is found by one regular expression with a literal start (100,000
    styled cells elsewhere: ~0.02 s).  Any other layout (cells without a reference, which
    follow the cell before as the engines place them; a prefix, single quotes, other
    attributes first), or style 0 showing otherwise (it is the style of every cell without
    ``s``), is read with an XML parser, cell by cell.  Raises :class:`Unchecked` when the
    part cannot be parsed so."""
    letters = "|".join(sorted({c.upper() for c in columns})).encode()
    if not styles or not letters:
        return
    keep = keep or _shows
    if 0 in styles or not _usual_layout(part, styles):
        yield from _placed(part, styles, {column_number(c) for c in letters.split(b"|")}, keep)
        return
    index = "|".join(map(str, styles)).encode()
    tail = rb"([^<>]*+)>"  # the rest of the tag, however long
    usual = re.compile(rb'<c r="(' + letters + rb')([0-9]{1,7})" s="(' + index + rb')"' + tail)
    yield from _shown_otherwise(usual.finditer(part), styles, keep)


def _usual_layout(part: bytes, styles: dict[int, str]) -> bool:
    """Whether every cell of the part is written ``<c r="A2"`` (no prefix, the reference
    first), its start uses double quotes and its first styled cell is written ``<c r="A2"
    s="5"``: its writer writes every cell so (or it has no styled cell)."""
    if b"='" in part[:_HEAD] or _PREFIXED.search(part, 0, _HEAD) is not None:
        return False
    if _UNPLACED.search(part) is not None:
        return False
    found = [p for n in styles if (p := part.find(b' s="%d"' % n)) >= 0]
    if not found:
        return b" s='" not in part and _every_style_usual(part, styles)
    first = min(found)
    start = part.rfind(b"<", max(0, first - TAG_MAX), first)
    usual = re.fullmatch(rb'<c r="[A-Za-z]{1,3}[0-9]{1,7}"', part[start:first]) is not None
    return usual and _every_style_usual(part, styles)


def _every_style_usual(part: bytes, styles: dict[int, str]) -> bool:
    """Whether every cell with one of ``styles`` is written ``<c r="A2" s="5"``: a cell
    written otherwise further on (``s = "5"``, ``t="n"`` first, a line break) escaped the
    regular expression, the format check with it."""
    index = b"|".join(b"%d" % n for n in styles)
    loose = re.compile(rb"<c\b[^<>]*?\ss\s*=\s*[\"'](?:" + index + rb")[\"']")
    strict = re.compile(rb'<c r="[A-Za-z]{1,3}[0-9]{1,7}" s="(?:' + index + rb')"')
    return sum(1 for _ in loose.finditer(part)) == sum(1 for _ in strict.finditer(part))


class Unchecked(ValueError):
    """A sheet part the number format check cannot parse cell by cell."""


def _parse(
    xml: bytes,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], object] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Parse ``xml`` with expat, calling the handlers given; :class:`Unchecked` when it is not
    well-formed or declares a document type or entities (workbooks never do)."""

    def refuse(*_: object) -> None:
        raise Unchecked("the part declares a document type or entities")

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise Unchecked(str(exc)) from None


def _placed(
    part: bytes, styles: dict[int, str], wanted: set[int], keep: Callable[[str, str], bool]
) -> Iterator[tuple[int, int, str]]:
    """:func:`styled_cells` by an XML parser: each cell placed as the engines place it (by its
    reference; without one, the column after the cell before it, or A in a new row; a row
    without a number is the one after the row before it)."""
    found: list[tuple[int, int, str]] = []
    at = [0, 0]  # the row and column of the last row and cell met (1-based; 0: none yet)

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            number = attrs.get("r", "")
            at[0], at[1] = int(number) if number.isdigit() else at[0] + 1, 0
        elif local == "c":
            ref = _REFERENCE.fullmatch(attrs.get("r", ""))
            if ref is not None:
                at[0], at[1] = int(ref.group(2)), column_number(ref.group(1).encode())
            else:
                at[1] += 1
            style = attrs.get("s", "0")
            code = styles.get(int(style) if style.isdigit() else -1)
            if code is not None and at[1] in wanted and keep(attrs.get("t", "n"), code):
                found.append((at[0], at[1], code))

    _parse(part, start)
    yield from found


def _shows(kind: str, code: str) -> bool:
    """Whether a cell of type ``kind`` (its ``t``) is shown otherwise than it holds by
    ``code``: a number by :func:`shows_other_digits`, a text by :func:`hides_text`."""
    if kind == "n":
        return shows_other_digits(code)
    return kind in _TEXT and hides_text(code)


def _shown_otherwise(
    found: Iterable[re.Match[bytes]], styles: dict[int, str], keep: Callable[[str, str], bool]
) -> Iterator[tuple[int, int, str]]:
    """The cells of ``found`` (groups: letters, row, style, the rest of the tag) that their
    style shows otherwise (:func:`_shows`); booleans and errors are shown as they are."""
    for match in found:
        letters, row, style, _ = match.groups()
        kind = _TYPE.search(match.group(0))
        code = styles[int(style)]
        if keep(kind.group(1).decode() if kind is not None else "n", code):
            yield int(row), column_number(letters), code


#: The end of a sheet's cells (``</sheetData>``, or ``<sheetData/>``): their conditional
#: formatting follows, in the sheet (a rule's format in ``styles.xml``: ``dxfId``) and in its
#: extensions (the format written in the rule).
_CELLS_END = re.compile(
    rb"</" + PREFIX + rb"sheetData" + SPACE + rb"*>|<" + PREFIX + rb"sheetData" + SPACE + rb"*/>"
)
_RANGE = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]{1,7})?(?::\$?([A-Za-z]{1,3})?\$?([0-9]{1,7})?)?")


def conditional_formats(part: bytes, rules: dict[int, str]) -> list[tuple[Range, str]]:
    """The ranges (top, left, bottom, right; 1-based) a conditional formatting rule may show
    with a format of ``rules`` (by ``dxfId``: :attr:`Formats.rules`) or with one it writes
    itself (Excel 2010's extensions), and that format's code.  Whether the rule applies to a
    cell is not known: its cells may be shown so.  Raises :class:`Unchecked` when the part
    cannot be parsed."""
    if not (rules or b"numFmt" in part) or b"onditionalFormatting" not in part:
        return []
    tail = _after_cells(part)
    close = tail.rfind(b"</")  # the root element's end, which the slice does not open
    if close < 0:
        return []
    found: list[tuple[Range, str]] = []
    for refs, code in _rules(b"<tail>" + tail[:close] + b"</tail>", rules):
        found += [(r, code) for text in refs.split() if (r := _range(text)) is not None]
    return found


def _after_cells(part: bytes) -> bytes:
    """What follows the sheet's cells (searched from the part's end: the cells are most of
    it); the whole part when it has no cells element."""
    pos = len(part)
    while (pos := part.rfind(b"sheetData", 0, pos)) >= 0:
        start = part.rfind(b"<", max(0, pos - 64), pos)
        found = _CELLS_END.match(part, start) if start >= 0 else None
        if found is not None:
            return part[found.end() :]
    return part


def _rules(xml: bytes, rules: dict[int, str]) -> list[tuple[str, str]]:
    """(sqref, code) of each rule of ``xml`` whose format shows cells otherwise."""
    out: list[tuple[str, str]] = []
    state: dict[str, str] = {"sqref": "", "text": ""}
    codes: list[str] = []  # the formats of the rules of the conditional formatting read

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        state["text"] = ""
        if local == "conditionalFormatting":
            state["sqref"] = attrs.get("sqref", "")
            codes.clear()
        elif local == "cfRule" and attrs.get("dxfId", "").isdigit():
            code = rules.get(int(attrs["dxfId"]))
            codes.extend([code] if code is not None else [])
        elif local == "numFmt" and _misleading({0: attrs.get("formatCode", "")}, dates=True):
            codes.append(attrs["formatCode"])

    def text(data: str) -> None:
        state["text"] += data

    def end(name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "sqref":
            state["sqref"] += " " + state["text"]
        elif local == "conditionalFormatting":
            out.extend((state["sqref"], code) for code in codes)

    _parse(xml, start, end, text)
    return out


def _range(text: str) -> Range | None:
    """A range of a ``sqref`` (``B2:B100``, ``C5``, ``B:B``, ``2:4``), or None."""
    found = _RANGE.fullmatch(text)
    if found is None or not any(found.groups()):
        return None
    left, top, right, bottom = found.groups()
    if found.group(0).count(":") == 0:
        right, bottom = left, top
    if (left is None) != (right is None) or (top is None) != (bottom is None):
        return None
    first_col = column_number(left.encode()) if left else 1
    last_col = column_number(right.encode()) if right else 16_384
    first_row, last_row = (int(top), int(bottom)) if top and bottom else (1, 1_048_576)
    return (
        min(first_row, last_row),
        min(first_col, last_col),
        max(first_row, last_row),
        max(first_col, last_col),
    )


__all__ = [
    "DATE_FORMAT_IDS",
    "LAST_DATE",
    "Formats",
    "Unchecked",
    "conditional_formats",
    "hides_text",
    "misleading_formats",
    "misleading_styles",
    "shows_as_date",
    "shows_dates",
    "shows_number_otherwise",
    "shows_other_digits",
    "styled_cells",
]
