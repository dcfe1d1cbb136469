"""The labels job on inputs a tester tried: a pairs sheet's labels result written over the
sheet, two read frames put together, internal names HubSpot refuses, empty object types.

Before: ``configure_labels`` of a read pairs or limits sheet kept no record of the file, so
``export_report(result, "my_pairs.xlsx")`` wrote over the analyst's sheet; a ``pd.concat`` of
two read sheets stopped with pandas's "cannot reindex on an axis with duplicate labels"; a
Name such as ``deal-sponsor`` was planned by the dry run and refused by HubSpot in the real
run; an empty object type cell was sent as the object "None".
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import InputError
from hubframe.report import export_report
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = [str(i) for i in demo_ids("deals")[20:24]]
CONTACTS = [str(i) for i in demo_ids("contacts")[20:24]]


def _pairs(labels: list[str]) -> pd.DataFrame:
    n = len(labels)
    return pd.DataFrame({"Deal ID": DEALS[:n], "Contact ID": CONTACTS[:n], "Label": labels})


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_labels_result_is_never_written_over_the_sheet_it_came_from(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"my_pairs{suffix}"
    sheet = _pairs(["Sponsor", "Mentor"])
    if suffix == ".xlsx":
        sheet.to_excel(path, index=False)
    else:
        sheet.to_csv(path, index=False)
    before = path.read_bytes()
    with Sandbox(seed="demo") as sb:
        for source in (path, hf.read_pairs(path)):
            result = hf.configure_labels(source, client_for(sb), dry_run=True)
            assert result["status"].tolist() == ["planned", "planned"]
            with pytest.raises(InputError, match="is the file this table was read from"):
                export_report(result, path)
            assert path.read_bytes() == before
            report = export_report(result, tmp_path / "labels_report.xlsx")
            summary = pd.read_excel(report, sheet_name="Summary", header=None, dtype=str)
            assert path.name in set(summary[1].dropna()), summary


def test_read_frames_put_together_give_their_labels(tmp_path: Path) -> None:
    first = hf.read_pairs(_pairs(["Sponsor", "Mentor"]))
    second = hf.read_limits(
        pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Label": ["Patron"], "Max": [3]})
    )
    together = pd.concat([first, first.iloc[::-1]])
    assert together.index.duplicated().any()
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        result = hf.configure_labels(together, client, dry_run=True)
        assert result["label"].tolist() == ["Sponsor", "Mentor"]
        twice = pd.concat([second, second])
        result = hf.configure_labels(twice, client, dry_run=True)
        assert result["label"].tolist() == ["Patron"]


NAMES = st.text(alphabet="ab_Z09- .é", min_size=1, max_size=8)
TAKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(names=["Z", "Z "])  # a campaign's draw: one name twice, once with a space after it
@given(names=st.lists(NAMES, min_size=1, max_size=3, unique=True))
def test_a_name_hubspot_refuses_is_refused_alike_in_the_dry_and_real_run(
    names: list[str],
) -> None:
    labels = [f"Edge label {n}" for n in range(len(names))]
    sheet = pd.DataFrame(
        {"From": "deals", "To": "contacts", "Label": labels, "Inverse label": "", "Name": names}
    )
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        dry = hf.configure_labels(sheet, client, dry_run=True)
        real = hf.configure_labels(sheet, client)
    shown = [str(n).strip() for n in names]
    given: set[str] = set()
    for n, name in enumerate(shown):
        bad = bool(name) and not TAKEN.fullmatch(name)
        said = real["error_code"].fillna("").iloc[n]
        assert (said == "BAD_LABEL_NAME") is bad, (name, real.iloc[n].to_dict())
        if bad:
            continue
        # "Z" and "Z " are one name once its spaces are trimmed: the later row is refused
        again = bool(name) and name in given
        given.add(name)
        expected = ("invalid", "CONFLICTING_ROWS") if again else ("success", "")
        assert (real["status"].iloc[n], said) == expected, real.iloc[n].to_dict()
    cells = ["status", "error_code"]
    planned = dry[cells].astype(object).replace({"planned": "success"}).fillna("")
    assert planned.equals(real[cells].astype(object).fillna("")), (dry, real)


def test_an_empty_object_type_is_missing_not_an_object_named_none() -> None:
    sheet = b"From type,To type,Label\n,contacts,Sponsor\ndeals,,Mentor\ndeals,contacts,Patron\n"
    with Sandbox(seed="demo") as sb:
        result = hf.configure_labels(io.BytesIO(sheet), client_for(sb))
        paths = sb.request_log()["path"].tolist()
    assert result["status"].tolist() == ["invalid", "invalid", "success"]
    assert result["error_code"].tolist()[:2] == ["MISSING_VALUE", "MISSING_VALUE"]
    assert "'from' object type cell is empty" in result["error_message"].iloc[0]
    assert not [p for p in paths if "None" in p], paths


def test_a_labels_report_says_the_labels_changes_not_a_syncs(tmp_path: Path) -> None:
    """Its Summary said "add 0, remove 0, keep 0" of a run that created two labels, beside an
    empty Changes sheet: a labels result was laid out as a sync's (both have ``change``)."""
    sheet = pd.DataFrame({"From": "deals", "To": "contacts", "Label": ["Sponsor", "Mentor"]})
    with Sandbox(seed="demo") as sb:
        result = hf.configure_labels(sheet, client_for(sb))
    report = export_report(result, tmp_path / "labels.xlsx")
    book = pd.read_excel(report, sheet_name=None, header=None, dtype=str)
    assert "Changes" not in book
    summary = dict(zip(book["Summary"][0], book["Summary"][1], strict=True))
    assert summary["changes"] == "create 2"
