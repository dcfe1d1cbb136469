"""A retry file of results put together reads each row back in its own direction.

Two results joined with ``pd.concat`` (a deals -> contacts run of ``Deal ID | Contact ID``, a
contacts -> deals run of ``Contact ID | Deal ID | Label``) lose their attrs, and every row
is of sheet "": ``export_retry`` wrote one table under the first run's header order, without
a word, so read back the second run's failed rows went deals -> contacts, and a label whose
inverse is another label ("Manager" <-> "Managed deal", both ways) was applied as that other
label.  Rows are now grouped by how they were read -- their sheet, and where no column says
each row's object types, their own ``from_type`` and ``to_type``: an ``.xlsx`` retry file has
a sheet per direction, named with it ("Retry (contacts -> deals)"), said by a
``RowsByDirection`` warning, and a ``.csv`` one is refused (``InputError`` naming the
directions, suggesting ``.xlsx``) unless one header reads every row as its run read it.
"""

from __future__ import annotations

import random
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

import hubframe as hf
from hubframe.errors import HubframeWarning, InputError
from hubframe.report.reader import load_run
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

#: The objects of the runs, each with its id header and its demo ids.
HEADERS = {"deals": "Deal ID", "contacts": "Contact ID", "companies": "Company ID"}
IDS = {kind: [str(i) for i in demo_ids(kind)] for kind in HEADERS}
#: Labels whose inverse is the other one: a row read the other way applies the other label.
CROSSED = ("Manager", "Managed")
ASK = ["from_type", "from_id", "to_type", "to_id", "label"]

Ask = tuple[str | None, ...]


def _crossed_labels(sb: Sandbox) -> None:
    for a, b in (("deals", "contacts"), ("contacts", "companies")):
        sb.add_label(a, b, CROSSED[0], inverse_label=CROSSED[1])
        sb.add_label(a, b, CROSSED[1], inverse_label=CROSSED[0])


@dataclass(frozen=True)
class _Run:
    """One run's sheet: its direction, its columns' order and whether it has labels."""

    from_type: str
    to_type: str
    reversed_headers: bool  # the to side's column first (the types say which is which)
    labeled: bool

    def sheet(self, rng: random.Random, start: int) -> pd.DataFrame:
        """A sheet of 1-3 rows, each naming a record that exists or one that does not."""
        rows = []
        for n in range(rng.randint(1, 3)):
            ids = {
                side: IDS[kind][start + n] if rng.random() < 0.6 else str(7_770_000 + start + n)
                for side, kind in (("from", self.from_type), ("to", self.to_type))
            }
            row = {HEADERS[self.from_type]: ids["from"], HEADERS[self.to_type]: ids["to"]}
            if self.labeled:
                row["Label"] = rng.choice([*CROSSED, ""])
            rows.append(row)
        frame = pd.DataFrame(rows)
        return frame[frame.columns[::-1]] if self.reversed_headers else frame


def _runs(rng: random.Random) -> list[_Run]:
    """2-3 runs of one object pair (or, now and then, another), in random directions."""
    pair = rng.choice([("deals", "contacts"), ("contacts", "companies")])
    runs = []
    for _ in range(rng.randint(2, 3)):
        a, b = pair if rng.random() < 0.8 else ("deals", "contacts")
        a, b = (a, b) if rng.random() < 0.5 else (b, a)
        runs.append(_Run(a, b, rng.random() < 0.5, rng.random() < 0.6))
    return runs


def _results(sb: Sandbox, rng: random.Random) -> pd.DataFrame:
    client = client_for(sb)
    parts = [
        hf.associate(
            hf.read_pairs(run.sheet(rng, 10 * n), from_type=run.from_type, to_type=run.to_type),
            client,
            progress=False,
        )
        for n, run in enumerate(_runs(rng))
    ]
    joined = pd.concat(parts, ignore_index=rng.random() < 0.5)
    assert joined.attrs == {}  # as pandas joins the results of runs
    return joined


def _asks(frame: pd.DataFrame) -> list[Ask]:
    cells = frame[ASK].astype(object).where(frame[ASK].notna(), None)
    return [tuple(str(v) if v not in (None, "") else None for v in row) for row in cells.to_numpy()]


def _todo(result: pd.DataFrame) -> list[Ask]:
    return _asks(result.loc[result["status"].isin(["failed", "invalid"])])


def _written(result: pd.DataFrame, path: Path) -> tuple[Path, list[str]]:
    """``export_retry`` to ``path``, and the messages of its warnings (RowsByDirection)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = hf.export_retry(result, path)
    return written, [str(w.message) for w in caught if issubclass(w.category, HubframeWarning)]


def _check_xlsx(result: pd.DataFrame, path: Path) -> None:
    """Every row still to do reads back in its own direction, with its own ids and label; a
    sheet per direction where the rows have several, each named with it and said."""
    todo = _todo(result)
    retry, said = _written(result, path)
    back = hf.read_pairs(retry, sheet="*")
    assert Counter(_asks(back)) == Counter(todo)
    directions = {(f, t) for f, _, t, _, _ in todo}
    if len(directions) < 2:
        assert not said
        return
    assert len(said) == 1
    for sheet, rows in back.groupby("sheet"):
        (from_type, to_type), *others = set(zip(rows["from_type"], rows["to_type"], strict=True))
        assert not others and f"({from_type} -> {to_type})" in str(sheet)
        assert f"'{sheet}'" in said[0]


def _check_csv(result: pd.DataFrame, path: Path) -> None:
    """The .csv retry file reads back exactly the rows still to do, in order, or it is refused
    (the rows are of several directions), naming them and suggesting .xlsx, and not written."""
    todo = _todo(result)
    try:
        retry, said = _written(result, path)
    except InputError as refused:
        message = str(refused)
        assert len({(f, t) for f, _, t, _, _ in todo}) > 1, message
        assert ".xlsx" in message and " -> " in message
        assert not path.exists()
        return
    assert not said
    assert _asks(hf.read_pairs(retry)) == todo


@pytest.mark.parametrize("seed", seeds(10))
def test_concatenated_results_read_back_in_each_rows_direction(
    sandbox: Sandbox, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    _crossed_labels(sandbox)
    result = _results(sandbox, rng)
    _check_xlsx(result, tmp_path / "retry.xlsx")
    _check_csv(result, tmp_path / "retry.csv")
    # the report of the joined runs, read back, has lost its attrs as well
    report = load_run(hf.export_report(result, tmp_path / "report.xlsx"))
    _check_xlsx(report, tmp_path / "report_retry.xlsx")
    _check_csv(report, tmp_path / "report_retry.csv")


def test_the_tester_s_case_applies_the_label_the_row_asked(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The tester's case end to end: fixed and run again, the contacts -> deals row gets
    "Manager", not its inverse's twin "Managed deal"."""
    deals, contacts = IDS["deals"], IDS["contacts"]
    sandbox.add_label("contacts", "deals", "Manager", inverse_label="Managed deal")
    sandbox.add_label("contacts", "deals", "Managed deal", inverse_label="Manager")
    client = client_for(sandbox)
    first = hf.associate(
        pd.DataFrame({"Deal ID": [deals[60], "777777"], "Contact ID": contacts[100:102]}),
        client,
        progress=False,
    )
    second = hf.associate(
        pd.DataFrame(
            {
                "Contact ID": [contacts[102], "888888"],
                "Deal ID": deals[61:63],
                "Label": ["Manager", "Manager"],
            }
        ),
        client,
        progress=False,
    )
    both = pd.concat([first, second])
    with pytest.raises(InputError, match=r"deals -> contacts.*contacts -> deals.*\.xlsx"):
        hf.export_retry(both, tmp_path / "retry.csv")
    retry, said = _written(both, tmp_path / "retry.xlsx")
    assert len(said) == 1 and "'Retry (contacts -> deals)'" in said[0]
    sheets = pd.read_excel(retry, sheet_name=None, dtype=str, engine="calamine")
    assert {name: frame.columns.tolist() for name, frame in sheets.items()} == {
        "Retry (deals -> contacts)": ["Deal ID", "Contact ID", "Label"],
        "Retry (contacts -> deals)": ["Contact ID", "Deal ID", "Label"],  # the run's order
    }
    sandbox.add_records("contacts", [888888])
    sandbox.add_records("deals", [777777])
    again = hf.associate(hf.read_pairs(retry, sheet="*"), client, progress=False)
    assert again["status"].tolist() == ["success", "success"]
    found = hf.read_associations(client, "contacts", "deals", [888888], progress=False)
    assert found.loc[found["to_id"] == deals[62], "label"].dropna().tolist() == ["Manager"]


@pytest.mark.parametrize("first", [("companies", "contacts"), ("deals", "contacts")])
def test_the_warning_names_the_sheets_as_written(tmp_path: Path, first: tuple[str, str]) -> None:
    """Before (review), 'To remove (companies -> contacts)' (33 characters) was cut by the
    workbook to 'To remove (companies -> contact' while the warning named it whole: a sheet the
    file does not have.  The title now fits (its arrow shortened), and the warning names the
    sheets as written."""
    a, b = first
    ids = {kind: [str(i) for i in demo_ids(kind)][10:14] for kind in (a, b)}
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        for n in range(4):
            sb.associate(a, ids[a][n], b, ids[b][n])
        sb.set_faults(server_error_rate=1.0, writes_only=True)
        head = {"companies": "Company ID", "contacts": "Contact ID", "deals": "Deal ID"}
        one = pd.DataFrame({head[a]: ids[a][:2], head[b]: ids[b][:2]})
        two = pd.DataFrame({head[b]: ids[b][2:], head[a]: ids[a][2:]})
        runs = [hf.remove_associations(f, client, progress=False) for f in (one, two)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = hf.export_retry(pd.concat(runs), tmp_path / "retry.xlsx")
    said = " ".join(str(w.message) for w in caught if "direction" in str(w.message))
    sheets = list(pd.read_excel(path, sheet_name=None, engine="calamine"))
    assert len(sheets) == 2 and all(len(s) <= 31 for s in sheets), sheets
    for sheet in sheets:
        assert f"sheet '{sheet}'" in said, (sheet, said)
        assert a in sheet and b in sheet  # each type named whole
