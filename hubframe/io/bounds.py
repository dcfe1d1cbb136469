"""Read limits: the bounds a file must stay within before hubframe reads it, and how to raise
them (not the association limits of :func:`hubframe.io.read_limits`: these bound the reader).

A hostile or broken file must cost seconds and bounded memory, never the process: a tiny
workbook can declare a cell at XFD1048576 (the Excel engine would allocate hundreds of GiB), a
1 MB zip can inflate to gigabytes, a one-line CSV can hold millions of cells.  Every limit is
checked *before* the engine sees the file, and exceeding one raises an
:class:`~hubframe.errors.InputError` that names the file, the sheet, the limit and its value.

Raise a limit for one call (``read_pairs(path, limits=ReadLimits(max_sheet_cells=50_000_000))``)
or for the whole process (``hubframe.io.set_read_limits(max_sheet_cells=50_000_000)``).
docs/limits.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Final


@dataclass(frozen=True)
class ReadLimits:
    """Upper bounds for one read; the defaults fit any sheet Excel itself can hold comfortably.

    ``max_sheet_cells``: rows x columns of a workbook sheet's used range (first to last cell
    written, formatted-only cells included), as declared by the sheet and as found in it.
    ``max_workbook_cells``: the cells (as ``max_sheet_cells`` counts them) of the sheets of one
    workbook a read opens, added up: a read by default opens every sheet (to find the one to
    read, and to say which others hold rows); naming the sheet opens only it.  Never less
    than ``max_sheet_cells``.
    ``max_shared_strings``: the shared strings (distinct texts of its cells) a workbook holds,
    or declares: the Excel engine holds them all, some 80 bytes each besides their text
    (10,000,000 of them, one for each cell of a sheet at ``max_sheet_cells``: ~1 GB).
    ``max_unzipped_bytes``: the size of a workbook's parts once decompressed, all added up.
    ``max_zip_ratio``: how many times a part larger than 1 MiB may expand (zip bombs expand
    about 1000 times; real workbooks 5 to 30).
    ``max_zip_parts``: the number of files inside a workbook.
    ``max_row_cells``: cells in one CSV row (Excel's own limit is 16,384 columns).
    ``max_ids_per_cell``: ``;``-separated ids in one cell.
    ``max_split_bytes``: text the ``;`` splitting copies (each id's row repeats the other cells).
    ``max_csv_lines``: the lines of a CSV file (each one a row through the read, blank ones
    too: some 100 bytes each, whatever the line's own size).
    """

    # 1,048,576 rows x 10 columns: ~0.5 GB reaching that far empty; every cell a short
    # text (1,000,000 x 10, a 28 MB file, 575 MB unzipped): 2.6 GB peak RSS, 3.9 GB of
    # address space, 40 s
    max_sheet_cells: int = 10_000_000
    max_workbook_cells: int = 30_000_000  # three such sheets; ~10 s at worst
    max_shared_strings: int = 10_000_000  # a string a cell of a sheet at the limit; ~1.2 GB
    max_unzipped_bytes: int = 1 << 30
    max_zip_ratio: int = 200
    max_zip_parts: int = 10_000
    max_row_cells: int = 16_384
    max_ids_per_cell: int = 10_000
    max_split_bytes: int = 1 << 30
    max_csv_lines: int = 10_000_000  # ten times Excel's rows; ~1 GB at worst

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"ReadLimits.{f.name} must be a whole number >= 1, not {value!r}")


DEFAULT_LIMITS: Final = ReadLimits()
#: The largest stylesheet (``xl/styles.xml``) read, whatever the limits: hubframe's check of
#: number formats reads no more (io.numfmt), and openpyxl, where calamine fails, parses it
#: whole, some 40 bytes of memory a byte.  Excel's 64,000 cell formats take some 6 MiB.
STYLES_MAX_BYTES: Final = 16 << 20
ZIP_RATIO_FLOOR: Final = 1 << 20  # parts up to 1 MiB may expand any amount: they stay small

_current = DEFAULT_LIMITS


def read_limits_in_force() -> ReadLimits:
    """The limits a read uses when it is not given ``limits=``."""
    return _current


def set_read_limits(limits: ReadLimits | None = None, **changes: int) -> ReadLimits:
    """Set the process-wide limits: a whole :class:`ReadLimits`, or some fields changed
    (``set_read_limits(max_sheet_cells=50_000_000)``); ``set_read_limits(DEFAULT_LIMITS)``
    restores the defaults.  Returns the previous limits."""
    global _current
    previous = _current
    _current = replace(limits or _current, **changes)
    return previous


def hint(name: str) -> str:
    """How to raise one limit, for messages."""
    return (
        f"raise it with limits=ReadLimits({name}=...) or "
        f"hubframe.io.set_read_limits({name}=...) if the file is genuine"
    )


__all__ = ["DEFAULT_LIMITS", "ReadLimits", "read_limits_in_force", "set_read_limits"]
