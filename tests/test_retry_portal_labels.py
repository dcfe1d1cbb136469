"""A limits retry file keeps the analyst's empty label cell of a row given by type id only.

A limits run shows, in the result's ``label`` column, the portal's label of a row that named
its limit by type id alone (the report and the messages then name the label).  The retry file
took that name for a label the run had been given by argument and wrote it into the analyst's
empty ``Label`` cell -- or, where the sheet's header is ``label`` itself, wrote it there
directly, and with no label column added an ``Association label`` column the sheet never had.
The retry file now holds the sheet's own cells: type id only, as the analyst wrote it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

LABELS = ["Decision maker", "Champion"]


def _sheet(path: Path, label_header: str | None, type_ids: list[int]) -> Path:
    """Two type-id-only rows (the first to fail), and a row naming its label in the analyst's
    own spelling, where the sheet has a label column."""
    rows = [{"From": "deals", "To": "contacts", "Type ID": str(t), "Max": "5"} for t in type_ids]
    if label_header is not None:
        for row in rows:
            row[label_header] = ""
        rows.append({"From": "deals", "To": "contacts", "Type ID": "", "Max": "4"})
        rows[-1][label_header] = "budget HOLDER"
    frame = pd.DataFrame(rows).fillna("")
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False)
    return path


def _cells(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return pd.read_excel(path, dtype=str, keep_default_na=False, engine="calamine")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("label_header", ["Label", "label", "Association label", None])
def test_the_retry_file_holds_the_sheets_own_label_cells(
    tmp_path: Path, suffix: str, label_header: str | None
) -> None:
    with Sandbox(seed="demo") as sb:
        ids = [sb.type_id("deals", "contacts", label) for label in LABELS]
        sheet = _sheet(tmp_path / f"limits{suffix}", label_header, ids)
        with FaultProxy(sb, then=f'swallow:"typeId": {ids[0]}', cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)
            result = hf.configure_limits(hf.read_limits(sheet), client, progress=False)
        assert result["status"].tolist()[:2] == ["failed", "success"]
        assert result["label"].tolist()[:2] == LABELS  # the result names the portal's labels
        retry = hf.export_retry(result, tmp_path / f"retry{suffix}")
        cells = _cells(retry)
        assert list(cells.columns) == list(_cells(sheet).columns)  # no column added
        assert cells["Type ID"].tolist() == [str(ids[0])]
        if label_header is not None:
            assert cells[label_header].tolist() == [""]
        # Run alone, the retry file sets the limit it holds.
        again = hf.configure_limits(
            hf.read_limits(retry), HubSpotClient(token=sb.token, base_url=sb.url)
        )
        assert again["status"].tolist() == ["success"]
        set_ = sb.limits("deals", "contacts")
        assert (
            int(set_.loc[set_["type_id"].astype(int) == ids[0], "max_to_object_ids"].iloc[0]) == 5
        )


def test_a_filtered_result_keeps_the_empty_cells_too(tmp_path: Path) -> None:
    """The rows are known by sheet and row, not by position: a result sorted or filtered by
    the analyst before the retry file is written keeps the cells as well."""
    result, ids = _first_row_failed(tmp_path)
    shuffled = result.iloc[::-1]
    cells = _cells(hf.export_retry(shuffled[shuffled["status"] != "success"], tmp_path / "r.csv"))
    assert cells["Label"].tolist() == [""]
    assert cells["Type ID"].tolist() == [str(ids[0])]


@pytest.mark.parametrize("dtype", ["float64", "string", "object", "Int64"])
def test_the_rows_are_known_whatever_dtype_the_row_column_took(tmp_path: Path, dtype: str) -> None:
    """A result whose row column became float (a concat with rows that have none), text or
    objects still has its type-id-only rows' empty label cells kept."""
    result, ids = _first_row_failed(tmp_path)
    rows = result["row"].astype("float64")
    recast = result.assign(row=rows.map(str) if dtype == "string" else rows.astype(dtype))
    recast.attrs = result.attrs
    cells = _cells(hf.export_retry(recast[recast["status"] != "success"], tmp_path / "r.csv"))
    assert cells["Label"].tolist() == [""]
    assert cells["Type ID"].tolist() == [str(ids[0])]


def _first_row_failed(tmp_path: Path) -> tuple[pd.DataFrame, list[int]]:
    """A limits run of a .csv sheet whose first row (type id only) HubSpot ignores: its result
    (attrs kept) and the labels' type ids."""
    with Sandbox(seed="demo") as sb:
        ids = [sb.type_id("deals", "contacts", label) for label in LABELS]
        sheet = _sheet(tmp_path / "limits.csv", "Label", ids)
        with FaultProxy(sb, then=f'swallow:"typeId": {ids[0]}', cued=True) as fp:
            client = HubSpotClient(token=sb.token, base_url=fp.url, backoff_base=0.01)
            result = hf.configure_limits(hf.read_limits(sheet), client, progress=False)
    return result, ids
