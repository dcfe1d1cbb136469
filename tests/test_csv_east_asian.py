"""A CSV saved in an East Asian code page is refused saying so, not as a file of two encodings.

Excel on a Chinese, Japanese or Korean Windows saves "CSV (Comma delimited)" in GBK, Big5,
Shift-JIS or EUC-KR.  Their letter pairs may hold a well-formed UTF-8 pair by chance (GBK's
客户 is BF CD BB A7: CD BB reads as UTF-8), so such a file was refused as mixing UTF-8 with an
older program's encoding, and a Shift-JIS file as Windows-1252 or Mac Roman: refused, but for
a reason the analyst could not act on.  A file of UTF-8 lines and cp1252 lines is still said to
mix the two.
"""

from __future__ import annotations

import io
import re

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError

HEADER = "Deal ID,Contact ID,Label\n"
#: Letters of each language, as Excel's code page of it writes them.
WORDS = {
    "gb18030": ["决策者", "客户", "经理", "合作伙伴", "联系人"],
    "gbk": ["决策者", "客户", "经理", "采购"],
    "big5": ["決策者", "客戶", "經理", "聯絡人"],
    "shift_jis": ["決定者", "顧客", "担当者", "パートナー", "さん"],
    "cp932": ["決定者", "顧客", "担当者", "マネージャー"],
    "euc_kr": ["결정권자", "고객", "담당자", "파트너"],
}
WESTERN = ["Décideur", "Müller", "Señor", "ação", "Größe", "naïve", "Cœur", "Ærø"]


def _sheet(labels: list[str]) -> str:
    rows = [f"{2040000001 + i},{1019360001 + i},{label}" for i, label in enumerate(labels)]
    return HEADER + "\n".join(rows) + "\n"


def _refusal(data: bytes) -> str:
    with pytest.raises(InputError) as caught:
        hf.read_pairs(io.BytesIO(data))
    return str(caught.value)


@pytest.mark.parametrize("codec", sorted(WORDS))
def test_a_sheet_in_an_east_asian_code_page_is_named_so(codec: str) -> None:
    said = _refusal(_sheet(WORDS[codec]).encode(codec))
    assert "East Asian code page" in said and "mixes" not in said, said
    assert "CSV UTF-8" in said


@settings(max_examples=examples(40))
@given(
    codec=st.sampled_from(sorted(WORDS)),
    picks=st.lists(st.integers(0, 3), min_size=1, max_size=6),
    ascii_too=st.booleans(),
)
def test_any_east_asian_labels_are_named_so(codec: str, picks: list[int], ascii_too: bool) -> None:
    words = WORDS[codec]
    labels = [words[p % len(words)] + (" VIP" if ascii_too else "") for p in picks]
    data = _sheet(labels).encode(codec)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        said = _refusal(data)  # never read with its cells changed
        if re.search(rb"[\x80-\x9f\xa1-\xff]{4}", data):  # a letter or two may be any code
            assert "East Asian code page" in said, (labels, said)  # page's


@settings(max_examples=examples(40))
@given(
    words=st.lists(st.sampled_from(WESTERN), min_size=2, max_size=6),
    old=st.sampled_from(["cp1252", "latin-1"]),
    first_utf8=st.booleans(),
)
def test_western_lines_of_two_encodings_still_mix(
    words: list[str], old: str, first_utf8: bool
) -> None:
    """A line of UTF-8 and a line of cp1252 (GBK reads é's C3 A9 as 铆, and cp1252's é with
    the letter after it as another character): still refused as mixing two encodings."""
    if "œ" in "".join(words) and old == "latin-1":
        return  # latin-1 has no œ
    lines = [HEADER.encode()]
    for i, word in enumerate(words):
        utf8 = (i % 2 == 0) == first_utf8
        lines.append(
            f"{2040000001 + i},{1019360001 + i},".encode()
            + word.encode("utf-8" if utf8 else old)
            + b"\n"
        )
    said = _refusal(b"".join(lines))
    assert "mixes two text encodings" in said and "East Asian" not in said, (words, said)


@pytest.mark.parametrize("label", ["担当者", "さん", "会社名"])
def test_a_shift_jis_label_cp1252_reads_is_not_read_changed(label: str) -> None:
    """Shift-JIS's 担当者 (92 53 93 96 8E D2) reads in cp1252 as ’S“–ŽÒ, which passed the
    code page checks: the file was read, its label changed, and a labels run would have
    created the label so spelled.  It is refused, naming the code pages.  (顧客, 8C DA 8B 71,
    of three such bytes in a row, is not told from Western text: see below.)"""
    said = _refusal(_sheet([label]).encode("cp932"))
    assert "East Asian code page" in said, said


N = "\u00a0"
FRENCH = [
    f"«{N}Économe{N}»",
    f"voir «{N}Équipe{N}» en 2026",
    f"«{N}Élu{N}»",
    "Contrôleur de gestion",
    "Décideur",
    f"Cœur{N}–{N}«{N}Ça{N}»",
    f"«{N}…{N}»",
    "Ça — «Été»",
    "Ærøskøbing",
    "„Größe“ … «naïve»",
]


@settings(max_examples=examples(60))
@given(
    cells=st.lists(st.sampled_from(FRENCH), min_size=1, max_size=8),
    codec=st.sampled_from(["cp1252", "latin-1"]),
)
def test_western_text_of_one_code_page_reads_as_written(cells: list[str], codec: str) -> None:
    """French sheets from Excel for Windows: guillemets with no-break spaces around a word
    of an accented capital («\xa0Équipe\xa0» is three bytes beyond ASCII in a row, which GBK
    reads as its letters) were refused as an East Asian code page (helper-277: 363 of 2,136
    such files).  Read as written."""
    if codec == "latin-1" and any(c in "".join(cells) for c in "Œœ–—„“…"):
        return  # latin-1 has none of them
    text = _sheet(cells)
    frame = hf.read_pairs(io.BytesIO(text.encode(codec)))
    assert list(frame["label"]) == cells
