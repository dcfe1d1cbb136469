"""Benchmark: the worst inputs of issue 10, each read in a fresh process.

Builds the hostile cases (a 1.5 KB workbook with a cell at XFD1048576, written as Excel does
and in single quotes, a ~1 MB zip bomb, the largest sheet the default limits accept, a 16 KB
workbook of 40 sheets each just within them, a 6 MB one-line CSV, long ';' cells) and reads each
with ``read_pairs`` in a subprocess under an address-space limit, printing what happened, the
time and the process's peak RSS.  BEFORE holds what the same inputs cost before the guards
(measured on commit 35a81dc, the same machine).

Usage: ``python bench/hostile_inputs.py [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

ADDRESS_SPACE_GB = 8  # a runaway allocation fails the child, not the machine
BEFORE = {
    "xfd.xlsx": "process aborted (calamine asked for 512 GiB)",
    "xfd_single_quotes.xlsx": 'process aborted (commit bb320dd: the guard saw only r="...")',
    "far_sheets_40.xlsx": "130 s, 547 MB peak (commit bb320dd: no limit on the sheets together)",
    "zip_bomb.xlsx": "1.2 GB peak (issue 10's figure)",
    "one_line.csv": "74-80 s, 4.1 GB peak",
    "semicolon_200k.csv": "ArrowMemoryError: malloc of 80 GB",
    "semicolon_3m.csv": "ArrowMemoryError (same copy per id)",
}


def _workbook(path: Path, far: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Deal ID", "Contact ID"])
    sheet.append([1, 2])
    sheet[far] = 1
    book.save(path)


def _single_quoted(path: Path) -> None:
    """The XFD1048576 workbook with its far row and cell written in single quotes (XML allows
    them, the engines read them)."""
    _workbook(path, "XFD1048576")
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'r="1048576"', b"r='1048576'").replace(
        b'r="XFD1048576"', b"r='XFD1048576'"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def _far_sheets(path: Path) -> None:
    """40 sheets of a note and one cell at I1048576 (9,437,184 cells each, within
    max_sheet_cells), then the sheet of pairs."""
    book = openpyxl.Workbook()
    pairs = book.active
    assert pairs is not None
    pairs.title = "Pairs"
    pairs.append(["Deal ID", "Contact ID"])
    pairs.append([1, 2])
    for number in range(40):
        sheet = book.create_sheet(f"Notes{number}", number)
        sheet["A1"], sheet["I1048576"] = "Notes", 1
    book.save(path)


def _zip_bomb(path: Path) -> None:
    """A valid workbook whose shared strings inflate ~1000 times (1 GiB from ~1 MB)."""
    buffer = io.BytesIO()
    _workbook_bytes(buffer)
    with zipfile.ZipFile(buffer) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for name, data in parts.items():
            bomb.writestr(name, data)
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b"<sst><si><t>")
            chunk = b"x" * (16 << 20)
            for _ in range(60):  # 960 MiB: under max_unzipped_bytes, over max_zip_ratio
                part.write(chunk)
            part.write(b"</t></si></sst>")


def _workbook_bytes(buffer: io.BytesIO) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Deal ID", "Contact ID"])
    sheet.append([1, 2])
    book.save(buffer)


def _text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


CASES: dict[str, Callable[[Path], None]] = {
    "xfd.xlsx": lambda p: _workbook(p, "XFD1048576"),
    "xfd_single_quotes.xlsx": _single_quoted,
    "zip_bomb.xlsx": _zip_bomb,
    "largest_accepted.xlsx": lambda p: _workbook(p, "J1000000"),
    "far_sheets_40.xlsx": _far_sheets,
    "one_line.csv": lambda p: _text(p, "From ID,To ID\n" + "1," * 3_000_000 + "\n"),
    "semicolon_200k.csv": lambda p: _text(p, 'From ID,To ID\n"' + ";1" * 200_000 + '",2\n'),
    "semicolon_3m.csv": lambda p: _text(p, 'From ID,To ID\n"' + ";1" * 3_000_000 + '",2\n'),
    "largest_accepted_split.csv": lambda p: _text(
        p, 'From ID,To ID,Notes\n"1' + ";1" * 9_999 + '",2,' + "n" * 30_000 + "\n"
    ),
    "one_cell_6mb.csv": lambda p: _text(p, "From ID,To ID,Notes\n1,2," + "n" * 6_000_000 + "\n"),
}


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_one(path: str) -> None:
    """The child: read one file, print outcome, seconds and peak RSS as JSON."""
    limit = ADDRESS_SPACE_GB << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from hubframe.errors import InputError
    from hubframe.io import read_pairs

    start = time.perf_counter()
    try:
        rows = len(read_pairs(path, from_type="deals", to_type="contacts"))
        outcome = f"read, {rows:,} rows"
    except InputError as exc:
        outcome = "InputError: " + str(exc).split(";")[0][:90]
    seconds = time.perf_counter() - start
    print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}))


def measure(path: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--one", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": f"process died ({done.returncode}): {tail[:80]}"}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the files in this folder and keep them")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        read_one(args.one)
        return
    with tempfile.TemporaryDirectory(prefix="hubframe-hostile-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'case':24s} {'size':>9s} {'time':>7s} {'peak RSS':>9s}  outcome")
        for name, build in CASES.items():
            path = folder / name
            build(path)
            got = measure(path)
            size = f"{path.stat().st_size / 1e6:.2f} MB"
            seconds = f"{got['seconds']:.2f} s" if "seconds" in got else "-"
            rss = f"{got['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in got else "-"
            print(f"{name:24s} {size:>9s} {seconds:>7s} {rss:>9s}  {got['outcome']}")
            if name in BEFORE:
                print(f"{'':24s} {'':>9s} before: {BEFORE[name]}")


if __name__ == "__main__":
    main()
