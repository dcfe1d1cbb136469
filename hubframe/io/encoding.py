"""A CSV file's text encoding: one for the whole file, or a clear refusal -- never a guess.

:func:`detect` looks at the first bytes (byte order marks, UTF-8, else cp1252, else latin-1);
:func:`whole_encoding` makes sure the whole file is that encoding before any cell is read.  A
file that is UTF-8 in some lines and cp1252 in others (two exports pasted together, one line
typed in an old editor) cannot be read either way without changing cells: as cp1252 every
UTF-8 ``é`` becomes ``Ã©``, as UTF-8 every cp1252 ``é`` becomes ``�``.  Such a file is refused,
naming a line of each.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

from hubframe.errors import InputError

UTF8: Final = "utf-8"
#: A well-formed UTF-8 sequence of two to four bytes (a letter beyond ASCII, written as UTF-8).
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_SHOWN: Final = 24  # bytes shown each side of what a message points at


def detect(sample: bytes, complete: bool) -> tuple[str, int]:
    """(codec, length of the byte order mark the file starts with) from the file's first
    bytes; ``complete``: the sample is the whole file."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8, 3
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


def whole_encoding(data: bytes, codec: str, bom: int, name: str) -> str:
    """The codec that reads all of ``data`` (after its byte order mark) as the one encoding it
    is written in: ``codec`` when it does; cp1252 (else latin-1) for a file that is not UTF-8
    and holds no UTF-8 text.  InputError (naming the lines) for a file mixing UTF-8 with
    another encoding, or a UTF-16 file with bytes that are not UTF-16."""
    body = data[bom:]
    try:
        body.decode(codec)
    except UnicodeDecodeError as exc:
        if codec.startswith("utf-16"):
            line = _line_of(body, exc.start, codec)
            raise InputError(
                f"{name}: line {line} holds bytes that are not UTF-16 text, as the rest of the "
                "file is; the file is damaged. Save the sheet again as CSV and try again."
            ) from None
    else:
        if codec == UTF8 or codec.startswith("utf-16"):
            return codec
    _refuse_mixed(body, name)
    try:
        body.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _refuse_mixed(body: bytes, name: str) -> None:
    """InputError when ``body`` (not UTF-8 as a whole) holds UTF-8 text somewhere."""
    found = _UTF8_SEQUENCE.search(body)
    if found is None:
        return
    try:
        body.decode(UTF8)
        return  # pragma: no cover - the caller checked it is not UTF-8
    except UnicodeDecodeError as exc:
        bad = exc.start
    utf8_line, other_line = _line_of(body, found.start()), _line_of(body, bad)
    raise InputError(
        f"{name}: the file mixes two text encodings: line {utf8_line} has UTF-8 text "
        f"({_around(body, found.start())!r}) and line {other_line} a byte that UTF-8 does not "
        f"have ({_around(body, bad)!r}, likely written by an older program). Read either way, "
        "some cells would change (é would read as Ã© in one and as � in the other). Open the "
        "file, save it again as 'CSV UTF-8', and try again."
    )


def _line_of(body: bytes, offset: int, codec: str = UTF8) -> int:
    """The file line (1 for the first) holding byte ``offset``: CR, LF and CRLF end lines."""
    before = body[:offset]
    if codec.startswith("utf-16"):
        text = before.decode(codec, errors="replace")
        return text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _around(body: bytes, offset: int) -> str:
    """The text of the line around byte ``offset`` (bytes UTF-8 does not have as �)."""
    start = max(body.rfind(b"\n", 0, offset), body.rfind(b"\r", 0, offset)) + 1
    ends = [end for end in (body.find(b"\n", offset), body.find(b"\r", offset)) if end >= 0]
    end = min([*ends, len(body), offset + _SHOWN])
    return body[max(start, offset - _SHOWN) : end].decode(UTF8, errors="replace")


__all__ = ["UTF8", "detect", "whole_encoding"]
