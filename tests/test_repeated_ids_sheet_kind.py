"""An id written twice beside a label list, and the refusal a command reading any kind says.

``Contact IDs = 2020001;2020001`` (or ``2020001;2020001.0``, ``2020001; 2020001 ``) beside
``Labels (;-separated) = Champion;Decision maker`` was refused as ambiguous, though the cell
names one contact and every reading gives it both labels; ``1010001;1010001`` beside
``2020001;2020002`` was refused as ids on both sides alike.  The ids are now counted as the
read cleans them (``clean_id``; a property's value, an email, trimmed): one id written
several times is one record (each repeat a ``duplicate`` row), while two records, a part
that reads as nothing, or emails differing in case are still refused.

``hubframe validate`` (kind auto) on a limits sheet the limits reader refuses (``To Type`` =
companies beside ``To`` = contacts) printed the pairs reader's "no column for the 'from' record
id ... This looks like a limits sheet"; now the limits reader's refusal, since the pairs
reader's says the sheet looks like one (``HeaderError.looks_like``).  ``hubframe labels`` on a
pairs sheet the pairs reader refuses (ids beside labels) said the labels reader's "no column
for the 'from' object type" (or "this is a pairs sheet"); now the pairs reader's refusal.
"""

from __future__ import annotations

import io
import random
import warnings
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.jobs.labels import read_label_sheet
from hubframe.sandbox import Sandbox
from hubframe.vocab import Status

HEADER = "Deal ID,Contact IDs,Labels (;-separated)\n"
BOTH = ["Champion", "Decision maker"]
#: One contact written twice, as an analyst or a spreadsheet writes it.
ONE_ID_TWICE = [
    "2020001;2020001",
    "2020001;2020001.0",
    "2020001; 2020001 ",
    "02020001;2020001",
    "2020001;\u200e2020001",
    "2020001;2020001;2020001",
    "2020001;;2020001;",
]
#: Cells that name two records, or a part that is no id: every reading does not agree.
TWO_RECORDS = [
    "2020001;2020002",
    "2020001;2020001;2020002",
    "2020001;abc",
    "2020001;\u200e",
    "2020001;2.020001E+6",
]


def _csv(text: str) -> io.BytesIO:
    stream = io.BytesIO(text.encode())
    stream.name = "pairs.csv"
    return stream


def _read(text: str, **kwargs: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hf.read_pairs(_csv(text), **kwargs)  # type: ignore[arg-type]


def _pairs(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
    cells = zip(frame["from_id"], frame["to_id"], frame["label"], strict=True)
    return {(str(f), str(t), str(label)) for f, t, label in cells}


@pytest.mark.parametrize("cell", ONE_ID_TWICE)
def test_one_id_written_twice_beside_labels_reads_as_that_id_with_each_label(cell: str) -> None:
    frame = _read(f'{HEADER}1010001,"{cell}","Champion;Decision maker"\n')
    assert _pairs(frame) == {("1010001", "2020001", label) for label in BOTH}
    assert (frame["row"] == 2).all()


def test_a_from_id_written_twice_beside_labels_reads_too() -> None:
    frame = _read('Deal IDs,Contact ID,Labels (;-separated)\n"1010001;1010001.0",2020001,A;B\n')
    assert _pairs(frame) == {("1010001", "2020001", "A"), ("1010001", "2020001", "B")}


@pytest.mark.parametrize("cell", TWO_RECORDS)
def test_two_records_beside_labels_are_still_refused(cell: str) -> None:
    with pytest.raises(InputError, match="several ';'-separated ids beside several labels"):
        _read(f'{HEADER}1010001,"{cell}","Champion;Decision maker"\n')


def test_an_email_written_twice_is_one_and_emails_differing_in_case_are_refused() -> None:
    text = 'Deal ID,Contact email,Labels (;-separated)\n1010001,"{}",Champion;Decision maker\n'
    frame = _read(text.format("kate@x.com; kate@x.com "), to_type="contacts")
    assert _pairs(frame) == {("1010001", "kate@x.com", label) for label in BOTH}
    with pytest.raises(InputError, match="beside several labels"):
        _read(text.format("kate@x.com;Kate@x.com"), to_type="contacts")


def test_an_id_written_twice_on_one_side_is_no_list_on_both_sides() -> None:
    frame = _read('Deal IDs,Contact IDs\n"1010001;1010001.0","2020001;2020002"\n')
    got = {(str(f), str(t)) for f, t in zip(frame["from_id"], frame["to_id"], strict=True)}
    assert got == {("1010001", "2020001"), ("1010001", "2020002")}
    frame = _read('Deal IDs,Contact IDs\n"1010001;1010002"," 2020001;2020001"\n')
    assert set(frame["to_id"]) == {"2020001"} and set(frame["from_id"]) == {"1010001", "1010002"}
    with pytest.raises(InputError, match="several ';'-separated ids on both sides"):
        _read('Deal IDs,Contact IDs\n"1010001;1010001;1010002","2020001;2020002"\n')


@pytest.mark.parametrize("seed", range(4))
def test_a_cell_is_refused_exactly_when_its_readings_differ(seed: int) -> None:
    """Random id cells (one record written in several ways, or several records) beside
    random label lists: refused exactly when the cell names several records and the list
    several labels; read, every record gets every label."""
    rng = random.Random(seed)
    spellings = ["{}", " {} ", "0{}", "{}.0", "'{}"]
    for _ in range(40):
        records = rng.sample(["2020001", "2020002", "2020003"], rng.choice([1, 1, 2]))
        parts = [rng.choice(spellings).format(rng.choice(records)) for _ in range(4)]
        parts += [rng.choice(spellings).format(r) for r in records]  # each at least once
        rng.shuffle(parts)
        labels = rng.sample(["Champion", "Scout", "Decision maker"], rng.choice([1, 2]))
        text = f'{HEADER}1010001,"{";".join(parts)}","{";".join(labels)}"\n'
        if len(records) > 1 and len(labels) > 1:
            with pytest.raises(InputError, match="beside several labels"):
                _read(text)
            continue
        expected = {("1010001", r, label) for r in records for label in labels}
        assert _pairs(_read(text)) == expected, text


def test_associate_gives_the_contact_both_labels_and_reports_the_repeats(tmp_path: Path) -> None:
    """Through the portal: the contact gets both labels, two rows are applied and the
    repeats are duplicates, nothing reported as failed."""
    path = tmp_path / "pairs.csv"
    path.write_text(f'{HEADER}1010001,"2020001;2020001.0","Champion;Decision maker"\n')
    with Sandbox(seed=None) as sandbox:
        sandbox.add_records("deals", [1010001])
        sandbox.add_records("contacts", [2020001])
        types = {sandbox.add_label("deals", "contacts", name) for name in BOTH}
        client = hf.HubSpotClient(token=sandbox.token, base_url=sandbox.url)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = hf.associate(path, client, progress=False)
        links = sandbox.associations("deals", "contacts")
    labelled = links[links["category"] == "USER_DEFINED"]
    assert set(labelled["type_id"]) == types
    assert set(labelled["to_id"]) == {"2020001"}
    applied = result[result["status"] == Status.SUCCESS]
    assert sorted(applied["label"]) == BOTH
    assert set(result["status"]) == {Status.SUCCESS, Status.DUPLICATE}, result["status"]


LIMITS_REFUSED = [
    # a rival type column: 'To Type' says companies, 'To' contacts
    ("From Type,To Type,To,Label,Max\ndeals,companies,contacts,,5\n", ['"To"', "differ"]),
    ("From Type,To Type,To,Label,Max\ndeals,companies,contacts,Champion,5\n", ["differ"]),
    # a type id column naming another object than 'To Type'
    (
        "From Type,To Type,Associated Object Type ID,Label,Max\ndeals,contacts,0-2,,5\n",
        ["Associated Object Type ID"],
    ),
]


@pytest.mark.parametrize(("text", "words"), LIMITS_REFUSED)
def test_validate_says_the_limits_readers_refusal_of_a_limits_sheet(
    text: str, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "limits.csv"
    path.write_text(text)
    with pytest.raises(InputError) as limits_error:
        hf.read_limits(path)
    assert main(["validate", str(path)]) != 0
    said = capsys.readouterr().err
    assert "record id" not in said and "looks like a limits sheet" not in said, said
    assert all(word in said for word in words), said
    assert str(limits_error.value).split(": ", 1)[1][:60] in said, said


def test_validate_of_a_refused_pairs_sheet_or_of_no_kind_still_says_the_pairs_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f'{HEADER}1010001,"2020001;2020002","Champion;Decision maker"\n')
    assert main(["validate", str(pairs)]) != 0
    assert "beside several labels" in capsys.readouterr().err
    neither = tmp_path / "notes.csv"
    neither.write_text("Name,Notes\nKate,met at the fair\n")
    assert main(["validate", str(neither)]) != 0
    assert "no column for the 'from' record id" in capsys.readouterr().err


def test_validate_of_a_good_limits_sheet_reads_it_as_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "limits.csv"
    path.write_text("From Type,To Type,Label,Max\ndeals,contacts,,5\n")
    main(["validate", str(path)])
    assert "1 rows of limits" in capsys.readouterr().out


PAIRS_REFUSED = f'{HEADER}1010001,"2020001;2020002","Champion;Decision maker"\n'


@pytest.mark.parametrize("types", [{}, {"from_type": "deals", "to_type": "contacts"}])
def test_the_labels_job_says_the_pairs_readers_refusal_of_a_pairs_sheet(
    types: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(PAIRS_REFUSED)
    with pytest.raises(InputError, match="beside several labels"):
        read_label_sheet(path, **types)  # type: ignore[arg-type]


def test_the_labels_command_says_the_pairs_readers_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(PAIRS_REFUSED)
    assert main(["labels", str(path), "--dry-run", "--sandbox"]) != 0
    said = capsys.readouterr().err
    assert "beside several labels" in said and "object type" not in said, said


def test_the_labels_job_keeps_the_labels_readers_refusal_of_a_labels_sheet(
    tmp_path: Path,
) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("From Type,Label\ndeals,Champion\n")
    with pytest.raises(InputError, match="no column for the 'to' object type"):
        read_label_sheet(path)
