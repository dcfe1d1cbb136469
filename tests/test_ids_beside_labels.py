"""A row listing several ids beside several labels is refused, naming the row and both cells.

``Contact IDs = 2020001;2020002`` beside ``Labels (;-separated) = Champion;Decision maker``
was split one cell after the other into every combination: four labeled associations, each
contact with both labels, all ``success``, while an analyst who lined the lists up meant one
label per contact.  Which was meant cannot be told (as for ids listed on both sides,
``test_lists_both_sides``), so reading stops before anything is sent, for every job reading
a pairs sheet (associate, remove_associations, sync).  Several labels beside one id (several
labels on one pair) and several ids beside one label read as before; under a label header
that does not say it holds lists a cell is one label, ``;`` and all.  A retry file written
from a run of an older read (one row ``1;2`` beside ``A;B`` still to do) puts each id on a row
of its own with its labels, so it reads back as the same pairs instead of being refused.
"""

from __future__ import annotations

import io
import random
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.io import rows as rows_module
from hubframe.report import export_retry
from hubframe.run.table import result_table
from hubframe.run.work import Outcome
from hubframe.sandbox import Sandbox
from hubframe.vocab import Status

DEALS = [str(1010001 + i) for i in range(3)]
CONTACTS = [str(2020001 + i) for i in range(3)]
EMAILS = [f"person{i}@example.com" for i in range(3)]
LABELS = ["Champion", "Decision maker", "Budget holder"]
#: The label headers the reader takes for lists, and their separator.
LIST_HEADERS = {
    "Labels (;-separated)": ";",
    "Labels (semicolon separated)": ";",
    "Label (;-separated, optional)": ";",
    "labels (comma-separated)": ",",
    "Association labels (comma separated)": ",",
}


def _joined(values: list[str], sep: str, rng: random.Random) -> str:
    """``values`` as an analyst writes a list: spaces after the separator now and then, a
    trailing separator on a one-value list now and then."""
    text = (sep + rng.choice(["", " ", "  "])).join(values)
    return text + (sep if len(values) == 1 and rng.random() < 0.3 else "")


def _read(frame: pd.DataFrame, how: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if how == "frame":
            return hf.read_pairs(frame)
        if how == "xlsx":
            buffer = io.BytesIO()
            frame.to_excel(buffer, index=False)
            return hf.read_pairs(buffer.getvalue())
        return hf.read_pairs(frame.to_csv(index=False).encode())


@pytest.mark.parametrize("seed", range(40))
def test_a_sheet_reads_as_its_pairs_or_is_refused(seed: int) -> None:
    """Rows of 1..3 ids (on either side, record ids or emails) and 1..3 labels, under every
    list header: refused exactly when a row lists several ids beside several labels, naming
    the first such row and both its cells; otherwise one pair per id and label, in order."""
    rng = random.Random(seed)
    header = rng.choice(sorted(LIST_HEADERS))
    sep = LIST_HEADERS[header]
    side = rng.choice(["to", "from"])
    by_email = side == "to" and rng.random() < 0.3
    listed_header = "Contact email" if by_email else ("Contact IDs" if side == "to" else "Deal IDs")
    other_header = "Deal ID" if side == "to" else "Contact ID"
    values = EMAILS if by_email else (CONTACTS if side == "to" else DEALS)
    other = DEALS[0] if side == "to" else CONTACTS[0]
    rows: list[tuple[list[str], list[str]]] = []
    for _ in range(rng.randint(1, 4)):
        ids = rng.sample(values, rng.randint(1, 3))
        labels = rng.sample(LABELS, rng.randint(1, 3))
        rows.append((ids, labels))
    sides = {
        other_header: [other] * len(rows),
        listed_header: [_joined(ids, ";", rng) for ids, _ in rows],
    }
    order = [other_header, listed_header] if side == "to" else [listed_header, other_header]
    frame = pd.DataFrame(
        {**{h: sides[h] for h in order}, header: [_joined(ls, sep, rng) for _, ls in rows]}
    )
    how = rng.choice(["csv", "csv", "frame", "xlsx"])
    both = [n for n, (ids, labels) in enumerate(rows) if len(ids) > 1 and len(labels) > 1]
    if both:
        with pytest.raises(InputError) as caught:
            _read(frame, how)
        said = str(caught.value)
        first = both[0] + 2  # the header is row 1
        assert "several ';'-separated ids beside several labels" in said
        named = rf"row {first}( \(index {both[0]}\))?: '{re.escape(listed_header)}' = "
        assert re.search(named + re.escape(repr(frame[listed_header][both[0]])), said)
        assert f"'{header}' = {frame[header][both[0]]!r}" in said
        return
    pairs = _read(frame, how)
    read = pairs["to_id" if side == "to" else "from_id"].astype(str).tolist()
    expected = [(i, label) for ids, labels in rows for i in ids for label in labels]
    assert list(zip(read, pairs["label"].tolist(), strict=True)) == expected
    assert pairs["row"].tolist() == [
        n + 2 for n, (ids, labels) in enumerate(rows) for _ in range(len(ids) * len(labels))
    ]


def test_a_header_without_a_list_note_keeps_the_label_whole_beside_an_id_list() -> None:
    sheet = "Deal ID,Contact IDs,Association label\n1010001,2020001;2020002,Champion;Scout\n"
    pairs = hf.read_pairs(sheet.encode())
    assert pairs["to_id"].astype(str).tolist() == ["2020001", "2020002"]
    assert pairs["label"].tolist() == ["Champion;Scout"] * 2


def test_formula_texts_are_not_lists() -> None:
    """A formula never computed is one cell (refused per row as FORMULA_ERROR), not a list."""
    formula = '"=VLOOKUP(A2;L!A:B;2;0)"'
    sheet = (
        "Deal ID,Contact IDs,Labels (;-separated)\n"
        f"1010001,2020001;2020002,{formula}\n1010001,{formula},Champion;Scout\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = hf.read_pairs(sheet.encode())
    assert pairs["row"].tolist() == [2, 2, 3, 3]


def _sheet(path: Path) -> Path:
    pd.DataFrame(
        {
            "Deal ID": ["1010001", "1010002"],
            "Contact IDs": ["2020003", "2020001;2020002"],
            "Labels (;-separated)": ["Scout", "Champion;Decision maker"],
        }
    ).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("job", ["associate", "remove_associations", "sync"])
def test_no_job_sends_a_row_of_ids_beside_labels(tmp_path: Path, job: str) -> None:
    """Each job reading the sheet refuses it before any request reaches the portal, naming
    row 3; the portal's associations are as they were."""
    with Sandbox(seed=None) as sandbox:
        sandbox.add_records("deals", [1010001, 1010002])
        sandbox.add_records("contacts", [2020001, 2020002, 2020003])
        types = [sandbox.add_label("deals", "contacts", name) for name in ("Champion", "Scout")]
        sandbox.add_label("deals", "contacts", "Decision maker")
        sandbox.associate("deals", 1010002, "contacts", 2020001, types[0])
        before = sandbox.associations("deals", "contacts")
        client = hf.HubSpotClient(token=sandbox.token, base_url=sandbox.url)
        sandbox.reset_request_log()
        run = getattr(hf, job)
        with pytest.raises(InputError, match=r"row 3 holds several ';'-separated ids beside"):
            run(_sheet(tmp_path / "pairs.csv"), client, progress=False)
        sent = sandbox.request_log()
        assert not sent["method"].isin(["POST", "PUT", "DELETE"]).any()
        pd.testing.assert_frame_equal(sandbox.associations("deals", "contacts"), before)


def test_a_retry_file_of_an_older_run_reads_back_as_its_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of a read before the refusal (``1;2`` beside ``A;B``: four pairs, all failed):
    its retry file wrote one row ``1;2`` / ``A;B``, now refused when read; each id now goes on
    a row of its own with both labels, and the file reads back as the four pairs."""
    path = tmp_path / "sheet.csv"
    pd.DataFrame(
        {
            "Deal ID": ["1010001"],
            "Contact IDs": ["2020001;2020002"],
            "Labels (;-separated)": ["Champion;Decision maker"],
        }
    ).to_csv(path, index=False)
    monkeypatch.setattr(
        rows_module, "_check_ids_beside_labels", lambda raw, request: None, raising=False
    )
    pairs = hf.read_pairs(path)
    monkeypatch.undo()
    result = result_table(
        pairs, {n: Outcome(Status.FAILED) for n in range(len(pairs))}, kind="pairs"
    )
    for suffix in (".csv", ".xlsx"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            back = hf.read_pairs(export_retry(result, tmp_path / f"retry{suffix}"))
        assert list(zip(back["to_id"].astype(str), back["label"], strict=True)) == [
            ("2020001", "Champion"),
            ("2020001", "Decision maker"),
            ("2020002", "Champion"),
            ("2020002", "Decision maker"),
        ], suffix
