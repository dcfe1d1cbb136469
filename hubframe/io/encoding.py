"""A CSV file's text encoding: one for the whole file, or a clear refusal -- never a guess.

:func:`detect` looks at the first bytes (byte order marks, UTF-8, else cp1252, else latin-1);
:func:`whole_encoding` makes sure the whole file is that encoding before any cell is read.  A
file that is UTF-8 in some lines and cp1252 in others (two exports pasted together, one line
typed in an old editor) cannot be read either way without changing cells: as cp1252 every
UTF-8 ``é`` becomes ``Ã©``, as UTF-8 every cp1252 ``é`` becomes ``�``.  Such a file is refused,
naming a line of each.

Nor can cp1252 be told from Mac Roman (Excel for Mac's "CSV (Macintosh)") by decoding: every
byte reads in both.  Mac Roman writes é, ü, ä, ç ... as 0x80-0x9F, which cp1252 reads as
symbols and capitals (``Décideur`` -> ``DŽcideur``).  A file whose bytes there read as cp1252
text no word holds (a symbol or a capital inside a word, a byte cp1252 has not) is refused,
naming the line and both readings (:func:`_refuse_mac_roman`).  í ó ö ú û read as ’ — š œ ž,
which cp1252 words do hold: a file with only those is read as cp1252.

Nor can cp1252 be told by decoding from the other code pages Excel writes a "CSV (Comma
delimited)" in on a Windows of another language: cp1251 (Cyrillic), cp1253 (Greek), cp1254
(Turkish), cp1255 (Hebrew), cp1256 (Arabic), cp1250 (Central European), and koi8-r.  Their
letters read in cp1252 as letters and symbols in orders no Western European word has
("Решение" -> "Ðåøåíèå", Turkish "Satış" -> "Satýþ", Polish "Wałęsa" -> "Wa³êsa"), and a
file holding such text anywhere is refused, naming the line and its cp1252 reading
(:func:`_refuse_code_page`, :data:`_FOREIGN`): three letters beyond ASCII in a row (Western
words have two at most: "Größe", "ação"), ð þ ý beside a letter, a symbol inside a word, and
a few places where Czech, Slovak and Polish letters read as Western ones (ì ù before a
letter, è before a vowel, ñ before no vowel).  Icelandic and Faroese (ð þ ý), Scottish Gaelic
(ì ù inside words), Breton (ñ) and some Occitan (è before a vowel) are refused too: save such
a file as CSV UTF-8.  Central European text whose letters all read as Western letters
("Dvořák" -> "Dvoøák", Hungarian ő -> õ, Romanian ă -> ã) is not told, nor a label of one or
two Cyrillic, Greek or Hebrew letters.  Nor a word of an East Asian code page (Shift-JIS,
GBK, Big5, EUC-KR) short enough to pass those tests: 担当者 reads ``’S“–ŽÒ`` in cp1252.  A word
that such a code page reads as two or more of its letters (the whole file being its text),
and cp1252 as letters and signs together, is refused (:func:`_refuse_east_asian_words`).  A
report read back for undo is not held to this (``western=False``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import Final

from hubframe.errors import SourceError

UTF8: Final = "utf-8"
#: A well-formed UTF-8 sequence of two to four bytes (a letter beyond ASCII, written as UTF-8).
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_SHOWN: Final = 24  # bytes shown each side of what a message points at
_SLICE: Final = 16 * 1024 * 1024  # bytes decoded at a time when checking a whole file


def detect(sample: bytes, complete: bool) -> tuple[str, int]:
    """(codec, length of the byte order mark the file starts with) from the file's first
    bytes; ``complete``: the sample is the whole file."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8, 3
    if sample.startswith(codecs.BOM_UTF32_LE):  # before UTF-16's, which begins it
        return "utf-32-le", 4
    if sample.startswith(codecs.BOM_UTF32_BE):
        return "utf-32-be", 4
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    try:
        codecs.getincrementaldecoder(UTF8)().decode(sample, final=complete)
        return UTF8, 0
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252", 0
    except UnicodeDecodeError:
        return "latin-1", 0


def code_unit(codec: str) -> int:
    """Bytes a character takes at least in ``codec``: 2 in UTF-16, 4 in UTF-32, else 1."""
    return 4 if codec.startswith("utf-32") else 2 if codec.startswith("utf-16") else 1


def whole_encoding(data: bytes, codec: str, bom: int, name: str, *, western: bool = True) -> str:
    """The codec that reads all of ``data`` (after its byte order mark) as the one encoding it
    is written in: ``codec`` when it does; cp1252 (else latin-1) for a file that is not UTF-8
    and holds no UTF-8 text.  InputError (naming the lines) for a file mixing UTF-8 with
    another encoding, or a UTF-16 file with bytes that are not UTF-16; ``western``: also for
    a file read as cp1252 whose text no Western European word holds (:func:`_refuse_code_page`).
    The file is decoded in slices, so a large one costs no copy of its text."""
    body = memoryview(data)[bom:]
    bad = first_undecodable(body, codec)
    if bad is None and (codec == UTF8 or code_unit(codec) > 1):
        return codec
    if bad is not None and code_unit(codec) > 1:
        shown = codec[:6].upper()  # UTF-16, UTF-32
        raise SourceError(
            f"{name}: line {_line_of(body, bad, codec)} holds bytes that are not {shown} text, as "
            "the rest of the file is; the file is damaged. Save the sheet again as CSV and try "
            "again."
        )
    windows = "cp1252" if first_undecodable(body, "cp1252") is None else "latin-1"
    try:
        _refuse_mixed(body, name)
        _refuse_mac_roman(body, windows, name)
        if western:
            _refuse_code_page(body, windows, name)
            _refuse_east_asian_words(body, windows, name)
    except SourceError:
        _refuse_east_asian(body, name)  # refused either way: for the reason one can act on
        raise
    return windows


def first_undecodable(body: bytes | memoryview, codec: str) -> int | None:
    """The offset of the first byte ``codec`` cannot decode in ``body`` (None: it all
    decodes), found slice by slice (a slice's text is dropped at once)."""
    decoder = codecs.getincrementaldecoder(codec)()
    for start in range(0, len(body), _SLICE):
        pending = len(decoder.getstate()[0])  # bytes of a character the last slice began
        try:
            decoder.decode(body[start : start + _SLICE], final=start + _SLICE >= len(body))
        except UnicodeDecodeError as exc:
            return start - pending + exc.start
    return None


#: East Asian double-byte code pages Excel writes a "CSV (Comma delimited)" in on a Windows of
#: that language: their letter pairs may hold a well-formed UTF-8 pair by chance (GBK's 客 is
#: BF CD, its 户 BB A7: CD BB reads as UTF-8), so such a file looked like UTF-8 mixed with
#: another encoding.  Which of them a file is in, decoding cannot tell (GB18030 reads nearly
#: any bytes): the message names them all.
_EAST_ASIAN: Final = ("gb18030", "big5", "shift_jis", "euc_kr")
_EAST_ASIAN_LETTERS: Final = ("CJK ", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC", "FULLWIDTH")


def _east_asian(body: bytes | memoryview) -> bool:
    """Whether ``body`` holds no UTF-8 text (a run of bytes beyond ASCII that UTF-8 reads:
    ``Ωmega``'s CE A9) and one of :data:`_EAST_ASIAN` reads all of it beyond ASCII as its
    letters (a chance UTF-8 pair inside a run of them, GBK's BF [CD BB] A7, is no text)."""
    if not _HIGH_FOUR.search(body):  # a letter or two of them is no East Asian text (Mac
        return False  # Roman's Über, 86 62, and cp1252's «\xa0Éc read in GBK as its letters)
    if any(first_undecodable(run.group(), UTF8) is None for run in _HIGH_RUN.finditer(body)):
        return False
    for codec in _EAST_ASIAN:
        try:
            text = bytes(body).decode(codec)
        except UnicodeDecodeError:
            continue
        beyond = {c for c in text if ord(c) > 127}
        if beyond and all(unicodedata.name(c, "").startswith(_EAST_ASIAN_LETTERS) for c in beyond):
            return True
    return False


#: A run of bytes beyond ASCII; four of them in a row but a no-break space (Western text in
#: cp1252 has no more than three, its typography's no-break spaces aside: « + NBSP + É, Cœur
#: + NBSP + – + NBSP + « ...).
_HIGH_RUN: Final = re.compile(rb"[\x80-\xff]+")
_HIGH_FOUR: Final = re.compile(rb"[\x80-\x9f\xa1-\xff]{4}")


def _refuse_east_asian(body: bytes | memoryview, name: str) -> None:
    """InputError when ``body`` is text of an East Asian code page (:func:`_east_asian`)."""
    if not _east_asian(body):
        return
    first = _HIGH_FOUR.search(body)
    line = _line_of(body, first.start() if first else 0)
    raise SourceError(
        f"{name}: line {line} holds text in an East Asian code page (Chinese GBK or GB18030, "
        "Big5, Japanese Shift-JIS, Korean EUC-KR), not UTF-8: read so, its cells could change. "
        "Open the file, save it again as 'CSV UTF-8', and try again."
    ) from None


#: A word of two or more letters of an East Asian double-byte code page: byte pairs (a lead
#: byte beyond ASCII, then a byte from ``@``), nothing beside them but a space, a sign or the
#: line's end (GBK's 经理 is BE AD C0 ED: cp1252 reads ``¾\xadÀí``; Shift-JIS's 担当者, 92 53
#: 93 96 8E D2, ``’S“–ŽÒ``).  "Paris–Zürich" holds such pairs (96 5A FC 72) beside letters.
_PAIRED_WORD: Final = re.compile(
    rb"(?<![0-9A-Za-z\x80-\xff])(?:[\x81-\xfe][\x40-\x7e\x80-\xfe]){2,}(?![0-9A-Za-z\x80-\xff])"
)
#: A Western quotation read as such a word: "“À”…" (93 C0 94 85).
_QUOTED: Final = re.compile("[“«„‹].*[”»“›]…?")


def _refuse_east_asian_words(body: bytes | memoryview, windows: str, name: str) -> None:
    """InputError when ``body``, read in ``windows`` (cp1252 or latin-1) by the checks above,
    holds a word that one of :data:`_EAST_ASIAN` (all of whose text it is) reads as two or
    more of its letters, and ``windows`` as letters and signs no Western word holds together
    (Korean 영업 reads ``¿µ¾÷``, Japanese さん ``‚³‚ñ``, Chinese 伙伴 ``»ï°é``).  A word of one
    such letter (様, ``—l``) is not told from Western text."""
    whole: dict[str, bool] = {}  # codec: it reads all of body (decoded once, when asked)
    for found in _PAIRED_WORD.finditer(body):
        word = found.group()
        if not _unlike_western(word.decode(windows)):
            continue
        readings = []
        for codec in _EAST_ASIAN:
            letters = _letters_of(word, codec)
            if letters and codec not in whole:
                whole[codec] = first_undecodable(body, codec) is None
            if letters and whole[codec]:
                readings.append(f"{letters!r} in {_NAMES[codec]}")
        if readings:
            raise SourceError(
                f"{name}: line {_line_of(body, found.start())} reads {word.decode(windows)!r} "
                f"in {windows}, and {', '.join(readings)}: the file is likely in an East Asian "
                f"code page, not UTF-8, and read as {windows} its cells would change. Open the "
                "file, save it again as 'CSV UTF-8', and try again."
            )


_NAMES: Final = {
    "gb18030": "Chinese GB18030",
    "big5": "Chinese Big5",
    "shift_jis": "Japanese Shift-JIS",
    "euc_kr": "Korean EUC-KR",
}


def _unlike_western(text: str) -> bool:
    """Whether ``text`` (a word of byte pairs, read in cp1252 or latin-1) mixes letters with
    signs, quotes or controls, and is not one sign repeated nor a quotation ("“À”…")."""
    letters = sum(unicodedata.category(c).startswith("L") for c in text)
    return 0 < letters < len(text) and len(set(text)) > 1 and not _QUOTED.fullmatch(text)


def _letters_of(word: bytes, codec: str) -> str:
    """``word`` read in ``codec`` when it reads as that code page's letters only, else ''."""
    try:
        text = word.decode(codec)
    except UnicodeDecodeError:
        return ""
    east = all(unicodedata.name(c, "").startswith(_EAST_ASIAN_LETTERS) for c in text)
    return text if east else ""


def _refuse_mixed(body: bytes | memoryview, name: str) -> None:
    """InputError when ``body`` (not UTF-8 as a whole) holds UTF-8 text somewhere."""
    found = _UTF8_SEQUENCE.search(body)
    bad = first_undecodable(body, UTF8)
    if found is None or bad is None:
        return
    utf8_line, other_line = _line_of(body, found.start()), _line_of(body, bad)
    raise SourceError(
        f"{name}: the file mixes two text encodings: line {utf8_line} has UTF-8 text "
        f"({_around(body, found.start())!r}) and line {other_line} a byte that UTF-8 does not "
        f"have ({_around(body, bad)!r}, likely written by an older program). Read either way, "
        "some cells would change (é would read as Ã© in one and as � in the other). Open the "
        "file, save it again as 'CSV UTF-8', and try again."
    )


#: A byte of 0x80-0x9F beside an ASCII letter: a Mac Roman letter, or cp1252 punctuation.
_BESIDE_LETTER: Final = re.compile(rb"(?<=[A-Za-z])[\x80-\x9f]|[\x80-\x9f](?=[A-Za-z])")
#: cp1252 characters no text has beside a letter (Mac Roman reads each as a letter there):
#: ƒ ˆ ˜ (Éditeur -> ƒditeur), † ‡ ‰ • € (Über -> †ber, Ärger -> €rger).
_NEVER_BESIDE: Final = frozenset("ƒˆ˜†‡‰•€")
#: Quotes written on one side of a word ("Hallo", „Hallo“, ‚so‘, ‹oui›), never between letters
#: (Mac Roman's ë ì î ã õ ô there: "Citro‘n", "Citroën").
_QUOTES: Final = frozenset("‚„‹›‘“”™")


def _refuse_mac_roman(body: bytes | memoryview, windows: str, name: str) -> None:
    """InputError when a byte of 0x80-0x9F beside a letter reads, in ``windows`` (cp1252 or
    latin-1), as nothing text holds there (:func:`_unlike_text`), or as something odd that
    Mac Roman reads as a letter that fits (:func:`_odd_beside`, :func:`_fits_mac_roman`):
    "twice…No" reads "twiceÖNo" in Mac Roman, and is taken as Windows'."""
    for found in _BESIDE_LETTER.finditer(body):
        at = found.start()
        odd = _odd_beside(body, at, windows) and _fits_mac_roman(body, at)
        if not (odd or _unlike_text(body, at, windows)):
            continue
        line = _line_of(body, at)
        shown, mac = _around(body, at, windows), _around(body, at, "mac_roman")
        raise SourceError(
            f"{name}: line {line} reads as {shown!r} in Windows' encoding ({windows}) and as "
            f"{mac!r} in Mac Roman (Excel for Mac's 'CSV (Macintosh)'); which one the file is "
            "written in is not known, and read in the other, cells would change. Open the "
            "file, save it again as 'CSV UTF-8', and try again."
        )


def _unlike_text(body: bytes | memoryview, at: int, windows: str) -> bool:
    """Whether byte ``at`` (0x80-0x9F, beside a letter) reads in ``windows`` as text never has
    it there: a control (a byte cp1252 has not); ƒ ˆ ˜ † ‡ ‰ • € beside a letter ("ƒditeur",
    "†ber", "€rger"); a capital after a letter beside a small one ("DŽcideur"); a quote or ™ between
    letters; – between small letters ("Espa–a", España; "Paris–London", "1990–2000" are
    text)."""
    char = bytes(body[at : at + 1]).decode(windows)
    before, after = _letter(body, at - 1), _letter(body, at + 1)
    if unicodedata.category(char) == "Cc" or char in _NEVER_BESIDE:
        return True
    if char.isupper():  # "PRIŠTINA", "Žena" are words
        return bool(before) and (before.islower() or after.islower())
    if char in _QUOTES:
        return bool(before and after)
    if char == "–":
        return before.islower() and after.islower()
    return False


def _odd_beside(body: bytes | memoryview, at: int, windows: str) -> bool:
    """Whether byte ``at`` reads in ``windows`` as text seldom has it: … beside a letter
    ("…sterreich", Österreich; "wait…what" is text), ‘ closing a word ("Zo‘", Zoë)."""
    char = bytes(body[at : at + 1]).decode(windows)
    before, after = _letter(body, at - 1), _letter(body, at + 1)
    return char == "…" or (char == "‘" and bool(before) and not after)


def _fits_mac_roman(body: bytes | memoryview, at: int) -> bool:
    """Whether byte ``at`` (0x80-0x9F: a letter in Mac Roman) reads there as a letter of a
    word: not a capital right after a small letter ("twice…No" would read "twiceÖNo")."""
    char = bytes(body[at : at + 1]).decode("mac_roman")
    return not (char.isupper() and _letter(body, at - 1).islower())


#: cp1252's letters beyond ASCII: Š Œ Ž š œ ž Ÿ and À-ÿ but × ÷ (byte ranges of a class).
_LETTERS: Final = rb"\x8a\x8c\x8e\x9a\x9c\x9e\x9f\xc0-\xd6\xd8-\xf6\xf8-\xff"
_WORD: Final = rb"A-Za-z" + _LETTERS
#: Vowels, with and without accents.
_VOWELS: Final = (
    rb"AEIOUYaeiouy\xc0-\xc6\xc8-\xcf\xd2-\xd6\xd8-\xdd\xe0-\xe6\xe8-\xef\xf2-\xf6\xf8-\xfd\xff"
)
#: cp1252's symbols that are letters in another code page: ¡-¨ ª ¯ ² ³ ¸ ¹ º ¼-¿ × ÷ (cp1250's
#: Ł Ą Ż ł ą ż Ľ ľ Ş ş, cp1251's Ё ё Ї ї Ў ў Ј ј Ч ч, cp1253's Ά Έ Ή Ί Ό Ύ Ώ Χ χ ...).
_STANDINS: Final = rb"\xa1-\xa8\xaa\xaf\xb2\xb3\xb8\xb9\xba\xbc-\xbf\xd7\xf7"
#: The same but ¡, which a Spanish ¿ may follow ("¡¿Qué?!").
_STANDINS_BESIDE: Final = rb"\xa2-\xa8\xaa\xaf\xb2\xb3\xb8\xb9\xba\xbc-\xbf\xd7\xf7"
#: What a word written in another code page becomes in cp1252, and no Western European word
#: holds, in three tests of the byte just read (``at``, the first byte the pattern matches):
#: three letters beyond ASCII or stand-ins in a row, not one letter thrice: Cyrillic, Greek,
#: Hebrew and Arabic words ("Решение" -> "Ðåøåíèå"; "Größe", "ação", "één" have two).
_RUN: Final = rb"(?=[" + _LETTERS + _STANDINS + rb"]{2})(?!(?P=at)(?P=at))"
#: A stand-in between letters: "Wa³êsa" (Wałęsa), "Ó÷¸ò" (Учёт); "Col·lecció" and "O´Brien"
#: hold symbols that are no letter in any of these code pages.
_BETWEEN: Final = (
    rb"(?<=[" + _STANDINS + rb"])(?<=[" + _WORD + _STANDINS_BESIDE + rb"].)"
    rb"(?=[" + _WORD + _STANDINS_BESIDE + rb"])"
)
_BESIDE_WORD: Final = rb"(?:(?<=[" + _WORD + rb"].)|(?=[" + _WORD + rb"]))"
#: Letters and symbols that a code page's letters read as, and what beside them no Western
#: European word holds.  A byte not one of them (é ö ü ä á ó ç à ß å ø ...) is not looked at.
_ODD_PLACES: Final = (
    # ð Ð ý Ý þ Þ beside a letter: Turkish ğ Ğ ı İ ş Ş ("Satýþ", Satış); Icelandic too
    (rb"\xd0\xdd\xde\xf0\xfd\xfe", _BESIDE_WORD),
    # œ Œ beside a letter beyond ASCII: Polish ś ("Ksiêgowoœæ"); French has "cœur", "Œuvre"
    (rb"\x8c\x9c", rb"(?:(?<=[" + _LETTERS + rb"].)|(?=[" + _LETTERS + rb"]))"),
    # a byte cp1252 has not (latin-1 reads a control), or ¨ ¸ ¯ ¼ ¾, beside a letter:
    # Czech ť Ť, Russian ё Ё ("Å¸", её), Polish Ż, Slovak ľ Ľ ("Riadite¾")
    (rb"\x81\x8d\x8f\x90\x9d\xa8\xaf\xb8\xbc\xbe", _BESIDE_WORD),
    # ¿ after a letter: Polish ż ("Ju¿", już); a Spanish ¿ opens a question
    (rb"\xbf", rb"(?<=[" + _WORD + rb"].)"),
    # ì ù Ì Ù before a letter: Czech ě ů ("Oddìlení"); Italian writes them at a word's end
    (rb"\xcc\xd9\xec\xf9", rb"(?=[" + _WORD + rb"])"),
    # ³ after a vowel: Polish ł ("Dzia³", dział); "m³", "cm³" follow a consonant
    (rb"\xb3", rb"(?<=[aeiouy" + _LETTERS + rb"].)"),
    # è È before a vowel: Czech, Slovak, Croatian, Slovenian č Č ("Úèet"); French "très"
    (rb"\xc8\xe8", rb"(?=[" + _VOWELS + rb"])"),
    # ñ Ñ after a letter and before no vowel: Polish ń ("rumuñski", "dzieñ"); "España"
    (rb"\xd1\xf1", rb"(?<=[" + _WORD + rb"].)(?![" + _VOWELS + rb"])"),
)
#: At one of those bytes, the test of its place.
_AT_ODD: Final = (
    rb"(?<=["
    + b"".join(byte for byte, _ in _ODD_PLACES)
    + rb"])(?:"
    + b"|".join(rb"(?<=[" + byte + rb"])" + test for byte, test in _ODD_PLACES)
    + b")"
)
#: The three tests, made only at a byte that may start one (the search skips the rest in C),
#: and the odd places only at their bytes: a 100 MB file costs a few seconds.
_FOREIGN: Final = re.compile(
    rb"(?P<at>["
    + _LETTERS
    + _STANDINS
    + rb"\x81\x8d\x8f\x90\x9d])(?:"
    + b"|".join((_RUN, _BETWEEN, _AT_ODD))
    + b")"
)


def _refuse_code_page(body: bytes | memoryview, windows: str, name: str) -> None:
    """SourceError when ``body``, read in ``windows`` (cp1252 or latin-1), holds text no
    Western European word holds (:data:`_FOREIGN`): a file Excel saved in another Windows code
    page (cp1251 Cyrillic, cp1253 Greek, cp1254 Turkish, cp1255 Hebrew, cp1256 Arabic, cp1250
    Central European) or koi8-r, where every byte reads as some cp1252 character."""
    found = _FOREIGN.search(body)
    if found is None:
        return
    at = found.start()
    reading = "Windows-1252" if windows == "cp1252" else "Latin-1"
    raise SourceError(
        f"{name}: line {_line_of(body, at)} reads {_around(body, at, windows)!r} as {reading} "
        "text, which no Western European word holds: the file was likely saved in another "
        "code page (Cyrillic, Greek, Turkish, Hebrew, Arabic, Central European), and read as "
        f"{reading} its cells would change. Open the file, save it again as 'CSV UTF-8' "
        "(Excel: Save As > CSV UTF-8), and try again."
    )


def _letter(body: bytes | memoryview, at: int) -> str:
    """The ASCII letter at ``at`` ("" for anything else, or outside ``body``)."""
    if at < 0 or at >= len(body):
        return ""
    char = chr(body[at])
    return char if char.isascii() and char.isalpha() else ""


def _line_of(body: bytes | memoryview, offset: int, codec: str = UTF8) -> int:
    """The file line (1 for the first) holding byte ``offset``: CR, LF and CRLF end lines."""
    before = bytes(body[:offset])
    if code_unit(codec) > 1:
        text = before.decode(codec, errors="replace")
        return text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _around(data: bytes | memoryview, offset: int, codec: str = UTF8) -> str:
    """The text of the line around byte ``offset``, read in ``codec`` (a single-byte codec, or
    UTF-8: bytes it does not have as �)."""
    body = bytes(data[max(0, offset - 4 * _SHOWN) : offset + 4 * _SHOWN])
    offset = min(offset, 4 * _SHOWN)
    start = max(body.rfind(b"\n", 0, offset), body.rfind(b"\r", 0, offset)) + 1
    ends = [end for end in (body.find(b"\n", offset), body.find(b"\r", offset)) if end >= 0]
    end = min([*ends, len(body), offset + _SHOWN])
    return body[max(start, offset - _SHOWN) : end].decode(codec, errors="replace")


__all__ = ["UTF8", "detect", "first_undecodable", "whole_encoding"]
