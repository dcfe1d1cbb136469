"""A CSV file's text encoding: one for the whole file, or a clear refusal -- never a guess.

:func:`detect` looks at the first bytes (byte order marks, UTF-8, else cp1252, else latin-1);
:func:`whole_encoding` makes sure the whole file is that encoding before any cell is read.  A
file that is UTF-8 in some lines and cp1252 in others (two exports pasted together, one line
typed in an old editor) cannot be read either way without changing cells: as cp1252 every
UTF-8 ``é`` becomes ``Ã©``, as UTF-8 every cp1252 ``é`` becomes ``�``.  Such a file is refused,
naming a line of each.

Nor can cp1252 be told from Mac Roman (Excel for Mac's "CSV (Macintosh)") by decoding: every
byte reads in both.  Mac Roman writes é, ü, ä, ç ... as 0x80-0x9F, which cp1252 reads as
symbols and capitals (``Décideur`` -> ``DŽcideur``).  A file whose bytes there read as cp1252
text no word holds (a symbol or a capital inside a word, a byte cp1252 has not) is refused,
naming the line and both readings (:func:`_refuse_mac_roman`).  í ó ö ú û read as ’ — š œ ž,
which cp1252 words do hold: a file with only those is read as cp1252.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import Final

from hubframe.errors import SourceError

UTF8: Final = "utf-8"
#: A well-formed UTF-8 sequence of two to four bytes (a letter beyond ASCII, written as UTF-8).
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_SHOWN: Final = 24  # bytes shown each side of what a message points at
_SLICE: Final = 16 * 1024 * 1024  # bytes decoded at a time when checking a whole file


def detect(sample: bytes, complete: bool) -> tuple[str, int]:
    """(codec, length of the byte order mark the file starts with) from the file's first
    bytes; ``complete``: the sample is the whole file."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8, 3
    if sample.startswith(codecs.BOM_UTF32_LE):  # before UTF-16's, which begins it
        return "utf-32-le", 4
    if sample.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    try:
        codecs.getincrementaldecoder(UTF8)().decode(sample, final=complete)
        return UTF8, 0
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252", 0
    except UnicodeDecodeError:
        return "latin-1", 0


def code_unit(codec: str) -> int:
    """Bytes a character takes at least in ``codec``: 2 in UTF-16, 4 in UTF-32, else 1."""
    return 4 if codec.startswith("utf-32") else 2 if codec.startswith("utf-16") else 1


def whole_encoding(data: bytes, codec: str, bom: int, name: str) -> str:
    """The codec that reads all of ``data`` (after its byte order mark) as the one encoding it
    is written in: ``codec`` when it does; cp1252 (else latin-1) for a file that is not UTF-8
    and holds no UTF-8 text.  InputError (naming the lines) for a file mixing UTF-8 with
    another encoding, or a UTF-16 file with bytes that are not UTF-16.  The file is decoded
    in slices, so a large one costs no copy of its text."""
    body = memoryview(data)[bom:]
    bad = first_undecodable(body, codec)
    if bad is None and (codec == UTF8 or code_unit(codec) > 1):
        return codec
    if bad is not None and code_unit(codec) > 1:
        shown = codec[:6].upper()  # UTF-16, UTF-32
        raise SourceError(
            f"{name}: line {_line_of(body, bad, codec)} holds bytes that are not {shown} text, as "
            "the rest of the file is; the file is damaged. Save the sheet again as CSV and try "
            "again."
        )
    _refuse_mixed(body, name)
    windows = "cp1252" if first_undecodable(body, "cp1252") is None else "latin-1"
    _refuse_mac_roman(body, windows, name)
    return windows


def first_undecodable(body: bytes | memoryview, codec: str) -> int | None:
    """The offset of the first byte ``codec`` cannot decode in ``body`` (None: it all
    decodes), found slice by slice (a slice's text is dropped at once)."""
    decoder = codecs.getincrementaldecoder(codec)()
    for start in range(0, len(body), _SLICE):
        pending = len(decoder.getstate()[0])  # bytes of a character the last slice began
        try:
            decoder.decode(body[start : start + _SLICE], final=start + _SLICE >= len(body))
        except UnicodeDecodeError as exc:
            return start - pending + exc.start
    return None


def _refuse_mixed(body: bytes | memoryview, name: str) -> None:
    """InputError when ``body`` (not UTF-8 as a whole) holds UTF-8 text somewhere."""
    found = _UTF8_SEQUENCE.search(body)
    bad = first_undecodable(body, UTF8)
    if found is None or bad is None:
        return
    utf8_line, other_line = _line_of(body, found.start()), _line_of(body, bad)
    raise SourceError(
        f"{name}: the file mixes two text encodings: line {utf8_line} has UTF-8 text "
        f"({_around(body, found.start())!r}) and line {other_line} a byte that UTF-8 does not "
        f"have ({_around(body, bad)!r}, likely written by an older program). Read either way, "
        "some cells would change (é would read as Ã© in one and as � in the other). Open the "
        "file, save it again as 'CSV UTF-8', and try again."
    )


#: A byte of 0x80-0x9F beside an ASCII letter: a Mac Roman letter, or cp1252 punctuation.
_BESIDE_LETTER: Final = re.compile(rb"(?<=[A-Za-z])[\x80-\x9f]|[\x80-\x9f](?=[A-Za-z])")
#: cp1252 characters no text has beside a letter (Mac Roman reads each as a letter there):
#: ƒ ˆ ˜ (Éditeur -> ƒditeur), † ‡ ‰ • € (Über -> †ber, Ärger -> €rger).
_NEVER_BESIDE: Final = frozenset("ƒˆ˜†‡‰•€")
#: Quotes written on one side of a word ("Hallo", „Hallo“, ‚so‘, ‹oui›), never between letters
#: (Mac Roman's ë ì î ã õ ô there: "Citro‘n", "Citroën").
_QUOTES: Final = frozenset("‚„‹›‘“”™")


def _refuse_mac_roman(body: bytes | memoryview, windows: str, name: str) -> None:
    """InputError when a byte of 0x80-0x9F beside a letter reads, in ``windows`` (cp1252 or
    latin-1), as nothing text holds there (:func:`_unlike_text`), or as something odd that
    Mac Roman reads as a letter that fits (:func:`_odd_beside`, :func:`_fits_mac_roman`):
    "twice…No" reads "twiceÖNo" in Mac Roman, and is taken as Windows'."""
    for found in _BESIDE_LETTER.finditer(body):
        at = found.start()
        odd = _odd_beside(body, at, windows) and _fits_mac_roman(body, at)
        if not (odd or _unlike_text(body, at, windows)):
            continue
        line = _line_of(body, at)
        shown, mac = _around(body, at, windows), _around(body, at, "mac_roman")
        raise SourceError(
            f"{name}: line {line} reads as {shown!r} in Windows' encoding ({windows}) and as "
            f"{mac!r} in Mac Roman (Excel for Mac's 'CSV (Macintosh)'); which one the file is "
            "written in is not known, and read in the other, cells would change. Open the "
            "file, save it again as 'CSV UTF-8', and try again."
        )


def _unlike_text(body: bytes | memoryview, at: int, windows: str) -> bool:
    """Whether byte ``at`` (0x80-0x9F, beside a letter) reads in ``windows`` as text never has
    it there: a control (a byte cp1252 has not); ƒ ˆ ˜ † ‡ ‰ • € beside a letter ("ƒditeur",
    "†ber", "€rger"); a capital after a letter beside a small one ("DŽcideur"); a quote or ™ between
    letters; – between small letters ("Espa–a", España; "Paris–London", "1990–2000" are
    text)."""
    char = bytes(body[at : at + 1]).decode(windows)
    before, after = _letter(body, at - 1), _letter(body, at + 1)
    if unicodedata.category(char) == "Cc" or char in _NEVER_BESIDE:
        return True
    if char.isupper():  # "PRIŠTINA", "Žena" are words
        return bool(before) and (before.islower() or after.islower())
    if char in _QUOTES:
        return bool(before and after)
    if char == "–":
        return before.islower() and after.islower()
    return False


def _odd_beside(body: bytes | memoryview, at: int, windows: str) -> bool:
    """Whether byte ``at`` reads in ``windows`` as text seldom has it: … beside a letter
    ("…sterreich", Österreich; "wait…what" is text), ‘ closing a word ("Zo‘", Zoë)."""
    char = bytes(body[at : at + 1]).decode(windows)
    before, after = _letter(body, at - 1), _letter(body, at + 1)
    return char == "…" or (char == "‘" and bool(before) and not after)


def _fits_mac_roman(body: bytes | memoryview, at: int) -> bool:
    """Whether byte ``at`` (0x80-0x9F: a letter in Mac Roman) reads there as a letter of a
    word: not a capital right after a small letter ("twice…No" would read "twiceÖNo")."""
    char = bytes(body[at : at + 1]).decode("mac_roman")
    return not (char.isupper() and _letter(body, at - 1).islower())


def _letter(body: bytes | memoryview, at: int) -> str:
    """The ASCII letter at ``at`` ("" for anything else, or outside ``body``)."""
    if at < 0 or at >= len(body):
        return ""
    char = chr(body[at])
    return char if char.isascii() and char.isalpha() else ""


def _line_of(body: bytes | memoryview, offset: int, codec: str = UTF8) -> int:
    """The file line (1 for the first) holding byte ``offset``: CR, LF and CRLF end lines."""
    before = bytes(body[:offset])
    if code_unit(codec) > 1:
        text = before.decode(codec, errors="replace")
        return text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _around(data: bytes | memoryview, offset: int, codec: str = UTF8) -> str:
    """The text of the line around byte ``offset``, read in ``codec`` (a single-byte codec, or
    UTF-8: bytes it does not have as �)."""
    body = bytes(data[max(0, offset - 4 * _SHOWN) : offset + 4 * _SHOWN])
    offset = min(offset, 4 * _SHOWN)
    start = max(body.rfind(b"\n", 0, offset), body.rfind(b"\r", 0, offset)) + 1
    ends = [end for end in (body.find(b"\n", offset), body.find(b"\r", offset)) if end >= 0]
    end = min([*ends, len(body), offset + _SHOWN])
    return body[max(start, offset - _SHOWN) : end].decode(codec, errors="replace")


__all__ = ["UTF8", "detect", "first_undecodable", "whole_encoding"]
