"""``columns=`` naming a header two columns share is refused, not read as the first.

A sheet or DataFrame with two columns written "Deal" (or ``1`` and ``"1"``, both "1" as text)
is read with the second named "Deal.1", as pandas names it.  ``columns={"Deal": "from_id"}``
took the first without a word, whichever the analyst meant: the rows were sent for the records
of the other column.  The name read makes for a repeat ("Deal.1") names its one column.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds
from openpyxl import Workbook

import hubframe as hf
from hubframe.io.columns import HeaderError

FIRST, SECOND, CONTACT = 2040000001, 2040000003, 1019360001
TYPES = {"from_type": "deals", "to_type": "contacts"}


def _sheet(kind: str, headers: list[object], tmp_path: Path) -> object:
    rows = [[FIRST, SECOND, CONTACT], [FIRST + 1, SECOND + 1, CONTACT + 1]]
    if kind == "frame":
        return pd.DataFrame(rows, columns=headers)
    if kind == "csv":
        path = tmp_path / "pairs.csv"
        text = [",".join(map(str, headers)), *(",".join(map(str, r)) for r in rows)]
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
        return path
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [headers, *rows]:
        sheet.append(row)
    path = tmp_path / "pairs.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("kind", ["frame", "csv", "xlsx"])
@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (["Deal", "Deal", "To ID"], "Deal"),
        (["Deal", "deal", "To ID"], "DEAL"),
        (["Deal ", "Deal", "To ID"], "Deal"),
        ([1, "1", "To ID"], "1"),
    ],
)
def test_a_name_two_columns_share_is_refused(
    kind: str, headers: list[object], named: str, tmp_path: Path
) -> None:
    if kind != "frame" and headers[0] == 1:
        headers = ["1", "1", "To ID"]
    source = _sheet(kind, headers, tmp_path)
    with pytest.raises(HeaderError, match=r"a name that matches 2 columns \(column 1, column 2\)"):
        hf.read_pairs(source, columns={named: "from_id"}, **TYPES)
    with pytest.raises(HeaderError, match="Nothing was read"):
        hf.read_pairs(source, columns={"from_id": named}, **TYPES)  # the other way round


@pytest.mark.parametrize("kind", ["frame", "csv", "xlsx"])
def test_the_name_the_read_makes_for_a_repeat_names_its_column(kind: str, tmp_path: Path) -> None:
    source = _sheet(kind, ["Deal", "Deal", "To ID"], tmp_path)
    second = hf.read_pairs(source, columns={"Deal.1": "from_id"}, **TYPES)
    assert second["from_id"].tolist() == [str(SECOND), str(SECOND + 1)]
    with pytest.raises(HeaderError, match=r"columns= may name 'Deal\.1'"):
        hf.read_pairs(source, columns={"Deal": "from_id"}, **TYPES)


def test_an_exact_name_beside_a_lookalike_is_its_own_column(tmp_path: Path) -> None:
    """ "Deal" and "deal": each named exactly is one column (only a name matched by its key,
    "DEAL", is shared)."""
    source = _sheet("csv", ["Deal", "deal", "To ID"], tmp_path)
    assert hf.read_pairs(source, columns={"Deal": "from_id"}, **TYPES)["from_id"][0] == str(FIRST)
    assert hf.read_pairs(source, columns={"deal": "from_id"}, **TYPES)["from_id"][0] == str(SECOND)


@pytest.mark.parametrize("seed", seeds(30))
def test_random_headers_named_by_columns(seed: int) -> None:
    """Random frames of three columns whose names repeat or not, one named by ``columns=``:
    read, the ids are the cells of the one column the name is; else refused as shared."""
    rng = random.Random(seed)
    pool: list[object] = ["Deal", "deal", "DEAL", "Deal ", 1, "1", "Opp"]
    names = [rng.choice(pool), rng.choice(pool)]
    frame = pd.DataFrame(
        [[FIRST, SECOND, CONTACT]], columns=pd.Index([*names, "To ID"], dtype=object)
    )
    key = rng.choice(["Deal", "deal", "DEAL", "1", "Opp", "Deal.1", "1.1"])
    texts = [str(n).strip() for n in names]
    exact = [i for i, t in enumerate(texts) if t == key]
    if exact:
        meant = exact
    elif key.endswith(".1") and texts[0] == texts[1] and texts[0].lower() == key[:-2].lower():
        meant = [1]
    else:
        meant = [i for i, t in enumerate(texts) if t.lower() == key.lower()]
    try:
        read = hf.read_pairs(frame, columns={key: "from_id"}, **TYPES)
    except HeaderError as exc:
        assert len(meant) != 1 or "not a column" in str(exc), (names, key, str(exc))
        return
    assert len(meant) == 1, (names, key, read["from_id"].tolist())
    assert read["from_id"][0] == str([FIRST, SECOND][meant[0]]), (names, key)
