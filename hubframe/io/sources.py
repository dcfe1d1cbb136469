"""Sources: a path, bytes, a binary file object or a DataFrame, resolved for the readers.

A file is read lazily (its first bytes to sniff, all of it for the engines); every failure of
the file system or of a reader library becomes an :class:`~hubframe.errors.InputError` naming
the file (:func:`reading`).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, TypeAlias

import numpy as np
import pandas as pd

from hubframe.errors import InputError, SourceError
from hubframe.io.meta import refuse_odd_meta
from hubframe.redaction import clip
from hubframe.terminal import shown

Source: TypeAlias = "str | os.PathLike[str] | bytes | bytearray | IO[bytes] | pd.DataFrame"
SheetArg: TypeAlias = "str | int | None"

SAMPLE_BYTES: Final = 256 * 1024
#: Where a frame read from files keeps their absolute paths (``attrs["hubframe"]["read_from"]``):
#: hubframe's writers refuse to write a report, retry file or sheet over one of them.
READ_FROM: Final = "read_from"
#: The source a DataFrame given as the sheet is named by (``attrs["hubframe"]["source"]``).
FRAME_SOURCE: Final = "<DataFrame>"
ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_EXTENSIONS: Final = (".xlsx", ".xlsm", ".xls", ".xlsb")


@dataclass
class Loaded:
    """A source resolved to bytes (files) or a DataFrame, with the name to show in messages."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    frame: pd.DataFrame | None = None
    extension: str = ""


def read_from_attrs(*paths: Path | None) -> dict[str, list[str]]:
    """The ``attrs["hubframe"]`` entry naming the files a frame was read from (none: no entry).
    Absolute at the time of the read, so a later change of folder does not move them."""
    found = [str(path.absolute()) for path in paths if path is not None]
    return {READ_FROM: found} if found else {}


def load_source(source: Source) -> Loaded:
    if isinstance(source, pd.DataFrame):
        refuse_odd_meta(source, "the DataFrame")
        return Loaded(FRAME_SOURCE, frame=source)
    if isinstance(source, bytes | bytearray | memoryview):
        return Loaded("<bytes>", data=bytes(source))
    if isinstance(source, str | os.PathLike):
        text = os.fspath(source)
        if ("\n" in text or "\r" in text) and not os.path.lexists(text):
            raise InputError(
                "A text of several lines was given where a file's name goes: to read a sheet "
                "held in a str, pass io.StringIO(text) or text.encode()."
            )
        path = as_path(source)
        if path.is_dir():
            raise InputError(f"{path}: is a folder; give the file of the sheet in it.")
        refuse_unreadable_file(path, path.name)
        return Loaded(path.name, path=path, extension=path.suffix.lower())
    if hasattr(source, "read"):
        name = Path(str(getattr(source, "name", "") or "<file>")).name
        try:
            data = source.read()
        except (OSError, ValueError) as exc:
            raise InputError(f"{name}: the file could not be read ({exc}).") from exc
        if isinstance(data, str):
            data = data.encode("utf-8")
        return Loaded(name, data=bytes(data), extension=Path(name).suffix.lower())
    table = " (pd.DataFrame(...) of it)" if isinstance(source, dict | list | tuple) else ""
    kind = type(source).__name__
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    raise InputError(
        f"Cannot read {article} {kind}: pass a file path, bytes, a binary file "
        f"object or a DataFrame{table}."
    )


def as_path(source: str | os.PathLike[str]) -> Path:
    """The path of ``source``; ``~`` is the home folder, as pandas reads it (a file or folder
    named ``~`` itself is kept).  InputError for ``~name`` of no user this machine knows: read,
    it was Python's RuntimeError; written, a folder named ``~name`` in the working folder.
    InputError for a value that is no path (a number, None, bytes)."""
    if not isinstance(source, str | os.PathLike):
        raise InputError(
            f"{shown(source)} is not a file path: give the file's path as text or a pathlib.Path."
        )
    path = Path(source)
    if not str(path).startswith("~") or path.exists():
        return path
    home = Path(os.path.expanduser(path))  # os.path's: Path's raises RuntimeError
    if str(home).startswith("~") and not Path(path.parts[0]).exists():
        user = path.parts[0][1:]
        whose = f"no user named '{user}'" if user else "no home folder"
        raise InputError(
            f"{shown(str(path))}: '{path.parts[0]}' is not a home folder, as this machine "
            f"knows {whose}; give the folder's full path."
        )
    return home


def _missing_hint(path: Path) -> str:
    """Why a path that is not there may have been meant otherwise."""
    text = str(path)
    if re.match(r"(?i)^(https?|ftp)s?:/", text):
        return " hubframe reads files, not web addresses: download the file, then give its path."
    if path.name != path.name.strip() and (path.parent / path.name.strip()).exists():
        return f" The name has spaces at its ends; '{path.name.strip()}' is there."
    return ""


_KINDS: Final = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def refuse_unreadable_file(path: Path, name: str) -> None:
    """InputError naming ``name`` unless ``path`` is a file that can be read to its end: a
    missing file (a link to one too), or a named pipe or a device, which a read waits on for
    ever (a pipe no program writes to) or never finishes (``/dev/zero``).  A folder is the
    caller's to refuse first, in its own words."""
    if not os.path.exists(path):
        if os.path.islink(path):
            target = os.readlink(path)
            raise InputError(f"{name}: a link to a file that is not there ({target}).")
        raise InputError(f"{name}: no such file ({path}).{_missing_hint(path)}")
    kind = special_kind(path)
    if kind is not None:
        raise InputError(
            f"{name}: is {kind}, not a file ({path}); save what it holds as a file and give that."
        )


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it is there and neither a file nor a folder ("a named pipe", "a
    device", ...); None for a file, a folder, or nothing there."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((said for test, said in _KINDS if test(mode)), "something other than a file")


def head_bytes(loaded: Loaded, size: int = SAMPLE_BYTES) -> bytes:
    if loaded.data is not None:
        return loaded.data[:size]
    assert loaded.path is not None
    try:
        with loaded.path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise InputError(f"{loaded.name}: the file could not be read ({exc}).") from exc


def all_bytes(loaded: Loaded) -> bytes:
    if loaded.data is not None:
        return loaded.data
    assert loaded.path is not None
    try:
        return loaded.path.read_bytes()
    except OSError as exc:
        raise InputError(f"{loaded.name}: the file could not be read ({exc}).") from exc


@contextmanager
def reading(name: str) -> Iterator[None]:
    """Readers raise only :class:`InputError`: whatever a damaged or hostile file makes a
    library raise (csv, zipfile, XML, Arrow, pandas, calamine errors, MemoryError) becomes
    one, naming the file, with the original error chained for debugging."""
    try:
        yield
    except InputError:
        raise
    except MemoryError as exc:
        raise InputError(
            f"{name}: there is not enough memory to read the file. Split it into smaller "
            "files and try again."
        ) from exc
    except Exception as exc:
        detail = clip(" ".join(str(exc).split()), 200).removesuffix("...")
        if name == FRAME_SOURCE:  # a DataFrame: no file to save again
            raise InputError(
                f"{name}: the frame could not be read ({type(exc).__name__}: {detail}). Make "
                "its column names and the cells of the columns read plain values (text, "
                "numbers, dates) and try again."
            ) from exc
        raise InputError(
            f"{name}: the file could not be read ({type(exc).__name__}: {detail}). If it opens "
            "in Excel, save it again as .xlsx or as CSV UTF-8 and try again."
        ) from exc


def file_size(loaded: Loaded) -> int:
    if loaded.data is not None:
        return len(loaded.data)
    assert loaded.path is not None
    try:
        return loaded.path.stat().st_size
    except OSError as exc:
        raise InputError(f"{loaded.name}: the file could not be read ({exc}).") from exc


#: The first bytes of files that are no sheet (what an upload or a path may hold by mistake).
_NOT_SHEETS: Final = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database (a hubframe journal?)"),
    (b"{\\rtf", "an RTF document"),
)


def refuse_non_sheet(loaded: Loaded) -> None:
    """SourceError when the bytes about to be read as CSV text are a file of another kind
    (a PDF, an image, an archive, a database): read as text, its first line was taken for a
    header and the error named its garbage as columns or as a code page."""
    if loaded.frame is not None:
        return
    head = head_bytes(loaded, 16)
    kind = next((what for magic, what in _NOT_SHEETS if head.startswith(magic)), None)
    if kind is not None:
        raise SourceError(
            f"{loaded.name}: this file is {kind}, not a sheet. hubframe reads CSV or text "
            "files and Excel workbooks (.xlsx, .xlsm): export the data as one of "
            "them and try again."
        )


def is_workbook(loaded: Loaded) -> bool:
    """True when the bytes are a zip (.xlsx, .xlsm) or an OLE file (.xls, encrypted .xlsx)."""
    return loaded.frame is None and head_bytes(loaded, 8).startswith((OLE_MAGIC, ZIP_MAGIC))


def sheet_argument(sheet: object) -> SheetArg:
    """``sheet=``: a name, a position counted from 0 (numpy's whole numbers too), ``"*"`` or
    None.  Anything else was blamed on the file ("the file could not be read")."""
    if sheet is None or isinstance(sheet, str | bool):  # True: "no sheet True", the sheets
        return sheet
    if isinstance(sheet, int | np.integer):
        return int(sheet)
    raise InputError(
        f"sheet= takes a sheet's name, its position counted from 0, or '*' for every visible "
        f"sheet, not {sheet!r}"
    )
