"""A number format's bracket sections and fills are read for the digits they show.

An id cell holding 2040000001 formatted ``[$1]0`` shows ``12040000001`` in Excel (the currency
symbol of ``[$symbol-locale]`` is written before the number), ``[$123-409]0`` shows
``1232040000001``, ``0*0`` fills the cell with zeros after the number, and a text cell under
``[$1]@`` shows ``12040000001``: each was read silently as 2040000001 (the check removed every
``[...]`` as a colour or a locale before looking for digits, and never read ``*``), where the
documented ``"1"0``, ``\\1\\00``, ``"10"0`` and ``"1"@`` are refused.  Now a currency symbol, a
fill character and ``!``-escaped text are text the format writes, checked as quoted text is;
a locale asking for other numerals (``[$-1010409]``: Arabic-Indic digits) and East Asian
numerals (``[DBNum1]``) show other digits.  ``[$-409]``, ``[$€-407]``, ``[Red]``, ``* `` (the
fill of accounting formats) and ``_)`` (a space) show none.  A label number under a currency
symbol (``[$€-407]0`` shows 7 as ``€7``) is shown as other text than its digits.

The property holds the checks to a small renderer of what Excel shows for formats made of
bracket sections, fills, spaces, escaped and quoted text around a number.
"""

from __future__ import annotations

import io

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from workbook_features import read_with

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.numfmt import hides_text, shows_number_otherwise, shows_other_digits

ID = 2040000001
SHOW_OTHER = [
    "[$1]0",
    "[$123-409]0",
    "0*0",
    "*1 0",
    "[$1-409]#,##0",
    "0[$2]",
    "[Red][$1]0",
    "!10",
    "0!0",
    "[$-1010409]0",
    "[DBNum1]0",
    "[$-D000000]#,##0",
]
SHOW_HELD = [
    "[$-409]0",
    "[$€-407]0",
    "[$€-407] #,##0",
    "[$US$-409]#,##0",
    "[Red]0",
    "[Color10]0",
    '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
    "* 0",
    "0* ",
    "0*-",
    "0_0",
    "[$-x-sysdate]0",
    "[$-F800]0",
]


@pytest.mark.parametrize("code", SHOW_OTHER)
def test_bracket_sections_and_fills_showing_digits_show_other_digits(code: str) -> None:
    assert shows_other_digits(code)


@pytest.mark.parametrize("code", SHOW_HELD)
def test_bracket_sections_and_fills_without_digits_show_the_digits_held(code: str) -> None:
    assert not shows_other_digits(code)


@pytest.mark.parametrize("code", ["[$1]@", "[$12-409]@", "@*0", '[$-409]"1"@', "!1@"])
def test_text_sections_writing_digits_hide_the_text(code: str) -> None:
    assert hides_text(code)


@pytest.mark.parametrize("code", ["[$€-407]@", "[$-409]@", "@* ", "[Red]@", "_(@_)"])
def test_text_sections_without_digits_show_the_text(code: str) -> None:
    assert not hides_text(code)


@pytest.mark.parametrize(("code", "value"), [("[$€-407]0", 7), ("[$1]0", 7), ("0*0", 7)])
def test_a_label_number_under_a_symbol_or_fill_is_shown_otherwise(code: str, value: int) -> None:
    assert shows_number_otherwise(code, float(value))


@pytest.mark.parametrize("code", ["[$-409]0", "[Red][$-407]0"])
def test_a_label_number_under_a_locale_alone_is_shown_as_its_digits(code: str) -> None:
    assert not shows_number_otherwise(code, 7.0)


def _book(code: str, *, text: bool = False) -> bytes:
    """Deal ids (numbers, or text) formatted ``code``, beside plain contact ids."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Deal ID", "Contact ID"])
    for n in range(2):
        ws.append([str(ID + n) if text else ID + n, 1019360001 + n])
        ws.cell(n + 2, 1).number_format = code
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("code", ["[$1]0", "[$123-409]0", "0*0", '"1"0'])
def test_an_id_shown_with_other_digits_stops_the_read(engine: str, code: str) -> None:
    """The report's formats are refused as ``"1"0`` is, in the same words."""
    with read_with(engine), pytest.raises(InputError, match="column 'Deal ID'") as caught:
        hf.read_pairs(_book(code), from_type="deals", to_type="contacts")
    said = str(caught.value)
    assert f"rows 2, 3; row 2 holds {ID}, shown with the format '{code}'" in said


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("code", ["[$1]@", '"1"@'])
def test_a_text_id_shown_with_other_digits_stops_the_read(engine: str, code: str) -> None:
    with read_with(engine), pytest.raises(InputError, match="column 'Deal ID'") as caught:
        hf.read_pairs(_book(code, text=True), from_type="deals", to_type="contacts")
    assert f"row 2 holds {ID}" in str(caught.value)


@pytest.mark.parametrize("code", ["[$-409]0", "[$€-407]0", "_(* #,##0_)", "[Red]0", "0* "])
def test_an_id_shown_with_its_digits_reads_as_before(code: str) -> None:
    pairs = hf.read_pairs(_book(code), from_type="deals", to_type="contacts")
    assert pairs["from_id"].tolist() == [str(ID), str(ID + 1)]


# --- the property: a small renderer of what Excel shows --------------------------------------

#: Arabic-Indic digits, which a locale's numeral system (its top byte) shows instead of 0-9.
_OTHER_NUMERALS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SYMBOLS = ["", "€", "$", "US$", "kr", "1", "12", "R2", "£0"]
LOCALES = ["", "409", "407", "411", "F800", "x-sysdate", "1010409", "D07041E"]
BODIES = {"0": str(ID), "#": str(ID), "#,##0": f"{ID:,}", "#,###": f"{ID:,}"}


@st.composite
def _piece(draw: st.DrawFn, text: bool) -> tuple[str, str, bool]:
    """A piece of a format around its number: (code, what Excel shows of it, whether it asks
    for other numerals)."""
    kind = draw(st.sampled_from(["colour", "currency", "quoted", "escaped", "fill", "space"]))
    char = draw(st.sampled_from([" ", "-", "x", "0", "1", "(", ")"]))
    if kind == "colour":
        return draw(st.sampled_from(["[Red]", "[Blue]", "[Color7]"])), "", False
    if kind == "currency":
        symbol, locale = draw(st.sampled_from(SYMBOLS)), draw(st.sampled_from(LOCALES))
        code = f"[${symbol}" + (f"-{locale}" if locale else "") + "]"
        numerals = not text and locale not in ("", "x-sysdate") and int(locale, 16) >> 24 > 0
        return code, symbol, numerals
    if kind == "quoted":
        words = draw(st.sampled_from(["", "Deal ", "1", "No. 10", "x"]))
        return f'"{words}"', words, False
    if kind == "escaped":
        return draw(st.sampled_from(["\\", "!"])) + char, char, False
    if kind == "fill":
        return f"*{char}", char * draw(st.integers(1, 3)), False
    return f"_{char}", " ", False


@st.composite
def _format(draw: st.DrawFn, text: bool) -> tuple[str, str]:
    """A format of pieces around a number (or a text's ``@``), and what it shows of ID."""
    before = draw(st.lists(_piece(text), max_size=3))
    after = draw(st.lists(_piece(text), max_size=3))
    body, shown = ("@", str(ID)) if text else draw(st.sampled_from(sorted(BODIES.items())))
    pieces = [*before, (body, shown, False), *after]
    if any(numerals for _, _, numerals in pieces):
        shown = shown.translate(_OTHER_NUMERALS)
    code = "".join(c for c, _, _ in pieces[: len(before)]) + body
    code += "".join(c for c, _, _ in pieces[len(before) + 1 :])
    seen = "".join(s for _, s, _ in pieces[: len(before)]) + shown
    seen += "".join(s for _, s, _ in pieces[len(before) + 1 :])
    others = draw(st.sampled_from(["", ";-0", ";-0;0", ";-0;0;@"])) if not text else ""
    return code + others, seen


def _digits(shown: str) -> str:
    return "".join(c for c in shown if c.isdigit())


@settings(max_examples=examples(300), deadline=None)
@given(made=_format(text=False))
def test_a_number_format_is_accepted_only_when_it_shows_the_digits(made: tuple[str, str]) -> None:
    code, shown = made
    assert shows_other_digits(code) is (_digits(shown) != str(ID)), shown


@settings(max_examples=examples(300), deadline=None)
@given(made=_format(text=True))
def test_a_text_format_is_accepted_only_when_it_shows_the_digits(made: tuple[str, str]) -> None:
    code, shown = made
    assert hides_text(code) is (_digits(shown) != str(ID)), shown
