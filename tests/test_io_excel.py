"""Choosing a workbook's sheets: hidden sheets, '*', positions and names (hubframe.io.excel)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from workbook_features import read_with

from hubframe.errors import InputError
from hubframe.io import excel as hexcel
from hubframe.io import read_limits, read_notes, read_pairs, sheet_headers, sheet_list

PAIRS = [["Deal ID", "Contact ID"], [101, 201], [102, 202]]


def _book(*sheets: tuple[str, list[list[Any]], str]) -> bytes:
    """A workbook of (name, rows, state) sheets; state "visible", "hidden" or "veryHidden"."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, state in sheets:
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _info(frame: Any) -> dict[str, Any]:
    info: dict[str, Any] = frame.attrs["hubframe"]
    return info


ARCHIVE = ("Archive", [["Deal ID", "Contact ID"], [1, 2]], "hidden")
NOTES = ("Notes", [["Read me first"], ["This workbook links deals"]], "visible")
LINKS = ("Links", PAIRS, "visible")
MORE = ("More", [["Deal ID", "Contact ID"], [103, 203]], "visible")


def test_default_is_the_first_visible_sheet_with_recognised_columns() -> None:
    pairs = read_pairs(_book(ARCHIVE, NOTES, LINKS, MORE))
    assert pairs["sheet"].unique().tolist() == ["Links"]
    assert pairs["to_id"].tolist() == ["201", "202"]
    info = _info(pairs)
    assert info["sheets_read"] == ["Links"]
    assert info["sheet_choice"] == "the first visible sheet with recognised columns"
    skipped = info["skipped_sheets"]
    assert skipped[:2] == [
        {"sheet": "Archive", "reason": "hidden", "holds_rows": True},  # a sync stops at it
        {"sheet": "Notes", "reason": "no recognised columns", "holds_rows": False},
    ]
    # a later sheet with pairs is not read, and never left out unseen: the read says so
    assert [s["sheet"] for s in skipped[2:]] == ["More"]
    assert 'only the first such sheet is read; sheet="*" reads every sheet' in skipped[2]["reason"]
    assert skipped[2]["holds_rows"] is True


def test_a_plain_first_sheet_is_said_plainly() -> None:
    pairs = read_pairs(_book(LINKS, NOTES))
    assert _info(pairs)["sheet_choice"] == "the first sheet"
    assert "skipped_sheets" not in _info(pairs)


def test_only_later_sheets_holding_rows_of_the_kind_are_named() -> None:
    headers_only = ("Template", [["Deal ID", "Contact ID"]], "visible")
    hidden = ("Old", [["Deal ID", "Contact ID"], [104, 204]], "hidden")
    summary = ("Summary", [["Stage", "Count"], ["won", 3]], "visible")
    pairs = read_pairs(_book(LINKS, headers_only, hidden, summary, MORE), syntax="cli")
    skipped = _info(pairs)["skipped_sheets"]
    # a hidden sheet of pairs is named as hidden (a sync that may remove stops at it)
    assert [(s["sheet"], s["holds_rows"]) for s in skipped] == [("Old", True), ("More", True)]
    assert skipped[0]["reason"] == "hidden"
    assert "--sheet '*' reads every sheet" in skipped[1]["reason"]
    assert read_pairs(_book(LINKS, MORE), sheet="*")["sheet"].tolist() == ["Links", "Links", "More"]


def test_star_reads_every_visible_recognisable_sheet_and_lists_the_others() -> None:
    broken = ("Broken", [["Deal ID", "Notes"], [5, "no to column"]], "visible")
    empty = ("Empty", [], "visible")
    pairs = read_pairs(_book(ARCHIVE, NOTES, LINKS, broken, empty, MORE), sheet="*")
    assert pairs["sheet"].tolist() == ["Links", "Links", "More"]
    skipped = {s["sheet"]: s["reason"] for s in _info(pairs)["skipped_sheets"]}
    assert skipped["Archive"] == "hidden" and skipped["Notes"] == "no recognised columns"
    assert skipped["Empty"] == "empty"
    assert "no column for the 'to' record id" in skipped["Broken"]  # the sheet's own problem
    assert not skipped["Broken"].startswith("<bytes>")  # the reason, without the location


def test_star_aborts_only_when_no_sheet_is_readable() -> None:
    with pytest.raises(InputError, match="no sheet has columns hubframe recognises"):
        read_pairs(_book(ARCHIVE, NOTES, ("Other", [["x", "y"]], "visible")), sheet="*")


def test_a_single_sheet_keeps_its_own_error() -> None:
    with pytest.raises(InputError, match=r"\[Notes\]: no column for the 'from' record id"):
        read_pairs(_book(NOTES))
    with pytest.raises(InputError, match=r"\[Empty\]: the sheet is empty"):
        read_pairs(_book(("Empty", [], "visible")))


def test_hidden_sheets_are_read_by_name_or_position() -> None:
    data = _book(ARCHIVE, LINKS)
    assert read_pairs(data, sheet="Archive")["from_id"].tolist() == ["1"]
    assert read_pairs(data, sheet=0)["from_id"].tolist() == ["1"]
    assert _info(read_pairs(data, sheet="archive "))["sheet_choice"] == "by name"


@pytest.mark.parametrize(
    ("sheet", "read"),
    [
        (0, "Archive"),
        ("0", "Archive"),
        (1, "Links"),
        (" 2 ", "More"),
        (-1, "More"),
        ("-3", "Archive"),
    ],
)
def test_positions_count_from_zero_with_hidden_sheets(sheet: int | str, read: str) -> None:
    pairs = read_pairs(_book(ARCHIVE, LINKS, MORE), sheet=sheet)
    assert pairs["sheet"].iloc[0] == read
    position = int(str(sheet)) % 3
    assert _info(pairs)["sheet_choice"] == f"by position {position}"


def test_a_sheet_named_like_a_number_wins_over_the_position() -> None:
    data = _book(("2", PAIRS, "visible"), ("Other", [["Deal ID", "Contact ID"], [9, 8]], "visible"))
    assert read_pairs(data, sheet="2")["sheet"].iloc[0] == "2"  # the name, though no position 2
    assert read_pairs(data, sheet=1)["sheet"].iloc[0] == "Other"  # an int is always a position
    data = _book(LINKS, ("1", [["Deal ID", "Contact ID"], [7, 6]], "visible"))
    assert read_pairs(data, sheet="1")["sheet"].iloc[0] == "1"  # the name, not position 1
    assert read_pairs(data, sheet=0)["sheet"].iloc[0] == "Links"


@pytest.mark.parametrize("sheet", [3, "3", -4, "Nope", True])
def test_no_such_sheet_lists_the_sheets_with_their_positions(sheet: Any) -> None:
    # the listing is what the analyst needs to choose (why the text is checked)
    with pytest.raises(InputError, match=r"0 'Archive' \(hidden\), 1 'Links', 2 'More'"):
        read_pairs(_book(ARCHIVE, LINKS, MORE), sheet=sheet)


def test_sheet_list_marks_hidden_sheets_and_csv_has_none() -> None:
    sheets = sheet_list(_book(ARCHIVE, LINKS, ("Secret", PAIRS, "veryHidden")))
    assert [(s.name, s.position, s.hidden) for s in sheets] == [
        ("Archive", 0, True),
        ("Links", 1, False),
        ("Secret", 2, True),
    ]
    assert sheet_list(b"Deal ID,Contact ID\n1,2\n") == []


def test_openpyxl_fallback_sees_hidden_sheets_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: hexcel.Workbook) -> Any:
        raise RuntimeError("calamine cannot")

    monkeypatch.setattr(hexcel.Workbook, "_book", broken)
    data = _book(ARCHIVE, NOTES, LINKS)
    assert [s.hidden for s in sheet_list(data)] == [True, False, False]
    assert read_pairs(data)["sheet"].iloc[0] == "Links"


def test_sheet_headers_follow_the_default_choice() -> None:
    data = _book(
        ARCHIVE, NOTES, ("Links", [["Title"], [], ["Deal ID", "Contact ID", "Notes"]], "visible")
    )
    assert sheet_headers(data) == ["Deal ID", "Contact ID", "Notes"]
    assert sheet_headers(data, sheet="*") == ["Deal ID", "Contact ID", "Notes"]
    assert sheet_headers(data, sheet=0) == ["Deal ID", "Contact ID"]  # hidden, by position
    assert sheet_headers(_book(NOTES)) == ["Read me first"]  # nothing recognised: the first


def test_limits_workbooks_choose_the_same_way() -> None:
    limits_rows = [["From", "To", "Label", "Max"], ["deals", "contacts", "", 5]]
    data = _book(("Old", limits_rows, "hidden"), NOTES, ("Limits", limits_rows, "visible"))
    limits = read_limits(data)
    assert limits["sheet"].tolist() == ["Limits"] and limits["max_to_object_ids"].tolist() == [5]
    notes = read_notes(limits)
    assert [s.name for s in notes.skipped] == ["Old", "Notes"]


def test_workbook_files_are_named_in_the_notes(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(_book(ARCHIVE, LINKS))
    lines = read_notes(read_pairs(path)).messages()
    assert lines[0] == (
        "info",
        "book.xlsx: read sheet 'Links' (the first visible sheet with recognised columns)",
    )
    assert lines[1] == ("warning", "book.xlsx: sheet 'Archive' skipped: hidden")


def test_a_sheet_that_needs_a_choice_stops_the_read_instead_of_being_skipped() -> None:
    untyped = ("Pairs", [["From ID", "To ID"], [1, 2]], "visible")  # ids, but no types
    typed = ("Lookup", [["Deal ID", "Contact ID"], [3, 4]], "visible")
    for sheet in (None, "*"):
        with pytest.raises(InputError, match=r"\[Pairs\]: no column for the 'from' object type"):
            read_pairs(_book(NOTES, untyped, typed), sheet=sheet)
    pairs = read_pairs(_book(NOTES, untyped, typed), from_type="deals", to_type="contacts")
    assert pairs["sheet"].tolist() == ["Pairs"]


def _many_sheets(count: int) -> bytes:
    """A workbook of ``count`` sheets of one pair each, its parts written directly (openpyxl
    takes seconds to write thousands of sheets)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<sheet name="S{i}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i in range(count)
    )
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{rel}/worksheet" '
        f'Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(count)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{kind}.worksheet+xml"/>'
        for i in range(count)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        book.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="{rel}"><sheets>{sheets}</sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        for i in range(count):
            book.writestr(
                f"xl/worksheets/sheet{i + 1}.xml",
                f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID'
                '</t></is></c><c r="B1" t="inlineStr"><is><t>Contact ID</t></is></c></row>'
                f'<row r="2"><c r="A2"><v>{100 + i}</v></c><c r="B2"><v>{200 + i}</v></c></row>'
                "</sheetData></worksheet>",
            )
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::hubframe.io.notes.SheetsLeftOut")
def test_a_workbook_of_thousands_of_sheets_opens_its_archive_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before: the archive's directory was read once a sheet, so 2,000 sheets took 14 s and
    3,000 about 30 (a 1.5 MB file); now the archive is opened a few times whatever the number
    of sheets.  Counted, not timed (a timed bound failed on a loaded machine)."""
    import zipfile

    opened = 0
    real_init = zipfile.ZipFile.__init__

    def counted(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
        nonlocal opened
        opened += 1
        real_init(self, *args, **kwargs)

    data = _many_sheets(2000)
    monkeypatch.setattr(zipfile.ZipFile, "__init__", counted)
    pairs = read_pairs(data)
    assert opened <= 5, opened  # the checks and the reader; once a sheet was 2,000 more
    assert pairs["to_id"].tolist() == ["200"]
    assert len(read_notes(pairs).skipped) == 1999  # every later sheet of pairs named


def test_a_skipped_sheet_reaching_far_cells_is_looked_at_only_in_its_first_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether a skipped sheet holds ids is told from its first rows and columns: looking at
    every cell of a sheet whose far cell makes a 9,000,000-cell grid took 10 s (a fuzzed
    workbook tripped the hostile-input bounds). Counted, not timed."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Notes"])
    notes.cell(900_000, 10).value = "far"
    pairs = book.create_sheet("Pairs")
    pairs.append(["Deal ID", "Contact ID"])
    pairs.append(["2040000001", "1019360001"])
    data = io.BytesIO()
    book.save(data)
    looked = 0
    original = hexcel.one_cell_text

    def counting(cell: Any) -> str:
        nonlocal looked
        looked += 1
        return original(cell)

    monkeypatch.setattr(hexcel, "one_cell_text", counting)
    frame = read_pairs(data.getvalue(), from_type="deals", to_type="contacts")
    assert frame["from_id"].tolist() == ["2040000001"]
    assert looked < 50_000


# --- an empty template sheet before the sheet of rows ---------------------------------------------
# Before: the default read took the first sheet with recognised columns even when it held only
# its headers (a template), read 0 rows, and left the data sheet out with a warning; the CLI
# reported "total 0" and exited 0, having done nothing.

TEMPLATE = ("Template", [["Deal ID", "Contact ID", "Label"]], "visible")
DATA = (
    "Data",
    [["Deal ID", "Contact ID", "Label"], [101, 201, None], [102, 202, "Champion"]],
    "visible",
)
DATA_2 = ("Data 2", [["Deal ID", "Contact ID", "Label"], [103, 203, None]], "visible")


@pytest.mark.parametrize(
    "sheets",
    [
        [TEMPLATE, DATA],
        [NOTES, TEMPLATE, DATA],
        [TEMPLATE, NOTES, DATA],
        [TEMPLATE, ("Blank", [["Deal ID", "Contact ID"], [None, None]], "visible"), DATA],
        [TEMPLATE, ARCHIVE, DATA],  # a hidden sheet is never read by default
        [("Template", [["Deal ID", "Contact ID"], [], [" "]], "visible"), DATA],
    ],
)
def test_the_one_sheet_with_rows_is_read_instead_of_an_empty_template(
    sheets: list[tuple[str, list[list[Any]], str]],
) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is left out: no SheetsLeftOut warning
        pairs = read_pairs(_book(*sheets))
    assert pairs["sheet"].unique().tolist() == ["Data"]
    assert pairs["to_id"].tolist() == ["201", "202"]
    info = _info(pairs)
    assert info["sheets_read"] == ["Data"]
    assert info["sheet_choice"] == "the only visible sheet with recognised columns and rows"
    template = [s for s in info["skipped_sheets"] if s["sheet"] == "Template"]
    assert template == [
        {
            "sheet": "Template",
            "reason": "it has recognised columns but no rows",
            "holds_rows": False,
        }
    ]


@pytest.mark.parametrize("syntax", ["python", "cli"])
def test_several_sheets_with_rows_after_an_empty_one_stop_and_ask(syntax: str) -> None:
    with pytest.raises(InputError) as info:
        read_pairs(_book(TEMPLATE, DATA, NOTES, DATA_2), syntax=syntax)  # type: ignore[arg-type]
    message = str(info.value)
    assert "sheet 'Template' has recognised columns but no rows" in message
    assert "'Data', 'Data 2' have rows" in message
    assert ("--sheet NAME" if syntax == "cli" else "sheet=") in message
    # each way out reads what it says
    assert read_pairs(_book(TEMPLATE, DATA, DATA_2), sheet="Data 2")["to_id"].tolist() == ["203"]
    every = read_pairs(_book(TEMPLATE, DATA, DATA_2), sheet="*")
    assert every["sheet"].tolist() == ["Data", "Data", "Data 2"]


def test_an_empty_first_sheet_alone_reads_as_before() -> None:
    """No later sheet holds rows: the template is what there is (nothing to do, nothing left
    out); a first sheet with rows is read as before, the later ones named."""
    pairs = read_pairs(_book(TEMPLATE, NOTES))
    assert len(pairs) == 0 and _info(pairs)["sheets_read"] == ["Template"]
    with pytest.warns(UserWarning, match="'Data' was not read"):
        first = read_pairs(_book(MORE, TEMPLATE, DATA))
    assert _info(first)["sheets_read"] == ["More"]


def test_a_limits_workbook_with_an_empty_template_reads_its_rows() -> None:
    template = ("Template", [["From", "To", "Label", "Max"]], "visible")
    data = (
        "Limits",
        [["From", "To", "Label", "Max"], ["deals", "companies", "Primary", 3]],
        "visible",
    )
    limits = read_limits(_book(template, data))
    assert limits["sheet"].tolist() == ["Limits"] and limits["max_to_object_ids"].tolist() == [3]


def test_the_command_line_reads_the_sheet_with_rows(tmp_path: Path) -> None:
    import subprocess
    import sys

    from hubframe.testing import demo_ids

    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    data = (
        "Data",
        [["Deal ID", "Contact ID"], [deals[0], contacts[0]], [deals[1], contacts[1]]],
        "visible",
    )
    path = tmp_path / "book.xlsx"
    path.write_bytes(_book(TEMPLATE, data))

    def run(book: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hubframe", "associate", str(book), "--dry-run", "--sandbox"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            timeout=120,
            check=False,
        )

    proc = run(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        "read sheet 'Data' (the only visible sheet with recognised columns and rows)" in proc.stdout
    )
    total = [line.split() for line in proc.stdout.splitlines() if line.split()[:1] == ["total"]]
    assert total == [["total", "2"]]
    both = tmp_path / "both.xlsx"
    both.write_bytes(_book(TEMPLATE, data, ("Other", data[1], "visible")))
    proc = run(both)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--sheet NAME" in proc.stderr and "'Data', 'Other' have rows" in proc.stderr


# --- two sheets of one name -----------------------------------------------------------------------


def _renamed(data: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with a sheet's name changed in workbook.xml alone (as a damaged file or a
    program other than a spreadsheet's may leave it)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                part = part.replace(b'name="' + old + b'"', b'name="' + new + b'"')
            copy.writestr(info.filename, part)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("state", ["visible", "hidden"])
def test_two_sheets_of_one_name_are_refused(engine: str, state: str) -> None:
    """The engine read the first sheet named "Links", the checks of the sheet's XML (error
    values, hidden rows, merged cells, formats) the other: a label #N/A of the first sheet
    read as "no label" (the other sheet had no error there)."""
    failed = ("Links", [["Deal ID", "Contact ID", "Label"], [101, 201, "#N/A"]], "visible")
    other = ("Other", [["Deal ID", "Contact ID", "Label"], [105, 205, None]], state)
    data = _renamed(_book(failed, other), b"Other", b"Links")
    with read_with(engine), pytest.raises(InputError, match="two sheets named 'Links'") as info:
        read_pairs(data)
    assert "damaged" in str(info.value)
    for sheet in ("Links", 0, "*"):
        with read_with(engine), pytest.raises(InputError, match="two sheets named"):
            read_pairs(data, sheet=sheet)
    names_in_two_cases = _renamed(_book(failed, other), b"Other", b"LINKS")
    assert read_pairs(names_in_two_cases, sheet="Links")["label"].tolist() == ["#N/A"]
