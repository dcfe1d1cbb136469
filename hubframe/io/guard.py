"""Checks a workbook before an Excel engine sees it: sizes, zip bombs and how far sheets reach.

python-calamine allocates a sheet's whole rectangle up front, from the first to the last cell
with a value: a 1.5 KB workbook with cells at A1 and XFD1048576 asks for hundreds of GiB and
the process aborts (no exception, a notebook kernel just dies).  A zip bomb inflates a 1 MB file
to gigabytes.  So, before calamine or openpyxl run:

- the zip is opened with Python's ``zipfile`` (its errors become :class:`InputError`); parts are
  counted, encrypted or exotically compressed parts refused, declared sizes and compression
  ratios checked against :class:`~hubframe.io.bounds.ReadLimits`; two entries naming one part
  (:func:`part_key`: ``Sheet1.xml`` beside ``sheet1.xml``, ``xl\\worksheets\\sheet1.xml``
  beside ``xl/worksheets/sheet1.xml``) refused, since calamine would read one and the checks
  the other;
- every part is decompressed (never more than its checked declared size) and written to a new,
  uncompressed zip: the engines only ever see parts that were measured, and calamine reads the
  stored parts faster than it inflates the originals;
- every XML part (named ``.xml`` or ``.rels``, or starting as XML does), every part the
  workbook names as a sheet whatever its name, and every part when the list of sheets cannot
  be read, is scanned for the cell and row references it really holds
  (``r="XFD1048576"``, in every form XML allows and the engines read: ``r='XFD1048576'``, a
  line break before ``r``, spaces around ``=``, character references; rows and cells without
  references counted too), and a sheet whose rows x columns exceed ``max_sheet_cells`` is
  refused, naming it, as is one writing a row twice (damaged: the engines keep one row's cells
  in place of the other's).  The size a sheet declares (``<dimension ref>``) is not: no engine
  allocates from it, and writers leave stale ones.  The cells each sheet reaches are kept
  (:class:`CheckedBook`): the reader counts the sheets an engine opens against
  ``max_workbook_cells``.

Shared-strings parts are checked too: their strings, counted, and the count they declare, within
``max_shared_strings`` (the engine keeps them all), the count declared within what the part's
size can hold; and a stylesheet past :data:`~hubframe.io.bounds.STYLES_MAX_BYTES` is refused
(the fallback engine parses it whole).

Binary formats whose structure calamine trusts without such a check (.xls, .xlsb, .ods) are
refused with a message asking for .xlsx.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import string
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote
from xml.parsers import expat

from hubframe.errors import InputError, interrupt_kept
from hubframe.io.bounds import STYLES_MAX_BYTES, ZIP_RATIO_FLOOR, ReadLimits, hint
from hubframe.io.placement import misplaced
from hubframe.io.xmltags import PREFIX, SPACE, column_letters, column_number, opening

XML_SCAN_PARTS: Final = (".xml", ".rels")
#: A cell's or row's reference, up to its value, in any form XML allows (xmltags.opening).
_R: Final = opening(b"r")
_ROW_REF = re.compile(_R + rb"0*([0-9]+)[\"']")
_PAST_ROWS: Final = 10**12  # a row number of more digits than this is past any sheet
_CELL_COLUMN = re.compile(_R + rb"([A-Za-z]{1,8})[0-9]")
_CELL_ROW = re.compile(_R + rb"[A-Za-z]{1,8}0*([0-9]+)[\"']")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c|sheetData)[\s>]")
#: What may follow an element's name in its start tag: a space or its end, and rarely XML's
#: other whitespace or ``/>`` (an empty cell or row without attributes): counted only in a
#: part that has such a tag (each count is a pass over the part).
_NAME_ENDS: Final = (b" ", b">")
_RARE_ENDS: Final = (b"\t", b"\n", b"\r", b"/")
_RARE_TAG = re.compile(rb"<(?:c|row)[\t\n\r/]")
#: A character reference to a letter or digit (``&#88;`` is X): openpyxl reads ``r="&#88;FD1"``
#: as XFD1 (calamine refuses it, and the read falls back to openpyxl).
_CHAR_REF = re.compile(rb"&#(?:[xX]0*([0-9A-Fa-f]{1,6})|0*([0-9]{1,7}));")
#: The start tag of a shared-strings table (its end: the first ``>``, which its attributes,
#: numbers, never hold), and the count of strings it declares, which python-calamine sets room
#: aside for before reading one (``uniqueCount="2000000000"``: 48 GB asked, the process aborted).
_SST_TAG = re.compile(rb"<" + PREFIX + rb"sst[ \t\n\r>/][^>]{0,4096}")
_UNIQUE_COUNT = re.compile(opening(b"uniqueCount") + SPACE + rb"*\+?([0-9]+)")
#: A shared string's start tag with a namespace prefix (``<x:si>``).
_PREFIXED_ITEM = re.compile(rb"<[A-Za-z_][\w.-]{0,32}:si[ \t\n\r>/]")
#: The fewest bytes a shared string takes in the part (``<si/>``).
_SHARED_STRING_BYTES: Final = 5


@dataclass(frozen=True)
class Extent:
    """How far a sheet part reaches: 1-based last row and column (0 when none)."""

    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


@dataclass(frozen=True)
class CheckedBook:
    """A workbook the engines may open: a stored zip of its measured parts, and how many
    cells (rows x columns, from A1) each sheet part reaches, which is what an engine allocates
    to read it (:class:`~hubframe.io.excel.Workbook` counts the sheets a read looks at)."""

    data: bytes
    cells: dict[str, int]  # part name -> rows x columns (Extent.cells)


def checked_workbook(data: bytes, source: str, limits: ReadLimits) -> bytes:
    """The workbook to hand to the engines: a stored zip of its measured parts, or InputError."""
    return checked_book(data, source, limits).data


def checked_book(data: bytes, source: str, limits: ReadLimits) -> CheckedBook:
    """:func:`checked_workbook`, with the cells each sheet part reaches."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise _damaged(source, exc) from exc
    with book:
        infos = _checked_infos(book, source, limits)
        _refuse_other_formats(book, infos, source)
        try:
            names: dict[str, str] | None = sheet_parts(book, infos)
        except Unreadable:
            names = None  # which parts are sheets is unknown: every part is scanned
        return _repacked(book, infos, source, limits, names)


def _damaged(source: str, exc: BaseException) -> InputError:
    return InputError(
        f"{source}: the workbook cannot be read; the file is damaged or not an Excel workbook "
        f"({type(exc).__name__}: {exc}). Open it in Excel and save it again as .xlsx."
    )


def _checked_infos(book: zipfile.ZipFile, source: str, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    infos = book.infolist()
    if len(infos) > limits.max_zip_parts:
        raise InputError(
            f"{source}: the workbook holds {len(infos):,} files; hubframe reads workbooks of at "
            f"most {limits.max_zip_parts:,} (max_zip_parts). Save it again from Excel, or "
            f"{hint('max_zip_parts')}."
        )
    seen: dict[str, str] = {}  # part_key -> the first entry's name
    total = 0
    for info in infos:
        key = part_key(info.filename)
        if key in seen:
            raise _one_part_twice(source, seen[key], info.filename)
        seen[key] = info.filename
        if info.flag_bits & 0x1:
            raise InputError(
                f"{source}: the workbook is password-protected. Remove the password in Excel, "
                "save, and try again."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged(source, ValueError(f"{info.filename}: compression {info.compress_type}"))
        total += info.file_size
        _check_size(source, info, total, limits)
        _check_styles(source, info)
    return [_slashed(info) for info in infos]


def part_key(name: str) -> str:
    """The part a zip entry's name names, as any reader may take it: ``\\`` for ``/``
    (calamine), case ignored (calamine ignores ASCII case; OPC part names ignore case),
    percent-encoding decoded, a leading ``/``, ``.`` and ``..`` segments and doubled slashes
    resolved (OPC part names, relation targets as openpyxl resolves them).  Two entries of one
    key are refused: a check and an engine could each read another one."""
    name = unicodedata.normalize("NFC", unquote(name).replace("\\", "/"))
    return posixpath.normpath("/" + name).lstrip("/").casefold()


def _one_part_twice(source: str, first: str, second: str) -> InputError:
    return InputError(
        f"{source}: the workbook is damaged: it holds two files for one part, '{first}' and "
        f"'{second}' (a part's name ignores case, and '\\' is read as '/'), which no "
        "spreadsheet program writes; the Excel engine would read one and hubframe's checks "
        "could read the other. Open it in Excel and save it again."
    )


def _slashed(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The entry named with ``/`` where it has ``\\`` (some Windows zip tools write them):
    calamine reads ``\\`` as ``/``, and so, in the checked copy, do openpyxl and the checks."""
    if "\\" not in info.filename:
        return info
    renamed = copy.copy(info)
    renamed.filename = info.filename.replace("\\", "/")
    return renamed


#: ASCII letters to lower case, others kept: how calamine compares part names.
_ASCII_LOWER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def folded(name: str) -> str:
    """A part name as calamine compares it: ``\\`` as ``/``, ASCII letters in lower case
    (the checks find a part by it, so they read the entry the engine reads)."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


def _check_size(source: str, info: zipfile.ZipInfo, total: int, limits: ReadLimits) -> None:
    if total > limits.max_unzipped_bytes:
        raise InputError(
            f"{source}: the workbook's parts add up to more than {_mb(limits.max_unzipped_bytes)} "
            f"once decompressed (max_unzipped_bytes; {info.filename} alone declares "
            f"{_mb(info.file_size)}). Split the workbook, or {hint('max_unzipped_bytes')}."
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > ZIP_RATIO_FLOOR and ratio > limits.max_zip_ratio:
        raise InputError(
            f"{source}: the part {info.filename} expands {ratio:,.0f} times when decompressed "
            f"({_mb(info.compress_size)} to {_mb(info.file_size)}); workbooks expand at most "
            f"{limits.max_zip_ratio} times (max_zip_ratio), more is a zip bomb. Save the "
            f"workbook again from Excel, or {hint('max_zip_ratio')}."
        )


def _check_styles(source: str, info: zipfile.ZipInfo) -> None:
    """InputError for a stylesheet past :data:`~hubframe.io.bounds.STYLES_MAX_BYTES`: the
    check of number formats reads no more, and openpyxl (where calamine fails) parses it
    whole (a 3.4 MB file's 122 MB stylesheet took it past 4 GB: a bare MemoryError)."""
    if posixpath.basename(folded(info.filename)) != "styles.xml":
        return
    if info.file_size > STYLES_MAX_BYTES:
        raise InputError(
            f"{source}: the workbook's cell styles ({info.filename}) take "
            f"{_mb(info.file_size)}; hubframe reads workbooks whose styles take at most "
            f"{_mb(STYLES_MAX_BYTES)} (Excel's 64,000 cell formats take some 6 MiB): the file "
            "holds thousands of unused styles, copied in with other workbooks' cells. Copy the "
            "rows to read into a new workbook (paste values) and save it, or save the sheet "
            "as CSV UTF-8."
        )


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def _refuse_other_formats(book: zipfile.ZipFile, infos: list[zipfile.ZipInfo], source: str) -> None:
    names = {i.filename.lower() for i in infos}
    kind = None
    if any(n.endswith("workbook.bin") for n in names):
        kind = "an Excel binary workbook (.xlsb)"
    elif "content.xml" in names and "mimetype" in names:
        kind = "an OpenDocument spreadsheet (.ods)"
    if kind is not None:
        raise InputError(
            f"{source}: this is {kind}, which hubframe does not read (its size cannot be "
            "checked before opening it). Open it in Excel or LibreOffice and save it as .xlsx."
        )


def refuse_legacy_excel(source: str) -> InputError:
    """The error for a (not encrypted) .xls workbook."""
    return InputError(
        f"{source}: this is an Excel 97-2003 workbook (.xls), which hubframe does not read (its "
        "size cannot be checked before opening it). Open it in Excel and save it as .xlsx "
        "(File > Save As > Excel Workbook)."
    )


# --- sheet names, for messages -----------------------------------------------------------------


class Unreadable(ValueError):
    """The workbook's list of sheets (workbook.xml and its relations) cannot be read."""


def sheet_names(book: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """Part name -> sheet name, for messages (:func:`sheet_parts`; empty when unreadable)."""
    try:
        return sheet_parts(book, infos)
    except Unreadable:
        return {}


def sheet_parts(book: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """Part name -> sheet name, read from workbook.xml and its relations, whatever their size
    (tens of thousands of defined names, as workbooks gather them, make workbook.xml many
    MiB): each is parsed as a stream, keeping only the elements wanted (:func:`_elements`).
    Raises :class:`Unreadable`."""
    stored = {folded(i.filename): i for i in infos}
    workbook = workbook_part(book, infos)
    folder = posixpath.dirname(workbook.filename)
    rels = posixpath.join(folder, "_rels", posixpath.basename(workbook.filename) + ".rels")
    sheets = _elements(book, workbook, "sheet", until="sheets")
    targets = _elements(book, stored.get(folded(rels)), "Relationship")
    where = {r.get("Id"): _stored_name(stored, folder, r.get("Target") or "") for r in targets}
    out: dict[str, str] = {}
    for sheet in sheets:
        rid = _relation_id(sheet)
        if rid in where:
            out[where[rid]] = sheet.get("name") or ""
    return out


def _stored_name(stored: dict[str, zipfile.ZipInfo], folder: str, target: str) -> str:
    """The archive's name of a relation's target part (found as calamine finds it: another
    case, ``\\`` for ``/``), or the part name when the archive holds none."""
    part = resolve_part(folder, target)
    found = stored.get(folded(part))
    return found.filename if found is not None else part


#: The namespaces of a sheet's relation id (``r:id``), transitional and strict.
_RELATION_NAMESPACES: Final = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


def _relation_id(sheet: dict[str, str]) -> str | None:
    """A ``<sheet>``'s relation id: its ``r:id`` (the namespace the engines read), else an
    ``id`` of another namespace (before, the first of any namespace, which a crafted file
    could point at another part than the engines read)."""
    for space in _RELATION_NAMESPACES:
        if f"{space} id" in sheet:
            return sheet[f"{space} id"]
    return next((v for k, v in sheet.items() if k.endswith(" id")), None)


#: Where the engines find the workbook part (calamine reads this one).
_WORKBOOK: Final = "xl/workbook.xml"
_OFFICE_DOCUMENT: Final = "/officeDocument"


def workbook_part(book: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> zipfile.ZipInfo:
    """The workbook part the engines read: ``xl/workbook.xml``, or the one the package's
    relations (``_rels/.rels``) name; another part named ``...workbook.xml`` is not it (a
    crafted one put first in the archive had every check read a decoy's sheets while the
    engine read the real ones).  Raises :class:`Unreadable` when there is none, or when the
    relations name another part than ``xl/workbook.xml`` (which would be read, by which
    engine, cannot be told)."""
    lower = {folded(i.filename): i for i in infos}
    named = _package_workbook(book, lower)
    usual = lower.get(_WORKBOOK)
    if usual is not None and named is not None and named is not usual:
        raise Unreadable(f"its relations name {named.filename} as the workbook, not {_WORKBOOK}")
    found = usual or named
    if found is None:
        candidates = [i for i in infos if i.filename.lower().endswith("workbook.xml")]
        if len(candidates) != 1:
            raise Unreadable("it holds no workbook.xml" if not candidates else "it holds several")
        found = candidates[0]
    return found


def _package_workbook(
    book: zipfile.ZipFile, lower: dict[str, zipfile.ZipInfo]
) -> zipfile.ZipInfo | None:
    """The part ``_rels/.rels`` names the office document, when there is one."""
    rels = lower.get("_rels/.rels")
    if rels is None:
        return None
    relations = _elements(book, rels, "Relationship")
    for relation in relations:
        if (relation.get("Type") or "").endswith(_OFFICE_DOCUMENT):
            return lower.get(folded(resolve_part("", relation.get("Target") or "")))
    return None


def recalculates(book: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bool:
    """Whether the workbook asks to be computed again when opened (``<calcPr
    fullCalcOnLoad="1">``): XlsxWriter and openpyxl write it, XlsxWriter with a placeholder
    value of 0 in every formula cell.  Raises :class:`Unreadable`."""
    calc = _elements(book, workbook_part(book, infos), "calcPr")
    return any(c.get("fullCalcOnLoad", "").lower() in ("1", "true") for c in calc)


class _Done(Exception):
    """The element wanted has ended: the rest of the part is not parsed."""


def _elements(
    book: zipfile.ZipFile, info: zipfile.ZipInfo | None, local: str, until: str = ""
) -> list[dict[str, str]]:
    """The attributes of the elements named ``local`` (any namespace) of an XML part, parsed
    as a stream up to the end of the element ``until`` (workbook.xml lists its sheets before
    its defined names): memory for what is kept, time in proportion to the part (expat builds
    no tree and nests without recursion).  A part declaring a document type (where entities
    that expand without end are declared) is refused: workbooks never declare one."""
    if info is None:
        raise Unreadable("it holds no relations of workbook.xml")
    found: list[dict[str, str]] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag.rsplit(" ", 1)[-1] == local:
            found.append(attrs)

    def end(tag: str) -> None:
        if tag.rsplit(" ", 1)[-1] == until:
            raise _Done

    def refuse(*_: object) -> None:
        raise Unreadable(f"{info.filename} declares a document type or entities")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    if until:
        parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        with book.open(info) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Done:
        pass
    except expat.ExpatError as exc:
        raise Unreadable(f"{info.filename}: {exc}") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        if isinstance(exc, Unreadable):
            raise
        raise Unreadable(f"{info.filename}: {exc}") from None
    return found


def resolve_part(folder: str, target: str) -> str:
    """A relation's target as a part name of the archive (relative to ``folder``, or
    absolute)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))


# --- the measured copy -------------------------------------------------------------------------


def _repacked(
    book: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    source: str,
    limits: ReadLimits,
    names: dict[str, str] | None,
) -> CheckedBook:
    out = io.BytesIO()
    cells: dict[str, int] = {}
    with interrupt_kept(), zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as copy:
        for info in infos:
            part = _read_checked(book, info, source)
            if _scanned(info.filename, part, names):
                _check_shared_strings(part, source, info.filename, limits)
                sheet = (names or {}).get(info.filename)
                found = _check_extent(
                    part, source, sheet or info.filename, limits, sheet is not None
                )
                cells[info.filename] = found.cells
            copy.writestr(_stored_info(info), part)
    return CheckedBook(out.getvalue(), cells)


#: What may come before an XML part's first ``<``: a byte order mark, then whitespace.
_XML_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*<")


def _scanned(name: str, part: bytes, names: dict[str, str] | None) -> bool:
    """Whether a part is scanned for how far its cells reach: one named like XML, one the
    workbook names as a sheet (calamine reads the part a sheet's relation leads to whatever
    its name: ``sheet1.bin``, unscanned, read as 0 cells, had it allocate A1:XFD1048576 and
    abort the process), one whose bytes start as XML does, and, when the workbook's list of
    sheets cannot be read (``names`` None: which parts are sheets is unknown), every part."""
    return (
        names is None
        or name.lower().endswith(XML_SCAN_PARTS)
        or name in names
        or _XML_START.match(part, 0, 4096) is not None
    )


def _check_shared_strings(part: bytes, source: str, name: str, limits: ReadLimits) -> None:
    """InputError when the part is a shared-strings table declaring more strings than its
    size can hold (each takes at least ``<si/>``) or than ``max_shared_strings``
    (python-calamine sets room aside for the count declared before reading a string, and an
    allocation it cannot make aborts the process), or holding more strings than
    ``max_shared_strings``: calamine keeps some 80 bytes a string besides its text (20
    million ``<si><t>a</t></si>``, 340 MB in a 2.4 MB file, took it past 4 GB and aborted the
    process).  A count within both is left as it is (writers leave stale ones)."""
    if b"sst" not in part:
        return
    tags = list(_SST_TAG.finditer(part))
    if not tags:
        return
    most = len(part) // _SHARED_STRING_BYTES
    for tag in tags:
        text = tag.group(0)
        if b"&#" in text:
            text = _CHAR_REF.sub(_character, text)
        for found in _UNIQUE_COUNT.finditer(text):
            declared = found.group(1).lstrip(b"0")
            if len(declared) > 12 or int(declared or b"0") > most:
                raise InputError(
                    f"{source}: the part {name} declares {_shown_count(declared)} shared "
                    f"strings (uniqueCount), more than its {len(part):,} bytes can hold "
                    f"({most:,} at most): the file is damaged or was not written by a "
                    "spreadsheet program, and the Excel engine would set room aside for all of "
                    "them. Open it in Excel and save it again."
                )
            if int(declared or b"0") > limits.max_shared_strings:
                raise _too_many_strings(source, name, int(declared), limits, "declares")
    if most > limits.max_shared_strings:  # else it cannot hold too many: not counted
        held = sum(part.count(b"<si" + end) for end in _NAME_ENDS + _RARE_ENDS)
        if any(tag.group(0)[1:4] != b"sst" for tag in tags):  # a prefix: <x:sst>, <x:si>
            held += sum(1 for _ in _PREFIXED_ITEM.finditer(part))
        if held > limits.max_shared_strings:
            raise _too_many_strings(source, name, held, limits, "holds")


def _too_many_strings(
    source: str, name: str, count: int, limits: ReadLimits, how: str
) -> InputError:
    return InputError(
        f"{source}: the part {name} {how} {count:,} shared strings (the distinct texts of "
        f"the workbook's cells); hubframe reads workbooks of at most "
        f"{limits.max_shared_strings:,} (max_shared_strings): the Excel engine holds them all "
        f"in memory. Split the workbook, or {hint('max_shared_strings')}."
    )


def _shown_count(digits: bytes) -> str:
    """A declared count for a message (clipped: it may be any number of digits)."""
    if len(digits) > 15:
        return f"a {len(digits):,}-digit number of"
    return f"{int(digits or b'0'):,}"


def _read_checked(book: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> bytes:
    """A part's bytes: zipfile never inflates more than the declared (checked) size and
    verifies the CRC of what it inflated."""
    try:
        with book.open(info) as handle:
            part = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise _damaged(source, exc) from exc
    if len(part) != info.file_size:
        raise _damaged(source, ValueError(f"{info.filename} is not the size it declares"))
    return part


def _stored_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    stored = zipfile.ZipInfo(info.filename, date_time=_date_time(info))
    stored.compress_type = zipfile.ZIP_STORED
    stored.external_attr = info.external_attr
    return stored


def _date_time(info: zipfile.ZipInfo) -> tuple[int, int, int, int, int, int]:
    year, *rest = info.date_time
    return (year, *rest) if 1980 <= year <= 2107 else (1980, 1, 1, 0, 0, 0)  # type: ignore[return-value]


# --- how far a sheet reaches -------------------------------------------------------------------


#: The last row and column a sheet of Excel (and LibreOffice) can have: a cell past them is
#: in no spreadsheet program's file, and engines read it all the same (a cell at A5000000
#: made a 5 KB file take 7 s).
EXCEL_ROWS: Final = 1_048_576
EXCEL_COLUMNS: Final = 16_384


@dataclass(frozen=True)
class _Scan:
    """What a part's references say: how far its cells can reach (``found``), how far its
    references name (``referenced``), and a row number two of its rows name (0: none)."""

    found: Extent
    referenced: Extent
    repeated_row: int = 0
    estimated: bool = False  # rows or cells without references: ``found`` is an upper bound


def _check_extent(
    part: bytes, source: str, sheet: str, limits: ReadLimits, worksheet: bool
) -> Extent:
    """How far the part reaches (``worksheet``: a sheet's cells), or InputError when past a
    spreadsheet's last row or column, or past ``max_sheet_cells``, or (a sheet) when it
    writes a row twice."""
    scan = _found(part)
    found, referenced = scan.found, scan.referenced
    if scan.estimated and _past(found, limits):
        found = _placed(part, referenced)  # the bound is too loose to refuse by: place them
    if _past(referenced, None) or _past(found, None):
        far = referenced if _past(referenced, None) else found
        raise InputError(
            f"{source} [{sheet}]: the sheet has a cell or row at row {far.rows:,}, "
            f"column {far.columns:,}, past the last row (1,048,576) or column (XFD) a "
            "spreadsheet can have: the file is damaged or was not written by a spreadsheet "
            "program. Open it in Excel and save it again, or export the sheet again."
        )
    # The size a sheet declares (<dimension>) is not checked: neither engine trusts it (a
    # stale A1:XFD1048576 over two rows reads as two rows), and writers leave stale ones.
    if found.cells > limits.max_sheet_cells:
        raise InputError(
            f"{source} [{sheet}]: the sheet holds cells up to row {found.rows:,} and column "
            f"{found.columns:,} ({column_letters(found.columns)}), "
            f"{found.cells:,} cells; hubframe reads sheets of at most "
            f"{limits.max_sheet_cells:,} cells (max_sheet_cells). Delete the far-away "
            f"cells in Excel (select the rows and columns after the data, Delete, save), or "
            f"{hint('max_sheet_cells')}."
        )
    if worksheet and scan.repeated_row:
        raise InputError(
            f"{source} [{sheet}]: the sheet's XML writes row {scan.repeated_row:,} twice, "
            "which no spreadsheet program does: the file is damaged, and the engines keep one "
            "row's cells in place of the other's. Open it in Excel, check that row, save, and "
            "try again."
        )
    if worksheet:
        _check_placement(part, source, sheet)
    return found


def _check_placement(part: bytes, source: str, sheet: str) -> None:
    """InputError when the sheet writes a cell twice or out of order (io.placement): the
    engines read such a sheet differently, keeping one cell in place of another or dropping
    it."""
    if b"&#" in part:
        part = _CHAR_REF.sub(_character, part)
    wrong = misplaced(part)
    if wrong is None:
        return
    what = wrong.reference if wrong.reference.startswith("row") else f"the cell {wrong.reference}"
    where = (
        ""
        if wrong.why.startswith("in row") or what == wrong.reference
        else f" in row {wrong.row:,}"
    )
    raise InputError(
        f"{source} [{sheet}]: the sheet's XML writes {what} {wrong.why}{where}, "
        "which no spreadsheet program does: the file is damaged, and the engines would keep "
        "one cell in place of another or leave one out. Open it in Excel, check that row, "
        "save, and try again."
    )


def _found(part: bytes) -> _Scan:
    """The last row and column the part's cells and rows can reach (an upper bound: rows and
    cells written without a reference follow the previous one, as the engines place them),
    and the last ones its references name.  References are found in every form XML allows
    (``r='A1'``, a line break before ``r``, spaces around ``=``, letters and digits written as
    character references)."""
    if b"&#" in part:
        part = _CHAR_REF.sub(_character, part)
    rows = _ROW_REF.findall(part)
    columns = _CELL_COLUMN.findall(part)
    if not rows and not columns:
        return _Scan(Extent(0, 0), Extent(0, 0))
    named_row = _last_row(rows)
    if _beyond_row(named_row).search(part):  # a cell reference below every row element
        named_row = max(named_row, _last_row(_CELL_ROW.findall(part)))
    last_column = max(map(column_number, set(columns)), default=0)
    referenced = Extent(named_row, last_column)
    ends = _NAME_ENDS + (_RARE_ENDS if _RARE_TAG.search(part) else ())
    elements = _count(part, b"row", ends)
    last_row = named_row + max(0, elements - len(rows))  # rows without r="": one more each
    unreferenced = max(0, _count(part, b"c", ends) - len(columns))
    last_column += unreferenced  # cells without r="": at most one further column each
    found = Extent(max(last_row, 1 if columns else 0), last_column)
    estimated = unreferenced > 0 or elements > len(rows)
    return _Scan(found, referenced, _repeated(rows), estimated)


def _past(extent: Extent, limits: ReadLimits | None) -> bool:
    """Whether ``extent`` is past a spreadsheet's last row or column (or, given ``limits``,
    past ``max_sheet_cells``)."""
    if extent.rows > EXCEL_ROWS or extent.columns > EXCEL_COLUMNS:
        return True
    return limits is not None and extent.cells > limits.max_sheet_cells


#: A row's or cell's start tag, its attributes (group 1) up to the first ``>``.
_ROW_TAG = re.compile(rb"<" + PREFIX + rb"row(?=[ \t\n\r>/])([^>]*)")
_CELL_TAG = re.compile(rb"<" + PREFIX + rb"c(?=[ \t\n\r>/])([^>]*)")


def _placed(part: bytes, referenced: Extent) -> Extent:
    """How far the part's rows and cells reach as the engines place them: a row without a
    reference the one after the row before it, a cell without one the column after the cell
    before it in its row (exact, where :func:`_found` adds every unreferenced cell of the
    part to one row).  Time in proportion to the part, a step per row and per cell of rows
    mixing cells with and without references: used only where the bound is past a limit."""
    if b"&#" in part:
        part = _CHAR_REF.sub(_character, part)
    tags = list(_ROW_TAG.finditer(part))
    row = last = widest = 0
    for at, tag in enumerate(tags):
        named = _ROW_REF.search(tag.group(1))
        row = _last_row([named.group(1)]) if named else row + 1
        last = max(last, row)
        end = tags[at + 1].start() if at + 1 < len(tags) else len(part)
        widest = max(widest, _row_width(_CELL_TAG.findall(part, tag.end(), end)))
    return Extent(max(last, referenced.rows), max(widest, referenced.columns))


def _row_width(cells: list[bytes]) -> int:
    """The last column of a row's cells (their start tags' attributes), placed as the
    engines place them."""
    if not any(b"r" in cell for cell in cells):
        return len(cells)
    column = widest = 0
    for cell in cells:
        named = _CELL_COLUMN.search(cell)
        column = column_number(named.group(1)) if named else column + 1
        widest = max(widest, column)
    return widest


def _repeated(rows: list[bytes]) -> int:
    """A row number ``rows`` holds twice, or 0."""
    if len(set(rows)) == len(rows):
        return 0
    seen: set[bytes] = set()
    for row in rows:
        if row in seen:
            return _last_row([row])
        seen.add(row)
    return 0


def _character(found: re.Match[bytes]) -> bytes:
    """A character reference as the letter or digit it stands for (others are left as they
    are: only references are looked for)."""
    hexadecimal, decimal = found.groups()
    code = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    character = chr(code) if code < 128 else ""
    return character.encode() if character.isalnum() else found.group(0)


def _last_row(rows: list[bytes]) -> int:
    """The greatest of the row numbers (digits without leading zeros)."""
    if not rows:
        return 0
    return _PAST_ROWS if max(map(len, rows)) > 12 else max(map(int, rows))


def _count(part: bytes, tag: bytes, ends: tuple[bytes, ...]) -> int:
    """Elements named ``tag`` (start tags: the name, then one of ``ends``); with a namespace
    prefix too when the part uses prefixes (seen in its first 64 KB, where the root element
    declares them)."""
    count = sum(part.count(b"<" + tag + end) for end in ends)
    if _PREFIXED.search(part, 0, 1 << 16):
        prefixed = rb"<[A-Za-z_][\w.-]{0,32}:" + tag + rb"[ \t\n\r>/]"
        count += sum(1 for _ in re.finditer(prefixed, part))
    return count


def _beyond_row(row: int) -> re.Pattern[bytes]:
    """Matches a cell reference whose row is greater than ``row``."""
    digits = str(row)
    options = [f"[1-9][0-9]{{{len(digits)},}}"]
    for i, d in enumerate(digits):
        if d != "9":
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}[{int(d) + 1}-9][0-9]{{{rest}}}")
    return re.compile(_R + ("[A-Za-z]{1,8}0*(?:" + "|".join(options) + ")[\"']").encode())


__all__ = [
    "CheckedBook",
    "Unreadable",
    "checked_book",
    "checked_workbook",
    "folded",
    "part_key",
    "refuse_legacy_excel",
    "resolve_part",
    "sheet_names",
    "sheet_parts",
]
