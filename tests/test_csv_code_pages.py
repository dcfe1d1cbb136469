"""A CSV file Excel saved in another Windows code page is refused, never read as cp1252.

Excel's "CSV (Comma delimited)" writes the computer's code page: cp1251 on Russian Windows,
cp1253 Greek, cp1254 Turkish, cp1255 Hebrew, cp1256 Arabic, cp1250 Central European (and some
tools koi8-r).  Every byte of such a file reads in cp1252, so it was read as cp1252 without a
word: "Решение" became "Ðåøåíèå", Turkish "ğış" became "ðýþ", and `hubframe labels` created
the garbled label in HubSpot.  Such a file is now refused naming the line and how to save it;
Western European text in cp1252 reads as written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError, SourceError
from hubframe.io.csv import csv_text
from hubframe.io.labels import read_labels
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from tests.fuzzseeds import examples

TYPES = {"from_type": "deals", "to_type": "contacts"}
PAIRS_HEADER = ["Deal ID", "Contact ID", "Association label"]
LABELS_HEADER = ["From type", "To type", "Label"]
#: Real words and labels in each code page, each holding a letter that cp1252 reads as
#: another (words whose letters cp1252 has at the same bytes read as written, and are left
#: out: Turkish "Karar verici", Czech "Kontaktní osoba").
FOREIGN = {
    "cp1251": [
        "Решение",
        "Спонсор",
        "Покупатель",
        "Лицо, принимающее решение",
        "Руководитель отдела",
        "Бухгалтерия",
        "Партнёр",
        "Учёт",
        "Счёт",
        "Менеджер по продажам",
        "Основной контакт",
        "Влиятельное лицо",
        "Відповідальний",
        "Керівник",
        "Её решение",
        "Юрист",
    ],
    "koi8_r": ["Решение", "Спонсор", "Покупатель", "Партнёр", "Договор", "Эксперт", "Юрист"],
    "cp1253": [
        "Υπεύθυνος",
        "Πελάτης",
        "Συνεργάτης",
        "Διευθυντής",
        "Λογιστήριο",
        "Υπεύθυνος αποφάσεων",
        "Έργο",
        "Όμιλος",
        "Ίδρυμα",
        "Άτομο επαφής",
    ],
    "cp1254": [
        "Satın alma",
        "Müşteri",
        "Yönetici yardımcısı",
        "Sorumlu kişi",
        "Alıcı",
        "Satış müdürü",
        "İş ortağı",
        "Danışman",
        "Şirket sahibi",
        "Değerlendirici",
        "İmza yetkilisi",
        "Karar verici ğış",
        "Kullanıcı",
    ],
    "cp1255": ["מקבל החלטות", "לקוח", "שותף", "מנהל מכירות", "ספק", "איש קשר ראשי", "יועץ"],
    "cp1256": ["صانع القرار", "عميل", "شريك", "مدير المبيعات", "مورد", "مستشار", "المشتري"],
    "cp1250": [
        "Właściciel",
        "Księgowość",
        "Główny kontakt",
        "Kierownik działu",
        "Pełnomocnik",
        "Łódź",
        "Mąż zaufania",
        "Żona",
        "Kupujący",
        "Zarząd",
        "Dział zakupów",
        "Już",
        "Szef sprzedaży",
        "Účetní",
        "Nákupčí",
        "Oddělení",
        "Příští",
        "Vedoucí oddělení",
        "Kľúčový zákazník",
        "Riaditeľ",
    ],
}
#: Western European words in cp1252, with its punctuation.
WESTERN = [
    # French
    "Décideur", "Preneur d’ordre", "Directeur général", "Œuvre", "cœur", "sœur", "Élève",
    "Hélène", "Françoise", "Noël", "naïve", "Château", "créée", "agréée", "Ça", "où", "façade",
    "Réécriture", "préétabli", "Île-de-France", "Maître d’œuvre", "Côte d’Ivoire", "bœuf",
    "aïeul", "Loïc", "Zoé", "Thérèse", "Crèvecœur", "privilégié", "Comptabilité", "« Décideur »",
    # German
    "Größe", "Straße", "Füße", "Grüße", "Äußerung", "Geschäftsführer", "Einkäufer",
    "Ansprechpartner", "Bußgeld", "Müller", "Schröder", "Köln", "Düsseldorf", "Zürich",
    "Österreich", "Übergeordnet", "Ärger", "süß", "Gefäße", "„Hallo“", "Maßänderung",
    "Fußübung", "Schließfach", "Bürgermeisteramt",
    # Spanish
    "¿Quién decide?", "¡Hola!", "España", "Compañía", "Señor Núñez", "Decisión", "Área",
    "Logística", "Peña", "Muñoz", "Ibáñez", "Pingüino", "¿Éste?", "¡¿Qué?!", "Nº 5", "1º",
    "Dª Ana", "cigüeña", "Jiménez", "Administración pública", "Señora Ibáñez–Peña",
    # Portuguese
    "Ação", "Decisão", "Coração", "Informações", "São Paulo", "João", "Conceição", "Põe",
    "Mãe", "Órgãos", "Açaí", "Negociação", "Atenção", "Avó", "Bênção", "Cãibra",
    "Responsável técnico", "1ª reunião", "Sr.ª",
    # Italian, Dutch, Catalan, Irish
    "Perché", "Città", "Così", "Lunedì", "Più", "Attività", "Caffè", "Niccolò", "Università",
    "Één", "Coördinator", "Reëel", "Geïnteresseerd", "Zeeën", "Vóór", "Ruïne",
    "Col·laborador", "Il·lustració", "Àrea", "Adreça", "Òscar", "Seán Ó Briain", "Máire",
    # Scandinavian, Finnish, Estonian
    "Håkan", "Ærø", "Økonomi", "Søren", "Blåbær", "Blåøyd", "Kjøper", "Förhandlare", "Köpare",
    "Säljare", "Göteborg", "Malmö", "Åsa", "Björn", "Jönköping", "Päättäjä", "Hääyö",
    "Yhteyshenkilö", "Myyntipäällikkö", "Sähkö", "Jäätelö", "Ærøskøbing", "Kærlighed",
    "Næstformand", "Indkøber", "Äänestäjä", "Kåre Ødegård", "Brønnøysund", "Tromsø", "Høeg",
    "Hämäläinen", "Räikkönen", "Jäääär", "Tõnu", "Võru",
    # names and punctuation
    "O’Brien", "O´Brien", "D´Angelo", "Müller–Lüdenscheidt", "Brand™", "Brand®", "©2024",
    "Buyer • Influencer", "Note…", "“Quoted”", "‘single’", "20 °C", "25ºC", "±5", "m²", "km²",
    "m³", "Price¹", "½ day", "1½ days", "¾", "50 £", "£500", "¥100", "JP¥", "A × B",
    "10 ÷ 2", "§ 4", "Prix : 100 €", "this—that", "x\u00a0y", "Citroën", "Škoda", "Žena",
]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([header, *rows])
    return out.getvalue()


def _pairs(labels: list[str]) -> list[list[str]]:
    return [[str(2040000000 + n), str(1019360000 + n), label] for n, label in enumerate(labels)]


def _labels(labels: list[str]) -> list[list[str]]:
    return [["deals", "contacts", label] for label in labels]


@pytest.fixture(scope="module")
def portal() -> Iterator[hf.HubSpotClient]:
    with Sandbox(seed="demo") as sb:
        yield client_for(sb)


def _refused_at(line: int, read: object) -> None:
    assert callable(read)
    with pytest.raises(InputError) as caught:
        read()
    said = str(caught.value)
    assert isinstance(caught.value, SourceError), said
    assert f"line {line} " in said and "CSV UTF-8" in said, said


@settings(max_examples=examples(40), deadline=None)
@given(
    written=st.sampled_from(sorted(FOREIGN)).flatmap(
        lambda page: st.tuples(
            st.just(page), st.lists(st.sampled_from(FOREIGN[page]), min_size=1, max_size=3)
        )
    ),
    before=st.integers(0, 3000),
    after=st.integers(0, 5),
)
def test_a_file_in_another_code_page_is_refused_naming_the_line(
    portal: hf.HubSpotClient, written: tuple[str, list[str]], before: int, after: int
) -> None:
    """Its words on one line, after ``before`` ASCII lines (past the first bytes read) and
    before ``after`` more: read_pairs, read_labels and configure_labels (a dry run) refuse
    the file naming that line (1 is the header), and say to save it as CSV UTF-8."""
    page, words = written
    label = " ".join(words)
    cells = ["Champion"] * before + [label] + ["Buyer"] * after
    line = before + 2
    pairs = _csv(PAIRS_HEADER, _pairs(cells)).encode(page)
    labels = _csv(LABELS_HEADER, _labels(cells)).encode(page)
    _refused_at(line, lambda: hf.read_pairs(pairs, **TYPES))
    _refused_at(line, lambda: read_labels(labels))
    _refused_at(line, lambda: hf.configure_labels(labels, portal, dry_run=True))


@settings(max_examples=examples(40), deadline=None)
@given(
    labels=st.lists(
        st.lists(st.sampled_from(WESTERN), min_size=1, max_size=3).map(" ".join),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    before=st.integers(0, 3000),
)
def test_western_european_text_in_cp1252_reads_as_written(
    portal: hf.HubSpotClient, labels: list[str], before: int
) -> None:
    """French, German, Spanish, Portuguese, Italian, Dutch, Catalan, Scandinavian and Finnish
    words, with cp1252's quotes, dashes, symbols and currency signs, anywhere in the file."""
    cells = [f"Padding {n}" for n in range(before)] + labels
    pairs = _csv(PAIRS_HEADER, _pairs(cells)).encode("cp1252")
    sheet = _csv(LABELS_HEADER, _labels(cells)).encode("cp1252")
    assert hf.read_pairs(pairs, **TYPES)["label"].tolist()[before:] == labels
    assert read_labels(sheet)["label"].tolist()[before:] == labels
    if before <= 50:  # one row per label: a dry run of thousands asks HubSpot nothing more
        plan = hf.configure_labels(sheet, portal, dry_run=True)
        assert plan["label"].tolist()[before:] == labels


@pytest.mark.parametrize(
    ("page", "label", "shown"),
    [
        ("cp1251", "Решение", "Ðåøåíèå"),
        ("cp1254", "Satış müdürü", "Satýþ müdürü"),
        ("cp1253", "Υπεύθυνος", "Õðåýèõíïò"),
        ("cp1250", "Kierownik działu", "Kierownik dzia³u"),
    ],
)
def test_the_refusal_shows_the_text_as_cp1252_reads_it(page: str, label: str, shown: str) -> None:
    data = _csv(LABELS_HEADER, _labels(["Champion", label])).encode(page)
    with pytest.raises(SourceError) as caught:
        read_labels(data)
    said = str(caught.value)
    assert "line 3 " in said and shown in said and "Windows-1252" in said
    assert "Save As > CSV UTF-8" in said and "code page" in said


def test_a_report_saved_in_another_code_page_is_still_read_for_undo() -> None:
    """A report hubframe wrote and Excel saved again in the computer's code page is read as
    cp1252 (undo reads its true and false words back in those code pages), not refused."""
    text, delimiter = csv_text("label;existed_before\nx;ИСТИНА\n".encode("cp1251"), "r.csv")
    assert delimiter == ";" and "ÈÑÒÈÍÀ" in text
