"""A NUL character in a cell is text: read, kept and written back as it is.

Before: a DataFrame cell holding a NUL (a database export's, a pasted byte) went into a .csv
report or retry file, and hubframe then refused that very file as binary ("this is not a CSV
or Excel file"): the failed rows could not be run again from their retry file, nor the run
undone from its report.  A file is now binary only when it looks it (a binary format's first
bytes, many NULs, many control bytes): a workbook, a journal or a compressed file saved as
.csv, and text in UTF-16 without its byte order mark, are still refused.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.csv import ZEROED_RUN
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, xlsx_bytes

TYPES = {"from_type": "deals", "to_type": "contacts"}
DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]

#: Each forces one of the CSV readers: Arrow's (tidy rows), pandas' (a short row pads) and
#: Python's (a long row keeps its extra cell); then a cp1252 byte (read in cp1252).
SHAPES = {
    "tidy": [],
    "short row": [["1", "2"]],
    "long row": [["1", "2", "x", "extra"]],
    "cp1252": [["1", "2", "caf\xe9"]],
}

NOTES = st.text(st.sampled_from(["\x00", "a", " ", ",", '"', "\n", "é", "0"]), max_size=6)


def _csv_bytes(notes: list[str], shape: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Deal ID", "Contact ID", "Notes"])
    for n, note in enumerate(notes):
        writer.writerow([str(100 + n), str(200 + n), note])
    writer.writerows(SHAPES[shape])
    return out.getvalue().encode("cp1252" if shape == "cp1252" else "utf-8")


@pytest.mark.parametrize("shape", list(SHAPES))
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes=st.lists(NOTES, min_size=1, max_size=6).filter(lambda n: "\x00" in "".join(n)))
def test_nul_cells_read_back_whole_from_every_reader(shape: str, notes: list[str]) -> None:
    """Whichever reader a file takes, every row is read, and each cell holding a NUL is the
    text written: not a refusal of the file, not a cut cell, not a lost row.  (A note whose
    later line holds a digit, ``"\n0,0"``, may read as a row of ids a stray quote swallowed:
    the file is refused for that by design: test_csv_swallowed_rows.)"""
    assume(not any(any(c.isdigit() for c in note.partition("\n")[2]) for note in notes))
    pairs = hf.read_pairs(_csv_bytes(notes, shape), **TYPES)
    assert len(pairs) == len(notes) + len(SHAPES[shape])
    assert pairs["Notes"].tolist()[: len(notes)] == notes
    assert pairs["from_id"].tolist()[: len(notes)] == [str(100 + n) for n in range(len(notes))]


@pytest.mark.parametrize("pad", [1, 8, 64])
def test_cells_padded_with_nuls_read_back_whole(pad: int) -> None:
    """A database's fixed-width text (a code padded with NULs) in every row, a NUL in most
    bytes of the file: text, every row and every cell as written."""
    codes = [f"C{n}" + "\x00" * pad for n in range(300)]
    pairs = hf.read_pairs(_csv_bytes(codes, "tidy"), **TYPES)
    assert pairs["Notes"].tolist() == codes


def test_a_nul_in_an_id_is_a_bad_id_naming_the_row_and_value() -> None:
    pairs = hf.read_pairs(b"Deal ID,Contact ID\n1\x00,2\n3,4\n", **TYPES)
    issues = hf.validate_pairs(pairs)
    assert issues[["row", "column", "value", "code"]].to_dict("records") == [
        {"row": 2, "column": "from_id", "value": "1\x00", "code": "BAD_ID"}
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_retry_file_and_report_of_nul_cells_run_again_and_undo(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, suffix: str
) -> None:
    """The rows a run could not apply, with a NUL in a note, are run again from the retry
    file; the run's report (a NUL in a kept note) undoes the run."""
    sb = sandbox_factory()
    client = client_for(sb)
    before = sb.associations("deals", "contacts")
    frame = pd.DataFrame(
        {
            "Deal ID": DEALS[:3],
            "Contact ID": CONTACTS[:3],
            "Notes": ["call\x00back", "\x00", "plain"],
            "Association label": ["No such label", "", ""],
        }
    )
    pairs = hf.read_pairs(frame, **TYPES)
    result = hf.associate(pairs, client, record_existing=True, progress=False)
    assert result["status"].tolist() == ["invalid", "success", "success"]
    retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
    again = hf.read_pairs(retry, **TYPES)
    assert again["Notes"].tolist() == ["call\x00back"]
    assert again["from_id"].tolist() == [DEALS[0]]
    report = hf.export_report(result, tmp_path / f"report{suffix}")
    undone = hf.undo(report, client, progress=False)
    assert undone["status"].tolist()[1:] == ["success", "success"]
    assert sb.associations("deals", "contacts").equals(before)


def _binary_files() -> dict[str, bytes]:
    text = "Deal ID,Contact ID\n1,2\n"
    rng = random.Random(7)
    return {
        "gzip": gzip.compress(text.encode() * 50),
        "utf-16 without BOM": text.encode("utf-16-le"),
        "utf-16 BE without BOM": text.encode("utf-16-be"),
        "utf-32 without BOM": text.encode("utf-32-le"),
        "utf-32 BE without BOM": text.encode("utf-32-be"),
        "utf-16 Cyrillic without BOM": "Сделка,Контакт\n1,2\n".encode("utf-16-le"),
        "random bytes": bytes(rng.randrange(256) for _ in range(3000)) + b"\x00",
        "a few bytes": b"\x00\x01\x02garbage\x00",
    }


@pytest.mark.parametrize("name", list(_binary_files()))
def test_binary_files_named_csv_are_still_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "sheet.csv"
    path.write_bytes(_binary_files()[name])
    wide = name.startswith("utf-") and "Cyrillic" not in name  # said to be text without BOM
    said = "UTF-16 or UTF-32.*without the byte order mark" if wide else "binary data"
    if name == "gzip":  # known by its signature, named for what it is
        said = "this file is a gzip archive, not a sheet"
    with pytest.raises(InputError, match=said):
        hf.read_pairs(path, **TYPES)


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_bytes(xlsx_bytes([["Deal ID", "Contact ID"], ["1", "2"]]))
    pairs = hf.read_pairs(path, **TYPES)
    assert pairs[["from_id", "to_id"]].values.tolist() == [["1", "2"]]


def test_a_journal_named_csv_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    frame = pd.DataFrame({"Deal ID": DEALS[:2], "Contact ID": CONTACTS[:2]})
    hf.associate(
        hf.read_pairs(frame, **TYPES), client_for(sandbox), journal=journal, progress=False
    )
    renamed = tmp_path / "sheet.csv"
    renamed.write_bytes(journal.read_bytes())
    with pytest.raises(InputError, match=r"an SQLite database \(a hubframe journal\?\), not a"):
        hf.read_pairs(renamed, **TYPES)


def _cut_short(rows: int, zeros: int, encoding: str = "utf-8", at: int | None = None) -> bytes:
    """A CSV of ``rows`` pairs whose text gives way to ``zeros`` NUL bytes (at byte ``at``, the
    rest of the text dropped, as a crash while it was saved leaves it)."""
    lines = ["Deal ID,Contact ID"] + [f"{100 + n},{200 + n}" for n in range(rows)]
    text = "\r\n".join(lines).encode(encoding) + b"\r\n" * (encoding == "utf-8")
    if at is not None:
        text = text[:at]
    return text + b"\x00" * zeros


@pytest.mark.parametrize("where", ["bytes", "file"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_file_cut_short_by_zero_bytes_is_refused_naming_the_line(
    tmp_path: Path, where: str, encoding: str
) -> None:
    """A crash while a sheet is saved leaves its tail as NUL bytes: the rows it held there are
    lost, so the file is refused rather than read as far as its zeros (before: the zeros were
    one cell of millions of characters, and a 100 MB file took 40 s and 0.9 GB to say so)."""
    data = _cut_short(40, ZEROED_RUN, encoding)
    source: Path | bytes = data
    if where == "file":
        source = tmp_path / "pairs.csv"
        source.write_bytes(data)
    with pytest.raises(InputError) as caught:
        hf.read_pairs(source, **TYPES)
    said = str(caught.value)
    assert "zero bytes where text should be" in said and "\n" not in said
    if encoding == "utf-8":
        assert "from line 42 " in said


def test_zeros_across_the_scans_chunks_are_found(tmp_path: Path) -> None:
    """The run starts before a 4 MiB chunk of the file's scan ends and goes on after it."""
    path = tmp_path / "pairs.csv"
    head = _cut_short(1, 0)
    filler = b"".join(b"%d,%d\r\n" % (300 + n, 400 + n) for n in range(600_000))
    size = 4 * 1024 * 1024 - 1000 - len(head)
    rows = filler[: filler.rfind(b"\r\n", 0, size) + 2]
    path.write_bytes(head + rows + b"\x00" * (ZEROED_RUN + 8_000))
    with pytest.raises(InputError, match="zero bytes where text should be"):
        hf.read_pairs(path, **TYPES)


def test_fewer_zeros_than_a_cell_holds_are_still_text() -> None:
    pairs = hf.read_pairs(_cut_short(3, 30_000), **TYPES)
    assert len(pairs) == 4
    assert pairs["from_id"].tolist()[-1] == "\x00" * 30_000


def test_a_csv_report_cut_short_is_not_undone(sandbox: Sandbox, tmp_path: Path) -> None:
    pairs = hf.read_pairs(_cut_short(3, 0), **TYPES)
    result = hf.associate(pairs, client_for(sandbox), dry_run=True, progress=False)
    report = hf.export_report(result, tmp_path / "report.csv")
    report.write_bytes(report.read_bytes() + b"\x00" * ZEROED_RUN)
    with pytest.raises(InputError, match="zero bytes where text should be"):
        hf.undo(report, client_for(sandbox), progress=False)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_cell_of_nuls_in_a_wide_encoding_is_still_text(encoding: str) -> None:
    """20,000 NUL characters fit in a cell; in UTF-16 they are 40,000 zero bytes in a row and
    in UTF-32 80,000 (refused as a cut-off tail by a first count of 32,768 bytes)."""
    lines = ["Deal ID,Contact ID,Notes", "101,201," + "\x00" * 20_000, "102,202,x"]
    pairs = hf.read_pairs("\r\n".join(lines).encode(encoding), **TYPES)
    assert pairs["Notes"].tolist() == ["\x00" * 20_000, "x"]


def test_a_cut_off_file_in_another_encoding_is_refused_before_it_is_read_whole(
    tmp_path: Path,
) -> None:
    """A file not in UTF-8 is decoded whole to check its encoding: the zeros are found first
    (before, a sparse 60 MB file was read into memory, then decoded)."""
    import tracemalloc

    path = tmp_path / "pairs.csv"
    path.write_bytes(_cut_short(5, 0, "utf-16"))
    with path.open("r+b") as handle:
        handle.truncate(60 << 20)  # a sparse tail of zeros, as a crash leaves it
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="zero bytes where text should be"):
            hf.read_pairs(path, **TYPES)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30 << 20, peak
