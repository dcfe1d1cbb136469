"""A CSV file is read in the one encoding it is written in, or refused: cells never change.

A file that is UTF-8 in some lines and cp1252 in others used to be read as cp1252 throughout,
so every UTF-8 label became mojibake ("Décideur" -> "DÃ©cideur"), which the labels job would
have created in the portal; on the forgiving reader's path, bytes became "�".  Such a file is
now refused naming a line of each encoding.  A report saved again by Excel (cp1252, UTF-16,
";") reads back for undo instead of failing with a UnicodeDecodeError.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.encoding import whole_encoding
from hubframe.jobs import associate, load_run, undo
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for

TYPES = {"from_type": "deals", "to_type": "contacts"}
HEADER = "Deal ID,Contact ID,Association label"
#: Labels an analyst types: ASCII, accents cp1252 has, and characters it has not.
LABELS = ["Champion", "Décideur", "Käufer", "Preneur d’ordre", "Straße", "Œuvre", "负责人", "Ωmega"]


def _line(n: int, label: str) -> str:
    return f"{2040000000 + n},{1019360000 + n},{label}"


def _cp1252(label: str) -> bool:
    try:
        label.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(LABELS), st.sampled_from(["utf-8", "cp1252"])),
        min_size=1,
        max_size=12,
    ),
    ragged=st.booleans(),
    padding=st.integers(0, 3000),
)
def test_cells_read_as_written_or_the_file_is_refused(
    rows: list[tuple[str, str]], ragged: bool, padding: int
) -> None:
    """Each line written in UTF-8 or cp1252 (a label cp1252 lacks is written UTF-8), after
    ``padding`` ASCII lines (so the odd bytes may lie past the sample) and maybe a ragged
    row (the forgiving reader's path): the labels read are the labels written, or the read
    stops naming the mix."""
    lines = [_line(n, "Champion") for n in range(padding)]
    data = "".join(line + "\n" for line in [HEADER, *lines]).encode()
    written = ["Champion"] * padding
    for n, (label, encoding) in enumerate(rows, start=padding):
        codec = encoding if _cp1252(label) else "utf-8"
        extra = ",x" if ragged and n == padding else ""
        data += (_line(n, label) + extra + "\n").encode(codec)
        written.append(label)
    encodings = {
        "utf-8" if not _cp1252(label) or encoding == "utf-8" else "cp1252"
        for label, encoding in rows
        if not label.isascii()
    }
    try:
        pairs = hf.read_pairs(data, **TYPES)
    except InputError as exc:
        assert "mixes two text encodings" in str(exc)
        assert encodings == {"utf-8", "cp1252"}, "refused a file of one encoding"
        return
    assert len(encodings) <= 1, "read a file that mixes encodings"
    assert pairs["label"].fillna("").tolist() == written


def test_the_refusal_names_a_line_of_each_encoding() -> None:
    data = (HEADER + "\n" + _line(1, "Décideur") + "\n").encode()
    data += (_line(2, "x") + "\n").encode() + _line(3, "Käufer").encode("cp1252") + b"\n"
    with pytest.raises(InputError) as caught:
        hf.read_pairs(data, **TYPES)
    said = str(caught.value)
    assert "line 2 has UTF-8 text ('2040000001,1019360001,Décideur')" in said
    assert "line 4 a byte that UTF-8 does not have" in said and "K�ufer" in said
    assert "CSV UTF-8" in said


def test_a_file_of_one_other_encoding_reads_as_written() -> None:
    ascii_lines = "".join(_line(n, "x") + "\n" for n in range(20_000))  # past the sample
    data = (HEADER + "\n" + ascii_lines).encode() + _line(9, "Käufer").encode("cp1252")
    pairs = hf.read_pairs(data, **TYPES)
    assert pairs["label"].iloc[-1] == "Käufer"
    for codec, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        text = HEADER + "\n" + _line(1, "负责人") + "\n"
        assert hf.read_pairs(bom + text.encode(codec), **TYPES)["label"].tolist() == ["负责人"]


def test_damaged_utf16_is_refused() -> None:
    text = (HEADER + "\n" + _line(1, "ok") + "\n").encode("utf-16-le")
    damaged = codecs.BOM_UTF16_LE + text + b"\x00\xd8" + "x\n".encode("utf-16-le")
    with pytest.raises(InputError, match="not UTF-16 text"):
        whole_encoding(damaged, "utf-16-le", 2, "f.csv")


@pytest.mark.parametrize(
    ("encoding", "sep"), [("cp1252", ","), ("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ";")]
)
def test_a_report_saved_again_by_excel_is_undone(
    sandbox: Sandbox, tmp_path: Path, encoding: str, sep: str
) -> None:
    """Excel saves a CSV in the computer's code page (cp1252), as "Unicode text" (UTF-16, tab)
    or with ";" where the comma is the decimal mark: undo reads each, and takes the run back."""
    sandbox.start()
    client = client_for(sandbox)
    before = len(sandbox.associations("deals", "contacts"))
    frame = pd.DataFrame(
        {
            "Deal ID": ["2040000005", "2040000006"],
            "Contact ID": ["1019360021", "1019360022"],
            "Notes": ["Décideur, 1", "Käufer"],
        }
    )
    result = associate(frame, client, progress=False, record_existing=True)
    assert (result["status"] == "success").all()
    report = export_report(result, tmp_path / "report.csv")
    saved = tmp_path / "saved.csv"
    pd.read_csv(report, dtype=str, keep_default_na=False).to_csv(
        saved, index=False, sep=sep, encoding=encoding
    )
    table = load_run(saved)
    assert table["Notes"].tolist() == ["Décideur, 1", "Käufer"]
    undone = undo(saved, client, progress=False)
    assert (undone["status"] == "success").all()
    assert len(sandbox.associations("deals", "contacts")) == before


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=60)
    | st.text(max_size=20).map(lambda t: t.encode("utf-8"))
    | st.text(max_size=20).map(lambda t: t.encode("utf-16-le")),
    codec=st.sampled_from(["utf-8", "utf-16-le", "cp1252"]),
    size=st.integers(1, 9),
)
def test_a_file_is_checked_slice_by_slice_as_if_whole(body: bytes, codec: str, size: int) -> None:
    """The whole-file check decodes in slices (no copy of a large file's text): the first
    byte it cannot decode is where a decode of the whole would stop, whatever the slices."""
    from hubframe.io import encoding

    try:
        body.decode(codec)
        expected = None
    except UnicodeDecodeError as exc:
        expected = exc.start
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoding, "_SLICE", size)
        assert encoding.first_undecodable(body, codec) == expected


def test_a_csv_report_saved_again_as_xlsx_is_refused_with_what_to_do(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Excel's Save As .xlsx of a .csv report names its one sheet after the file: the undo
    said only "no Results sheet; is it a hubframe report?". It now says the sheet has a
    report's columns and how to undo (the .csv as written, the journal, or the sheet saved
    as CSV UTF-8 -- which undoes); nothing is undone from the workbook."""
    sandbox.start()
    client = client_for(sandbox)
    before = len(sandbox.associations("deals", "contacts"))
    frame = pd.DataFrame({"Deal ID": ["2040000005"], "Contact ID": ["1019360021"]})
    result = associate(frame, client, progress=False, record_existing=True)
    report = export_report(result, tmp_path / "report.csv")
    cells = pd.read_csv(report, dtype=str, keep_default_na=False)
    workbook = tmp_path / "report.xlsx"
    cells.to_excel(workbook, index=False, sheet_name="report")
    with pytest.raises(InputError, match="sheet 'report' has a report's columns") as refused:
        undo(workbook, client, progress=False)
    assert "CSV UTF-8" in str(refused.value) and "Nothing was undone" in str(refused.value)
    assert len(sandbox.associations("deals", "contacts")) == before + 1
    other = tmp_path / "other.xlsx"
    pd.DataFrame({"Deal": ["1"], "Notes": ["x"]}).to_excel(other, index=False)
    with pytest.raises(InputError, match="no Results sheet; is it a hubframe report"):
        undo(other, client, progress=False)
    saved = tmp_path / "saved.csv"
    pd.read_excel(workbook, dtype=str, keep_default_na=False, engine="openpyxl").to_csv(
        saved, index=False
    )
    assert (undo(saved, client, progress=False)["status"] == "success").all()
    assert len(sandbox.associations("deals", "contacts")) == before


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", codecs.BOM_UTF32_BE),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_a_file_with_any_unicode_byte_order_mark_reads_as_its_utf8_twin(
    encoding: str, bom: bytes
) -> None:
    """UTF-32 with its mark was read as UTF-16 (its mark begins with UTF-16's): every header
    and cell came out with NULs between the letters, ids refused and rows split in two (big
    endian: refused as binary data)."""
    lines = ["Deal ID,Contact ID,Notes", "101,201,Décideur", "102,202,x", "103,203,日本"]
    text = "\r\n".join(lines) + "\r\n"
    expected = hf.read_pairs(text.encode("utf-8"), from_type="deals", to_type="contacts")
    got = hf.read_pairs(bom + text.encode(encoding), from_type="deals", to_type="contacts")
    columns = ["row", "from_id", "to_id", "Notes"]
    assert got[columns].to_dict("list") == expected[columns].to_dict("list")
    assert hf.validate_pairs(got).empty
