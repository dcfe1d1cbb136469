"""A CSV file in an encoding hubframe cannot tell from cp1252 is refused, never read as cp1252.

Excel for Mac's "CSV (Macintosh)" writes Mac Roman, where é, ü, ä, ç ... are the bytes
0x80-0x9F: read as cp1252, "Décideur" became "DŽcideur" without a word, and the labels job
would have created the misspelled label.  A UTF-16 file without its byte order mark was refused
as "binary data".
"""

from __future__ import annotations

import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io.labels import read_labels

TYPES = {"from_type": "deals", "to_type": "contacts"}
HEADER = "Deal ID,Contact ID,Association label\n"
#: Mac Roman's letters at 0x80-0x9F that cp1252 reads as something no word holds between two
#: small letters (a symbol, a capital, a byte it has not).  í ó ö ú û read as ’ — š œ ž, which
#: cp1252 (and cp1250) words do hold: those alone are not told apart; Ö reads as …, which is
#: told inside a word in capitals only ("K…LN"; "wait…what" is text).
TOLD: str = "ÄÅÇÉÑÜáàâäãåçéèêëìîïñòôõùü"
CP1252_WORDS = [
    "Décideur",
    "Preneur d’ordre",
    "Œuvre",
    "cœur",
    "Žena",
    "Škoda",
    "Pašek",
    "žena",
    "wait…what",
    "this—that",
    "Paris–London",
    "100€",
    "Brand™",
    "„Hallo“",
    "PRIŠTINA",
    "Straße",
]


def _pairs(label: str, codec: str) -> bytes:
    return (HEADER + f"2040000001,1019360001,{label}\n").encode(codec)


@pytest.mark.parametrize(
    "label", ["Décideur", "Müller", "Bär", "Håkan", "Français", "café", "KÖLN", "España"]
)
def test_a_mac_roman_label_is_refused_naming_the_line_and_both_readings(label: str) -> None:
    with pytest.raises(InputError) as caught:
        hf.read_pairs(_pairs(label, "mac_roman"), **TYPES)
    said = str(caught.value)
    assert "line 2" in said and label in said and "Mac" in said and "CSV UTF-8" in said
    data = label.encode("mac_roman")
    try:
        windows = repr(data.decode("cp1252"))[1:-1]
    except UnicodeDecodeError:  # a byte cp1252 has not: the file would have read as latin-1
        windows = repr(data.decode("latin-1"))[1:-1]
    assert windows in said  # both readings shown


@settings(max_examples=examples(80), deadline=None)
@given(
    before=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6),
    letter=st.sampled_from(TOLD),
    after=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6),
    padding=st.integers(0, 3000),
)
def test_a_mac_roman_letter_inside_a_word_is_never_read_as_another(
    before: str, letter: str, after: str, padding: int
) -> None:
    """Wherever the word is (past the sample too), the file is refused, never read."""
    label = before + letter + after
    lines = "".join(f"2040000001,1019360001,x{n}\n" for n in range(padding))
    data = (HEADER + lines + f"2040000002,1019360002,{label}\n").encode("mac_roman")
    with pytest.raises(InputError, match="Mac Roman"):
        hf.read_pairs(data, **TYPES)
    labels = (f"From type,To type,Label\n{lines}deals,contacts,{label}\n").encode("mac_roman")
    with pytest.raises(InputError, match="Mac Roman"):
        read_labels(labels)


@pytest.mark.parametrize("label", CP1252_WORDS)
def test_cp1252_words_read_as_written(label: str) -> None:
    assert hf.read_pairs(_pairs(label, "cp1252"), **TYPES)["label"].tolist() == [label]


def test_utf16_without_its_byte_order_mark_is_named_not_called_binary() -> None:
    data = (HEADER + "2040000001,1019360001,Décideur\n").encode("utf-16-le")
    with pytest.raises(InputError) as caught:
        hf.read_pairs(data, **TYPES)
    said = str(caught.value)
    assert "UTF-16" in said and "byte order mark" in said and "CSV UTF-8" in said
    assert "binary" not in said


@pytest.mark.parametrize("label", ["Éditeur", "Österreich", "Über", "Zoë", "Ärger", "Ñandú x"])
def test_a_mac_roman_letter_at_a_words_edge_is_refused(label: str) -> None:
    """Read as cp1252 these were 'ƒditeur', '…sterreich', '†ber', 'Zo‘', '€rger' without a word:
    only a byte with a letter on both sides was looked at."""
    if label == "Ñandú x":  # „andœ: Ñ reads as a German opening quote, ú as œ -- not told
        assert hf.read_pairs(_pairs(label, "mac_roman"), **TYPES)["label"].tolist() == [
            label.encode("mac_roman").decode("cp1252")
        ]
        return
    with pytest.raises(InputError, match="Mac Roman"):
        hf.read_pairs(_pairs(label, "mac_roman"), **TYPES)


@pytest.mark.parametrize(
    "note", ["Called twice…No answer", "wait…what", "done…", "100€ paid", "HubSpot™ CRM"]
)
def test_cp1252_notes_an_analyst_types_read_as_written(note: str) -> None:
    """Both readings odd ("twice…No" is "twiceÖNo" in Mac Roman): taken as Windows' text, as
    written; a note the run does not read refuses no file for it."""
    data = (HEADER.strip() + ",Notes\n" + f"2040000001,1019360001,,{note}\n").encode("cp1252")
    assert hf.read_pairs(data, **TYPES)["Notes"].tolist() == [note]
