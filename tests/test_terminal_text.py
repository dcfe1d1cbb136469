"""Nothing hubframe prints can steer the terminal it is printed to.

The command line quotes cells, headers, sheet and file names and HubSpot's label names, and any
of them can hold control characters.  Before, a cell holding an escape sequence was printed as
it was: it could colour or clear the screen, set the window's title or (OSC 52) the clipboard,
and a carriage return or backspaces could write over a line that named a row in error.  Now
every such character is shown as its escape (``\\x1b``), on stdout and stderr, in the messages
of hubframe's exceptions and warnings (Python prints those to a terminal too); a progress bar
still redraws its line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import openpyxl
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import HubframeError, HubframeWarning, InputError
from hubframe.sandbox import Sandbox
from hubframe.terminal import visible
from hubframe.testing import done_with

REPO = Path(__file__).resolve().parents[1]
#: Characters that steer a terminal: C0 but tab and newline, DEL, C1, bidi overrides/isolates.
STEERING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = [
    "\x1b[31mred",  # colour
    "\x1b]0;title\x07",  # the window's title
    "\x1b]52;c;ZXZpbA==\x07",  # the clipboard
    "\x1b[2J\x1b[H",  # clear the screen
    "row 9 ok\rrow 2",  # write over the line
    "bad\x08\x08\x08ok",  # backspaces
    "\u202etxt.exe",  # right-to-left override
    "\x9b31m",  # C1 escape (CSI)
    "\x00nul\x7f",
]


def _steers(text: str) -> list[str]:
    return sorted(set(STEERING.findall(text)))


# --- the function -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_each_steering_character_is_shown_as_its_escape(text: str) -> None:
    shown = visible(text)
    assert not _steers(shown)
    for char in _steers(text):
        code = ord(char)
        assert (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") in shown


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "a\tb\nc",
        "Décideur",
        "שלום עולם",
        "مرحبا",
        "😀 👍🏽",
        "e\u0301",
        "\xa0nbsp",
        "日本語",
    ],
)
def test_text_that_steers_nothing_is_kept_as_it_is(text: str) -> None:
    assert visible(text) == text
    assert visible(text, redraw=True) == text


def test_only_a_progress_bars_leading_carriage_return_is_kept() -> None:
    assert visible("\rassociate: 10%|#", redraw=True) == "\rassociate: 10%|#"
    assert visible("\rx", redraw=False) == "\\x0dx"
    assert visible("\rx\r\x1b[A", redraw=True) == "\rx\\x0d\\x1b[A"


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=40), st.booleans())
def test_nothing_steers_once_made_visible(text: str, redraw: bool) -> None:
    shown = visible(text, redraw=redraw)
    rest = shown[1:] if redraw and text.startswith("\r") else shown
    assert not _steers(rest)
    assert visible(shown, redraw=redraw) == shown  # once is enough
    assert (shown == text) == (not _steers(text[1:] if rest is not shown else text))


# --- the command line -------------------------------------------------------------------------


def _hostile_csv(folder: Path) -> Path:
    texts = [h.replace("\x00", "") for h in HOSTILE]  # a NUL makes a CSV binary (refused)
    lines = ["Deal ID,Contact ID,Association label,Note"]
    lines += [f'"{n}{h}",5,"Dec{h}ision maker","{h}"' for n, h in enumerate(texts, start=1)]
    path = folder / "deals\x1b[1m.csv"  # a file name can hold them too
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _xml_escaped(text: str) -> str:
    """``text`` as a workbook holds it: a control character as ``_x001B_`` (Excel's escape;
    a reader gives the character back)."""
    return "".join(f"_x{ord(c):04X}_" if c < " " else c for c in text)


def _hostile_workbook(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Deals"
    sheet.append(["Deal ID", "Contact ID", "Association label"])
    for n, text in enumerate(HOSTILE, start=2):
        cell = _xml_escaped(text)
        sheet.append([f"{n}{cell}", 5, f"Decision{cell}"])
    extra = book.create_sheet("Pairs \u202e2")  # a later sheet of pairs: left out, named
    extra.append(["Deal ID", "Contact ID"])
    extra.append([1, 2])
    path = folder / "book.xlsx"
    book.save(path)
    return path


def _cli(*argv: str | Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "hubframe", *map(str, argv)],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def _clean(stream: bytes) -> str:
    text = stream.decode("utf-8")
    assert not _steers(text), _steers(text)
    return text


@pytest.mark.parametrize("sheet", ["csv", "xlsx"])
def test_the_command_lines_output_steers_nothing(sheet: str, tmp_path: Path) -> None:
    path = _hostile_csv(tmp_path) if sheet == "csv" else _hostile_workbook(tmp_path)
    checked = _cli("validate", path, "--from", "deals", "--to", "contacts", "--sandbox")
    assert checked.returncode == 1, checked.stderr
    out = _clean(checked.stdout) + _clean(checked.stderr)
    assert "\\x1b" in out and "BAD_ID" in out  # shown, not hidden
    ran = _cli(
        "associate", path, "--from", "deals", "--to", "contacts", "--sandbox",
        "--report", tmp_path / "report.xlsx", "--retry-file", tmp_path / "retry.csv",
    )  # fmt: skip
    assert ran.returncode in (0, 1), ran.stderr
    _clean(ran.stdout)
    _clean(ran.stderr)


def test_an_error_line_steers_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Deal\x1b]52;c;ZXZpbA==\x07 ID,Other\n1,2\n", encoding="utf-8")
    proc = _cli("validate", path, "--from", "deals", "--to", "contacts")
    assert proc.returncode == 2
    assert "\\x1b]52" in _clean(proc.stderr)
    _clean(proc.stdout)


def test_portal_label_names_steer_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Label names come from the portal: a label made with an escape sequence in its name is
    shown, escaped, among the labels that exist."""
    sb = Sandbox(seed="demo").start()
    try:
        sb.add_label("deals", "contacts", "Sponsor\x1b[8m")  # hidden text
        path = tmp_path / "pairs.csv"
        path.write_text("Deal ID,Contact ID,Label\n1,2,Unknown one\n", encoding="utf-8")
        code = main(
            ["validate", str(path), "--from", "deals", "--to", "contacts",
             "--base-url", sb.url, "--token", sb.token]
        )  # fmt: skip
    finally:
        done_with(sb)
    out, err = capsys.readouterr()
    assert code == 1
    assert not _steers(out) and not _steers(err)
    assert "Sponsor\\x1b[8m" in out


def test_a_progress_bar_still_redraws_its_line(tmp_path: Path) -> None:
    """With a terminal's width known, the bar's writes each begin with a carriage return."""
    path = tmp_path / "pairs.csv"
    rows = "\n".join(f"{5_000_000_000 + n},{6_000_000_000 + n}" for n in range(3000))
    path.write_text(f"Deal ID,Contact ID\n{rows}\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.run(
        [sys.executable, "-m", "hubframe", "associate", str(path), "--from", "deals", "--to",
         "contacts", "--sandbox", "rehearse", "--progress"],
        capture_output=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert "\rassociate:" in err and "3000/3000" in err
    assert "\\x0d" not in err


# --- Python's own printing --------------------------------------------------------------------


def test_exception_messages_steer_nothing() -> None:
    for text in HOSTILE:
        with pytest.raises(InputError) as caught:
            hf.read_pairs(f"A{text},B\n1,2\n".encode())
        assert not _steers(str(caught.value))
    assert not _steers(str(HubframeError("x\x1b[2Jy")))


def test_warning_messages_steer_nothing(tmp_path: Path) -> None:
    path = _hostile_workbook(tmp_path)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        hf.read_pairs(path, from_type="deals", to_type="contacts")
    said = [w for w in seen if issubclass(w.category, HubframeWarning)]
    assert said, [str(w.message) for w in seen]
    for w in said:
        assert not _steers(str(w.message))
        assert "\\u202e" in str(w.message)  # the sheet is still named
    printed = warnings.formatwarning(said[0].message, said[0].category, "f.py", 1)
    assert not _steers(printed)  # what Python prints of it
