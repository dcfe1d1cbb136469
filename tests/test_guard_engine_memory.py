"""A small workbook whose parts make the Excel engines take gigabytes is refused first.

- Shared strings: the guard compared only the count a shared-strings part declares with its
  size; the strings it holds were never counted.  20 million one-letter strings (340 MB in a
  2.4 MB file, within ``max_unzipped_bytes`` and ``max_zip_ratio``) took calamine past 4 GB,
  some 80 bytes a string, and the process aborted.  Now a part holding or declaring more than
  ``max_shared_strings`` is refused.
- A large stylesheet: where calamine fails (an undefined entity in a cell), openpyxl reads the
  workbook, and it parses the whole stylesheet into a tree, some 40 bytes a byte: a 3.4 MB file
  with a 122 MB styles.xml let a bare MemoryError escape ``read_pairs`` (handling it failed in
  turn).  Now the fallback engine is not tried on a workbook of a part (but a sheet or the
  shared strings, which it reads as a stream) larger than it can parse in bounded memory
  (16 MiB, the most of a stylesheet hubframe's own check of number formats reads, and the
  guard now refuses a larger stylesheet before either engine), and a MemoryError of an
  engine is an InputError, raised once the MemoryError and what filled the memory are gone.

The reads that took gigabytes run in a process of their own under an address-space limit
(tests/hostile_worker.py): the code before the fix fails the test, not the machine.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from ooxml import MAIN, PACKAGE, RELS, inline_cell

from hubframe.errors import InputError
from hubframe.io import ReadLimits, read_pairs
from hubframe.io import excel as hexcel

WORKER = Path(__file__).with_name("hostile_worker.py")
ARGS = {"from_type": "deals", "to_type": "contacts"}


def _sheet(label: str = "Buyer") -> bytes:
    return (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        + inline_cell("A1", "Deal ID")
        + inline_cell("B1", "Contact ID")
        + inline_cell("C1", "Label")
        + '</row><row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c>'
        + inline_cell("C2", label)
        + "</row></sheetData></worksheet>"
    ).encode()


def _book(
    extra: dict[str, bytes],
    sheet: bytes | None = None,
    stored: bool = False,
    level: int = 6,
    names: str = "",
) -> bytes:
    """A one-sheet workbook with ``extra`` parts (``xl/sharedStrings.xml``,
    ``xl/styles.xml``), related from workbook.xml as Excel relates them (``names``: defined
    names, after the list of sheets)."""
    kinds = {"xl/sharedStrings.xml": "sharedStrings", "xl/styles.xml": "styles"}
    related = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/{kinds[name]}" Target="{name[3:]}"/>'
        for n, name in enumerate(extra, start=2)
    )
    overrides = "".join(
        f'<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.{kind}+xml"/>'
        for name, kind in [
            ("xl/workbook.xml", "sheet.main"),
            ("xl/worksheets/sheet1.xml", "worksheet"),
            *[(name, kinds[name]) for name in extra if name in kinds],
        ]
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f"{overrides}</Types>"
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            f'<sheet name="Links" sheetId="1" r:id="rId1"/></sheets>{names}</workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>{related}</Relationships>'
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet or _sheet(),
        **extra,
    }
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method, compresslevel=level) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return buffer.getvalue()


def _strings(count: int, prefix: str = "") -> bytes:
    """A shared-strings part of ``count`` one-letter strings (``prefix``: a namespace's)."""
    space = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    item = f"<{prefix}si><{prefix}t>a</{prefix}t></{prefix}si>".encode()
    return f'<{prefix}sst {space}="{MAIN}">'.encode() + item * count + f"</{prefix}sst>".encode()


def _worker(paths: list[Path], budget_mb: int) -> list[dict[str, object]]:
    command = [sys.executable, str(WORKER), str(budget_mb), *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"the reading process died: {done.stderr[-500:]}"
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


# --- shared strings -----------------------------------------------------------------------------


def test_millions_of_shared_strings_are_refused_not_the_process(tmp_path: Path) -> None:
    """12 million strings, stored (no zip ratio to refuse), past the default limit: calamine
    read them all (20 million took it past 4 GB and aborted the process); the guard refuses
    them within a fraction of the memory."""
    path = tmp_path / "strings.xlsx"
    path.write_bytes(_book({"xl/sharedStrings.xml": _strings(12_000_000)}, stored=True))
    results = _worker([path], 1536)
    assert results[0]["outcome"] == "InputError"
    assert results[0]["seconds"] < 60  # type: ignore[operator]  # no hang; not a speed target
    assert results[-1]["peak_rss_mb"] < 1024  # type: ignore[operator]


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_shared_strings_past_the_limit_are_refused_naming_it(prefix: str) -> None:
    data = _book({"xl/sharedStrings.xml": _strings(50, prefix)})
    assert len(read_pairs(data, **ARGS)) == 1
    assert len(read_pairs(data, **ARGS, limits=ReadLimits(max_shared_strings=50))) == 1
    with pytest.raises(InputError, match=r"holds 50 shared strings.*max_shared_strings"):
        read_pairs(data, **ARGS, limits=ReadLimits(max_shared_strings=49))


def test_a_declared_count_past_the_limit_is_refused() -> None:
    """calamine sets room aside for the count declared: one the part's size could hold but
    past the limit (a 1 GiB part may declare 200 million) is refused too."""
    strings = _strings(50).replace(b"<sst ", b'<sst uniqueCount="100" ', 1)
    data = _book({"xl/sharedStrings.xml": strings + b" " * 1000})
    assert len(read_pairs(data, **ARGS)) == 1
    with pytest.raises(InputError, match=r"declares 100 shared strings.*max_shared_strings"):
        read_pairs(data, **ARGS, limits=ReadLimits(max_shared_strings=60))


# --- the fallback engine's memory ---------------------------------------------------------------


def _styles(size: int) -> bytes:
    """A stylesheet of about ``size`` bytes of cell formats, compressing about 30 times."""
    formats = b"".join(b'<xf numFmtId="%d"/>' % (n * 7919 % 10**6) for n in range(size // 20))
    return (
        (
            f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
            'formatCode="0"/></numFmts><cellXfs>'
        ).encode()
        + formats
        + b"</cellXfs></styleSheet>"
    )


def test_a_large_stylesheet_is_refused_before_either_engine(tmp_path: Path) -> None:
    """A cell calamine cannot read (``&foo;``) made the read fall back to openpyxl, which
    parsed a 60 MB stylesheet into a tree of gigabytes (a bare MemoryError under the
    worker's budget); a stylesheet past 16 MiB is refused before either engine runs."""
    path = tmp_path / "styles.xlsx"
    path.write_bytes(_book({"xl/styles.xml": _styles(60 << 20)}, _sheet("Buyer&foo;"), level=1))
    results = _worker([path], 1536)
    assert results[0]["outcome"] == "InputError"
    assert results[0]["seconds"] < 60  # type: ignore[operator]  # no hang; not a speed target
    assert results[-1]["peak_rss_mb"] < 1024  # type: ignore[operator]
    with pytest.raises(InputError, match=r"cell styles \(xl/styles\.xml\) take 6\d\.\d MiB"):
        read_pairs(path, **ARGS)  # safe here now


def test_a_stylesheet_within_the_bound_is_read() -> None:
    data = _book({"xl/styles.xml": _styles(12 << 20)}, level=1)
    assert list(read_pairs(data, **ARGS)["label"]) == ["Buyer"]


def _defined_names(size: int) -> str:
    one = '<definedName name="n%08d">Links!$A$1</definedName>'
    return "<definedNames>" + "".join(one % n for n in range(size // 46)) + "</definedNames>"


def test_the_fallback_engine_is_not_given_a_large_part_to_parse_whole(tmp_path: Path) -> None:
    """Where calamine fails, openpyxl parsed workbook.xml whole (70 MB of defined names, in a
    3.5 MB file: 1.5 GB and 24 s); the read is refused, naming calamine's failure and the
    part, without it (0.5 GB, 2.5 s)."""
    path = tmp_path / "names.xlsx"
    path.write_bytes(_book({}, _sheet("Buyer&foo;"), names=_defined_names(60 << 20)))
    results = _worker([path], 3072)
    assert results[0]["outcome"] == "InputError"
    assert results[-1]["peak_rss_mb"] < 1024  # type: ignore[operator]
    with pytest.raises(InputError, match=r"foo.*xl/workbook\.xml \(\d+ MiB\) whole"):
        read_pairs(path, **ARGS)


def test_a_large_part_is_read_where_calamine_reads_it() -> None:
    data = _book({}, names=_defined_names(20 << 20))
    assert list(read_pairs(data, **ARGS)["label"]) == ["Buyer"]


def test_an_engine_out_of_memory_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A MemoryError of either engine escaped bare; it is an InputError now, without the
    traceback (whose frames hold what filled the memory) chained to it."""

    def exhausted(*_: object, **__: object) -> None:
        raise MemoryError

    data = _book({})
    monkeypatch.setattr(hexcel.Workbook, "_book", exhausted)
    monkeypatch.setattr(hexcel.Workbook, "_openpyxl_sheets", exhausted)
    with pytest.raises(InputError, match="memory") as raised:
        read_pairs(data, **ARGS)
    assert raised.value.__cause__ is None and raised.value.__context__ is None


# --- a large workbook given to calamine as a file -----------------------------------------------


def test_a_large_workbook_is_given_to_calamine_as_a_file_and_left_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """calamine copied the checked workbook whole when given it as bytes (575 MB more, on top
    of the guard's copy, for a sheet at ``max_sheet_cells``); a large one is written to a
    temporary file it reads part by part, removed at once."""
    import tempfile

    monkeypatch.setattr(hexcel, "_AS_FILE_BYTES", 0)  # every workbook is large
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    opened: list[str] = []
    from python_calamine import CalamineWorkbook

    real = CalamineWorkbook.from_path

    def from_path(path: str) -> object:
        opened.append(path)
        return real(path)

    monkeypatch.setattr(CalamineWorkbook, "from_path", from_path)
    assert list(read_pairs(_book({}), **ARGS)["label"]) == ["Buyer"]
    assert len(opened) == 1 and opened[0].startswith(str(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fails", [OSError("disk full"), KeyboardInterrupt()])
def test_a_write_of_the_temporary_file_that_fails_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: BaseException
) -> None:
    """The sheet's copy is removed whatever stops its write: a full disk reads the bytes
    instead, a Ctrl-C goes on up (it left the analyst's data in the temporary folder)."""
    import tempfile

    monkeypatch.setattr(hexcel, "_AS_FILE_BYTES", 0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    class Failing:
        def __init__(self, handle: int, mode: str) -> None:
            import os

            os.close(handle)

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def write(self, data: bytes) -> int:
            raise fails

    monkeypatch.setattr(hexcel.os, "fdopen", Failing)
    if isinstance(fails, OSError):
        assert list(read_pairs(_book({}), **ARGS)["label"]) == ["Buyer"]
    else:
        with pytest.raises(KeyboardInterrupt):
            read_pairs(_book({}), **ARGS)
    assert list(tmp_path.iterdir()) == []
