"""`hubframe limits --create-labels` creates only the labels of rows it will send.

The labels step was given the whole sheet: a removal, an empty or bad limit, extra cells, a
formula error, rows that conflict -- none of them sent -- still had their labels created in
the portal.  Only valid rows with a limit have their labels created now.  And a dry run showed
a removal naming a label to be created as a planned ``purge_limit``, where the real run skips
it (a new label has no limit): the dry run skips it too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fuzzseeds import seeds

from hubframe.cli import main
from hubframe.sandbox import Sandbox

VERSIONS = ["2026-03", "2026-09", "v4"]
SHEET = """From object,To object,Label,Max associations
Deals,Contacts,Scout,3
Deals,Contacts,Typo label,remove
Deals,Contacts,Shifted,cell,5
Deals,Contacts,Formula err,#N/A
Deals,Contacts,Blank limit,
Deals,Contacts,Bad limit,five
Deals,Contacts,Conflict A,4
Deals,Contacts,Conflict A,6
Deals,Contacts,Too high,90000000
"""


def _labels(sb: Sandbox) -> set[str]:
    return {str(x) for x in sb.labels("deals", "contacts")["label"].dropna()}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("dry_run", [False, True])
def test_only_the_labels_of_rows_sent_are_created(
    version: str, dry_run: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(SHEET)
    report = tmp_path / "report.csv"
    with Sandbox(seed="demo") as sb:
        before = _labels(sb)
        hub = ["--token", sb.token, "--base-url", sb.url, "--api-version", version]
        dry = ["--dry-run"] if dry_run else []
        args = ["limits", str(sheet), "--create-labels", "--no-progress", *dry, *hub]
        main([*args, "--report", str(report)])
        out = capsys.readouterr().out
        after = _labels(sb)
    assert after - before == (set() if dry_run else {"Scout"})
    for name in ("Typo label", "Shifted", "Formula err", "Blank limit", "Bad limit", "Too high"):
        assert f'"{name}": create' not in out  # not even planned
    rows = pd.read_csv(report)
    assert rows["status"].tolist()[0] == ("planned" if dry_run else "success")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_removal_of_a_new_label_is_skipped_in_both_runs(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A removal of "Scout" in a sheet that creates "Scout" (spelled otherwise, so not one
    conflict offline): the dry run says what the real run does."""
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From object,To object,Label,Max associations\n"
        "Deals,Contacts,Scout,3\nContacts,Deals,Scout,remove\n"
    )
    results = []
    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url, "--api-version", version]
        for dry in (["--dry-run"], []):
            report = tmp_path / f"report{len(dry)}.csv"
            args = ["limits", str(sheet), "--create-labels", "--no-progress", *dry, *hub]
            main([*args, "--report", str(report)])
            capsys.readouterr()
            results.append(pd.read_csv(report))
    planned, done = results
    assert planned["status"].tolist() == ["planned", "skipped"], planned
    assert done["status"].tolist() == ["success", "skipped"], done


@pytest.mark.parametrize("version", VERSIONS)
def test_a_label_only_the_reverse_direction_has_is_not_made_twice_there(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """contacts -> deals has "Mentor" (paired with "Mentored by"); a limits sheet names
    "Mentor" from deals to contacts: --create-labels created it unpaired, named "Mentor" both
    ways, so contacts -> deals held two labels "Mentor" (the dry run had planned it).  Both
    runs now refuse it, and its limit is refused as an unknown label."""
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From object,To object,Label,Max associations\n"
        "Deals,Contacts,Mentor,3\nDeals,Contacts,mentored BY,2\n"
    )
    results = []
    with Sandbox(seed="demo") as sb:
        sb.add_label("contacts", "deals", "Mentor", "Mentored by")
        hub = ["--token", sb.token, "--base-url", sb.url, "--api-version", version]
        for dry in (["--dry-run"], []):
            report = tmp_path / f"report{len(dry)}.csv"
            args = ["limits", str(sheet), "--create-labels", "--no-progress", *dry, *hub]
            assert main([*args, "--report", str(report)]) == 1
            assert '"Mentor": create invalid LABEL_WOULD_REPEAT' in capsys.readouterr().out
            results.append(pd.read_csv(report))
        back = [str(x) for x in sb.labels("contacts", "deals")["label"].dropna()]
    assert back.count("Mentor") == 1
    planned, done = results
    assert planned["status"].tolist() == ["invalid", "planned"], planned
    assert done["status"].tolist() == ["invalid", "success"], done
    assert planned["error_code"][0] == done["error_code"][0] == "UNKNOWN_LABEL"


SPELLINGS = ["Technical buyer", "technical  BUYER", " Technical Buyer ", "TECHNICAL BUYER"]


@pytest.mark.parametrize("seed", seeds(12))
def test_rows_naming_one_new_label_are_judged_alike_in_both_runs(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two spellings of a label the command creates, asking the same limit: the dry run
    planned both, the real run sent one and reported the other ``duplicate``; asking
    different limits, the real run refuses them all (``CONFLICTING_ROWS``).  Seeded sheets
    of 2-4 spellings and values; the dry run's statuses and codes are the real run's."""
    import random

    rng = random.Random(seed)
    count = rng.randint(2, 4)
    values = [rng.choice(["3", "3", "5"]) for _ in range(count)]
    rows = [f"Deals,Contacts,{rng.choice(SPELLINGS)},{v}" for v in values]
    sheet = tmp_path / "limits.csv"
    sheet.write_text("From object,To object,Label,Max associations\n" + "\n".join(rows) + "\n")
    results = []
    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url]
        for dry in (["--dry-run"], []):
            report = tmp_path / f"report{len(dry)}.csv"
            args = ["limits", str(sheet), "--create-labels", "--no-progress", *dry, *hub]
            main([*args, "--report", str(report)])
            capsys.readouterr()
            results.append(pd.read_csv(report, dtype=str, keep_default_na=False))
    dry, real = results
    planned = dry["status"].replace({"planned": "success"}).tolist()
    assert planned == real["status"].tolist(), (rows, dry, real)
    assert dry["error_code"].tolist() == real["error_code"].tolist(), (rows, dry, real)


LINES_SHEET = """From,To,Label,Max
deals,contacts,Mentor,3
deals,contacts,,30
deals,contacts,Champion,2
deals,contacts,Champion,2
deals,contacts,CHAMPION,2
deals,contacts,mentor,3
deals,contacts,Budget holder,20
deals,contacts,Budget holder,20
"""


@pytest.mark.parametrize("create_labels", [True, False])
def test_every_row_a_dry_run_plans_or_repeats_has_a_line(
    create_labels: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary counted "Mentor 3" planned (its label created first), yet "what each row
    would do" had no line for it, nor for a row repeating another written alike: each planned
    or repeating row says what it does."""
    sheet = tmp_path / "limits.csv"
    sheet.write_text(LINES_SHEET)
    report = tmp_path / "report.csv"
    with Sandbox(seed="demo") as sb:
        hub = ["--token", sb.token, "--base-url", sb.url]
        create = ["--create-labels"] if create_labels else []
        args = ["limits", str(sheet), *create, "--dry-run", "--no-progress", *hub]
        main([*args, "--report", str(report)])
        out = capsys.readouterr().out
    rows = pd.read_csv(report)
    doing = rows.loc[rows["status"].isin(["planned", "duplicate"]), "row"].tolist()
    lined = [
        int(line.split(":")[0].split()[1]) for line in out.splitlines() if line.startswith("  row ")
    ]
    assert lined == doing, out
    said = dict(zip(rows["row"], rows["limit_change"], strict=True))
    assert said[5] == said[6] == "nothing: repeats row 4"
    assert said[9] == "nothing: repeats row 8"
    if create_labels:
        assert said[2] == "sets a limit of 3 (none now: the label is created first)"
        assert said[7] == "nothing: repeats row 2"


def test_a_repeat_of_a_row_hubspot_would_refuse_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "limits.csv"
    sheet.write_text(
        "From,To,Label,Max\ndeals,contacts,Decision maker,40\ndeals,contacts,decision MAKER,40\n"
    )
    report = tmp_path / "report.csv"
    with Sandbox(seed="demo") as sb:  # the object limit is 25
        hub = ["--token", sb.token, "--base-url", sb.url]
        main(["limits", str(sheet), "--dry-run", "--no-progress", *hub, "--report", str(report)])
        out = capsys.readouterr().out
    rows = pd.read_csv(report)
    assert rows["status"].tolist() == ["invalid", "duplicate"]
    assert rows["limit_change"].tolist()[1] == "nothing: repeats row 2"
    assert '  row 3: deals -> contacts "decision MAKER": nothing: repeats row 2' in out
