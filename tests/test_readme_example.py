"""The README's "In ten lines" example runs as written, and its report can be undone: without
``record_existing=True`` the report held no ``existed_before`` column and ``hubframe undo`` of
it skipped every row (``NOT_UNDOABLE``), though the README offers ``hubframe undo report.xlsx``
beside it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def _ten_lines() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## In ten lines") :]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


def test_the_readme_example_runs_and_its_report_records_what_existed_before(tmp_path: Path) -> None:
    (tmp_path / "sample_data").mkdir()
    shutil.copy(REPO / "sample_data" / "deals_contacts.xlsx", tmp_path / "sample_data")
    (tmp_path / "example.py").write_text(_ten_lines(), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr
    results = pd.read_excel(tmp_path / "report.xlsx", sheet_name="Results", engine="calamine")
    assert {"existed_before", "linked_before"} <= set(results.columns)
    sent = results["status"] == "success"
    assert sent.any() and results.loc[sent, "existed_before"].notna().all()
