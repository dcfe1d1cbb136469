"""A CSV saved in an East Asian code page is refused saying so, not as a file of two encodings.

Excel on a Chinese, Japanese or Korean Windows saves "CSV (Comma delimited)" in GBK, Big5,
Shift-JIS or EUC-KR.  Their letter pairs may hold a well-formed UTF-8 pair by chance (GBK's
客户 is BF CD BB A7: CD BB reads as UTF-8), so such a file was refused as mixing UTF-8 with an
older program's encoding: refused, but for a reason the analyst could not act on.  A file the
checks refuse is now refused naming the East Asian code pages when it holds their text; a file
of UTF-8 and cp1252 lines is still said to mix the two, and a Western file the checks read is
read as written.  A short East Asian word the other checks let through (Shift-JIS 担当者,
which cp1252 reads as ’S“–ŽÒ; GBK 经理 as ¾\xadÀí; EUC-KR 영업 as ¿µ¾÷) is refused too, where
its bytes pair up as two or more East Asian letters and read in cp1252 as letters and signs
together; a word of one such letter (様, —l) is not told.
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
from hubframe.io.labels import read_labels

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
        hf.read_pairs(io.BytesIO(data))
    except InputError as exc:  # refused: for the reason the analyst can act on, when the
        said = str(exc)  # file has East Asian text (a letter or two may be any code page's)
        if re.search(rb"[\x80-\x9f\xa1-\xff]{4}", data):
            assert "East Asian code page" in said and "mixes" not in said, (labels, said)


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
    "±½°²",
    "“À”…",
    "Équipe",
    "Straße",
]


@settings(max_examples=examples(60))
@given(
    cells=st.lists(st.sampled_from(FRENCH), min_size=1, max_size=8),
    codec=st.sampled_from(["cp1252", "latin-1"]),
)
def test_western_text_of_one_code_page_reads_as_written(cells: list[str], codec: str) -> None:
    """Western sheets from Excel for Windows: guillemets with no-break spaces around a word of
    an accented capital («\xa0Équipe\xa0», bytes GBK reads as its letters) were refused as an
    East Asian code page (helper-277: 363 of 2,136 such files), and so were signs and quotes
    in a row (±½°², “À”…: helper-278).  A file the other checks read is read as written."""
    if codec == "latin-1" and any(c in "".join(cells) for c in "Œœ–—„“”…"):
        return  # latin-1 has none of them
    text = _sheet(cells)
    frame = hf.read_pairs(io.BytesIO(text.encode(codec)))
    assert list(frame["label"]) == cells


#: Words of two or three letters each code page writes in bytes the Western checks read (before
#: the word check: 担当者 was read as ’S“–ŽÒ, and a labels run would have created it so).
SHORT = {
    "shift_jis": ["担当者", "主担当", "部下", "役員", "さん", "担当", "主要", "副担当"],
    "cp932": ["担当者", "部下", "さん"],
    "gbk": ["经理", "董事", "伙伴", "副总"],
    "big5": ["財務", "顧問", "會計"],
    "euc_kr": ["영업", "동료", "상사"],
}


@settings(max_examples=examples(40))
@given(
    word=st.sampled_from([(c, w) for c, ws in sorted(SHORT.items()) for w in ws]),
    before=st.integers(0, 3000),
    after=st.integers(0, 3),
    beside=st.sampled_from(["{}", "{} VIP", "VIP {}", "({})", "{}/Sales"]),
)
def test_short_east_asian_words_are_refused_not_changed(
    word: tuple[str, str], before: int, after: int, beside: str
) -> None:
    """Anywhere in the file (past the first bytes read too), alone in its cell or beside ASCII
    words and signs: refused naming the line, for pairs and for labels."""
    codec, text = word
    cells = ["Champion"] * before + [beside.format(text)] + ["Buyer"] * after
    data = _sheet(cells).encode(codec)
    said = _refusal(data)
    assert f"line {before + 2} " in said and "East Asian code page" in said, said
    assert "CSV UTF-8" in said
    labels = "From type,To type,Label\n" + "".join(f"deals,contacts,{c}\n" for c in cells)
    with pytest.raises(InputError, match="East Asian code page"):
        read_labels(labels.encode(codec))


#: Western words whose cp1252 bytes pair up as East Asian letters (a byte beyond ASCII, then
#: one from @): beside letters, of letters only, of signs only, a sign repeated, a quotation.
PAIRED = [
    "Paris–Zürich", "“À”…", "±½°²", "————", "••••", "Çaça", "Éléa", "Ñoño", "Ærøskøbing",
    "1½°C", "„Größe“", "‘Ça’", "“Über”", "l’été", "Œuvre–Ça", "“Été”", "Müller–Lüdenscheidt",
]  # fmt: skip


@settings(max_examples=examples(40))
@given(
    cells=st.lists(st.sampled_from(PAIRED + FRENCH), min_size=1, max_size=8),
    codec=st.sampled_from(["cp1252", "latin-1"]),
)
def test_western_words_of_paired_bytes_read_as_written(cells: list[str], codec: str) -> None:
    """The word check refuses none of them: a word beside letters or digits, of letters or of
    signs only, one sign repeated or a quotation is taken as Western."""
    try:
        data = _sheet(cells).encode(codec)
    except UnicodeEncodeError:
        return  # latin-1 has no – … “ ” „ • Œ
    assert list(hf.read_pairs(io.BytesIO(data))["label"]) == cells
