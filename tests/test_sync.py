"""sync over HTTP against the sandbox, in every API version and behaviour profile: the portal
ends equal to the sheet for the records in scope, removals only when asked and within the
guard, primaries and records with invalid rows kept, limits predicted, and undo restores the
start exactly."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from hubframe.errors import ErrorCode
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs import read_associations, sync, undo
from hubframe.jobs.sync import RemovalGuard, change_counts, sync_facts
from hubframe.report import export_report, load_run
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

VERSIONS = ("2026-03", "2026-09", "v4")
DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
COMPANIES = [str(i) for i in demo_ids("companies")]
DIRECTIONS = (("deals", "contacts"), ("contacts", "deals"))
Entry = tuple[str, str, str | None]


def snapshot(sb: Sandbox, directions: tuple[tuple[str, str], ...] = DIRECTIONS) -> dict:
    return {d: sb.associations(*d) for d in directions}


def assert_same(sb: Sandbox, before: dict) -> None:
    for direction, frame in before.items():
        pd.testing.assert_frame_equal(sb.associations(*direction), frame)


def entries(frame: pd.DataFrame) -> set[Entry]:
    """(from id, to id, label) of each row; label None for an unlabeled row."""
    plain = frame[["from_id", "to_id", "label"]].astype(object)
    plain = plain.where(plain.notna(), None)
    return {(str(f), str(t), lbl) for f, t, lbl in plain.itertuples(index=False)}


def export(client: HubSpotClient, ids: list[str]) -> pd.DataFrame:
    return read_associations(client, "deals", "contacts", ids, progress=False)


def edited(start: pd.DataFrame) -> pd.DataFrame:
    """The notebook's edit: drop a link, relabel one (type id cleared), add two rows."""
    out = start.loc[start["to_id"] != CONTACTS[1]].copy()  # deal 1 loses contact 2
    champion = out["to_id"] == CONTACTS[2]  # deal 2 - contact 3: Champion -> Decision maker
    out.loc[champion, "label"] = "Decision maker"
    out.loc[champion, ["category", "type_id"]] = pd.NA
    new = pd.DataFrame(
        {
            "from_type": ["deals", "deals"],
            "from_id": [DEALS[2], DEALS[1]],
            "to_type": ["contacts", "contacts"],
            "to_id": [CONTACTS[9], CONTACTS[2]],
            "label": ["Champion", None],
        }
    )
    return pd.concat([out, new], ignore_index=True)


EDITED: set[Entry] = {
    (DEALS[0], CONTACTS[0], "Decision maker"),
    (DEALS[1], CONTACTS[2], "Decision maker"),
    (DEALS[2], CONTACTS[3], None),
    (DEALS[2], CONTACTS[9], "Champion"),
}


def writes(sb: Sandbox) -> pd.DataFrame:
    log = sb.request_log()
    return log.loc[(log["method"] != "GET") & ~log["path"].str.endswith("/batch/read")]


@pytest.mark.parametrize("version", VERSIONS)
def test_without_removals_the_sheet_is_added_and_nothing_goes(
    sandbox: Sandbox, version: str
) -> None:
    client = client_for(sandbox, version)
    result = sync(edited(export(client, DEALS[:3])), client, progress=False)
    assert len(result) == 5 and "(portal)" not in set(result["sheet"])
    assert result["change"].tolist() == ["keep", "add", "keep", "add", "keep"]
    assert result["status"].tolist() == ["skipped", "success", "skipped", "success", "skipped"]
    assert result.loc[0, "error_code"] == ErrorCode.ALREADY_ASSOCIATED
    facts = sync_facts(result)
    assert facts is not None and facts.not_in_sheet == 3 and facts.counts["remove"] == 0
    now = entries(export(client, DEALS[:3]))
    assert now >= EDITED
    assert (DEALS[0], CONTACTS[1], "Decision maker") in now  # not in the sheet: kept
    assert result["reason"].notna().all()


@pytest.mark.parametrize("version", VERSIONS)
def test_with_removals_the_portal_equals_the_sheet_and_undo_restores_it(
    sandbox: Sandbox, version: str
) -> None:
    client = client_for(sandbox, version)
    before = snapshot(sandbox)
    sheet = edited(export(client, DEALS[:3]))
    plan = sync(sheet, client, dry_run=True, allow_removals=True, progress=False)
    assert writes(sandbox).empty  # a dry run reads, and writes nothing
    assert plan["change"].tolist() == [*["keep", "add", "keep", "add", "keep"], *["remove"] * 3]
    assert set(plan.loc[plan["change"] != "keep", "status"]) == {"planned"}
    removals = plan.loc[plan["sheet"] == "(portal)"]
    assert removals["row"].isna().all()
    assert entries(removals) == {
        (DEALS[0], CONTACTS[1], "Decision maker"),  # removed with its pair
        (DEALS[0], CONTACTS[1], None),  # the pair
        (DEALS[1], CONTACTS[2], "Champion"),  # the relabeled one's old label
    }
    assert change_counts(plan) == {"add": 2, "remove": 3, "keep": 3}
    result = sync(sheet, client, allow_removals=True, progress=False)
    assert result["change"].tolist() == plan["change"].tolist()
    assert set(result.loc[result["change"] != "keep", "status"]) == {"success"}
    assert entries(export(client, DEALS[:3])) == EDITED
    assert entries(export(client, DEALS[3:])) == set()  # out of scope: untouched
    reverse = sandbox.associations("contacts", "deals")
    assert not ((reverse["from_id"] == CONTACTS[1]) & (reverse["to_id"] == DEALS[0])).any()
    undone = undo(result, client, progress=False)
    assert_same(sandbox, before)
    assert undone["status"].tolist() == [
        "skipped", "success", "skipped", "success", "skipped", "success", "success", "success",
    ]  # fmt: skip
    assert undone["action"].tolist()[5:] == ["associate", "associate_default", "associate"]


def test_undo_from_the_sync_report(sandbox: Sandbox, tmp_path: Path) -> None:
    client = client_for(sandbox)
    before = snapshot(sandbox)
    result = sync(edited(export(client, DEALS[:3])), client, allow_removals=True, progress=False)
    report = export_report(result, tmp_path / "sync.xlsx")
    changes = pd.read_excel(report, sheet_name="Changes", dtype=str, engine="calamine")
    assert changes["change"].tolist() == ["add", "add", "remove", "remove", "remove"]
    undo(load_run(report), client, progress=False)
    assert_same(sandbox, before)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_removal_guard_stops_a_real_run_before_anything_is_sent(
    sandbox: Sandbox, version: str
) -> None:
    client = client_for(sandbox, version)
    champion = sandbox.type_id("deals", "contacts", "Champion")
    for n, contact in enumerate(CONTACTS[20:50]):  # 30 pairs, 20 labeled: 50 entries in scope
        sandbox.associate("deals", DEALS[5], "contacts", contact, champion if n % 3 else None)
    links = export(client, [DEALS[5]])
    sheet = links.loc[links["label"].notna()].head(6)  # 6 labeled pairs kept: 24 pairs go,
    # 14 of them labeled: 24 + 14 = 38 removals, more than 10 (10 % of 50 is 5; at least 10)
    before = snapshot(sandbox)
    with pytest.raises(RemovalGuard) as caught:
        sync(sheet, client, allow_removals=True, progress=False)
    assert caught.value.code is ErrorCode.TOO_MANY_REMOVALS
    assert writes(sandbox).empty
    assert_same(sandbox, before)
    plan = sync(sheet, client, allow_removals=True, dry_run=True, progress=False)
    removals = plan.loc[plan["change"] == "remove"]
    assert len(removals) == 38 and set(removals["error_code"]) == {"TOO_MANY_REMOVALS"}
    facts = sync_facts(plan)
    assert facts is not None and facts.guard and facts.allowance == 10
    assert "a sync makes without max_removals=" in str(caught.value)
    for given, said in ((37, "more than the 37 max_removals=37 (--max-removals 37) allows"),
                        (0, "max_removals=0 (--max-removals 0) forbids removals")):  # fmt: skip
        with pytest.raises(RemovalGuard) as caught:
            sync(sheet, client, allow_removals=True, max_removals=given, progress=False)
        assert f"38 removals planned, {said}" in str(caught.value), str(caught.value)
        assert "10 %" not in str(caught.value)  # not the default's reasons: the user's own
    done = sync(sheet, client, allow_removals=True, max_removals=38, progress=False)
    assert set(done.loc[done["change"] == "remove", "status"]) == {"success"}
    assert entries(export(client, [DEALS[5]])) == entries(sheet)


@pytest.mark.parametrize("version", VERSIONS)
def test_primary_associations_are_kept_unless_allowed(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    primary = sandbox.type_id("deals", "companies", "Primary")
    sandbox.associate("deals", DEALS[0], "companies", COMPANIES[0], primary)
    sandbox.associate("deals", DEALS[0], "companies", COMPANIES[7], None)
    sheet = pd.DataFrame({"Deal ID": [DEALS[0]], "Company ID": [COMPANIES[9]]})
    result = sync(sheet, client, allow_removals=True, progress=False)
    kept = result.loc[result["error_code"] == "PRIMARY_PROTECTED"]
    assert len(kept) == 2 and set(kept["status"]) == {"skipped"}  # the label, and its pair
    assert set(kept["to_id"]) == {COMPANIES[0]}
    links = sandbox.associations("deals", "companies")
    left = set(links.loc[links["from_id"] == DEALS[0], "to_id"])
    assert left == {COMPANIES[0], COMPANIES[9]}  # 7 removed, 9 added, the primary kept
    again = sync(sheet, client, allow_removals=True, allow_primary_removal=True, progress=False)
    assert set(again.loc[again["change"] == "remove", "status"]) == {"success"}
    links = sandbox.associations("deals", "companies")
    assert set(links.loc[links["from_id"] == DEALS[0], "to_id"]) == {COMPANIES[9]}


def test_nothing_of_a_record_with_an_invalid_row_is_removed(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    before = snapshot(sandbox)
    sheet = pd.DataFrame(
        {
            "Deal ID": [DEALS[0], DEALS[1]],
            "Contact ID": [CONTACTS[0], CONTACTS[2]],
            "Association label": ["Decison maker", "Champion"],  # a typo in deal 1's row
        }
    )
    result = sync(sheet, client, allow_removals=True, progress=False)
    assert result.loc[0, "status"] == "invalid" and result.loc[0, "error_code"] == "UNKNOWN_LABEL"
    held = result.loc[result["sheet"] == "(portal)"]
    assert set(held["from_id"]) == {DEALS[0]} and set(held["error_code"]) == {"REMOVAL_HELD"}
    assert "row 2" in held["error_message"].iloc[0]
    assert_same(sandbox, before)


def test_a_relabel_must_clear_the_type_id(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    before = snapshot(sandbox)
    sheet = export(client, [DEALS[1]])
    sheet.loc[0, "label"] = "Decision maker"  # the type id still says Champion
    result = sync(sheet, client, allow_removals=True, progress=False)
    assert result["error_code"].tolist()[0] == "LABEL_TYPE_MISMATCH"
    assert_same(sandbox, before)
    sheet.loc[0, "label"] = None  # cleared, the type id still there: also refused
    assert sync(sheet, client, progress=False).loc[0, "error_code"] == "LABEL_TYPE_MISMATCH"


@pytest.mark.parametrize("version", VERSIONS)
def test_limits_are_predicted_after_the_removals_which_go_first(
    sandbox: Sandbox, version: str
) -> None:
    client = client_for(sandbox, version)
    move = pd.DataFrame(  # contact 1 changes employer; "Employee" is limited to 1 (demo)
        {
            "from_type": ["contacts"],
            "from_id": [CONTACTS[0]],
            "to_type": ["companies"],
            "to_id": [COMPANIES[3]],
            "label": ["Employee"],
        }
    )
    kept = sync(move, client, progress=False)  # no removals: the limit refuses the addition
    assert kept.loc[0, "error_code"] == "LIMIT_EXCEEDED" and kept.loc[0, "status"] == "failed"
    assert writes(sandbox).empty
    result = sync(move, client, allow_removals=True, progress=False)
    assert result["status"].tolist() == ["success", "success", "success"]
    log = writes(sandbox)
    archives = log.loc[log["path"].str.contains("archive")]
    creates = log.loc[log["path"].str.endswith("batch/create")]
    assert float(archives["finished"].max()) <= float(creates["started"].min())
    links = sandbox.associations("contacts", "companies")
    assert set(links.loc[links["from_id"] == CONTACTS[0], "to_id"]) == {COMPANIES[3]}


def test_scope_and_records_listed_without_targets(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    sheet = read_associations(client, "deals", "contacts", DEALS[:4], keep_empty=True)
    sheet.loc[sheet["from_id"] == DEALS[2], ["to_id", "label", "category", "type_id"]] = pd.NA
    sheet = sheet.drop_duplicates(["from_id", "to_id"])
    result = sync(sheet, client, allow_removals=True, scope=[DEALS[2], DEALS[3]], progress=False)
    outside = result.loc[result["error_code"] == "OUT_OF_SCOPE", "from_id"]
    assert set(outside) == {DEALS[0], DEALS[1]}
    listed_empty = result.loc[result["error_code"] == "NO_TARGETS"]
    assert set(listed_empty["from_id"]) == {DEALS[2], DEALS[3]}
    assert entries(result.loc[result["change"] == "remove"]) == {(DEALS[2], CONTACTS[3], None)}
    assert entries(export(client, DEALS[:4])) == {
        (DEALS[0], CONTACTS[0], "Decision maker"),
        (DEALS[0], CONTACTS[1], "Decision maker"),
        (DEALS[1], CONTACTS[2], "Champion"),
    }


def test_an_interrupted_sync_resumes_from_its_journal(sandbox: Sandbox, tmp_path: Path) -> None:
    """A sync cancelled after its first batch resumes from its journal: the batches it sent
    are not sent again, the rest is; once it has finished, a run with the journal reads the
    portal anew (not the journal's first reading), finds the sheet there and sends nothing."""
    client = client_for(sandbox)
    before = snapshot(sandbox)
    sheet = edited(export(client, DEALS[:3]))
    cancel = threading.Event()
    with Journal(tmp_path / "sync.sqlite") as journal:
        first = sync(
            sheet,
            client,
            allow_removals=True,
            journal=journal,
            progress=False,
            batch_size=1,
            cancel=cancel,
            on_progress=lambda rows: cancel.set(),
        )
        sent = set(writes(sandbox)["body_sha1"])
        assert sent and (first["status"] == "skipped").any()
        again = sync(sheet, client, allow_removals=True, journal=journal, progress=False)
        resumed = writes(sandbox).iloc[len(sent) :]
        assert len(resumed) and not sent & set(resumed["body_sha1"])  # none sent twice
        columns = ["change", "from_id", "to_id"]
        pd.testing.assert_frame_equal(again[columns], first[columns])
        assert set(again.loc[again["change"] != "keep", "status"]) == {"success"}
        done = len(writes(sandbox))
        third = sync(sheet, client, allow_removals=True, journal=journal, progress=False)
        assert set(third["change"]) == {"keep"}  # the run finished: the portal is read anew,
        assert len(writes(sandbox)) == done  # and it holds the sheet already
    undo(again, client, progress=False)
    assert_same(sandbox, before)


def test_sync_command_prints_the_diff_guards_and_undoes(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubframe.cli import main
    from hubframe.report import write_pairs

    client = client_for(sandbox)
    before = snapshot(sandbox)
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    sheet = write_pairs(edited(export(client, DEALS[:3])), tmp_path / "links.xlsx")
    plan = tmp_path / "plan.xlsx"
    assert main(["sync", str(sheet), "--delete", "--dry-run", "--report", str(plan), *hub]) == 0
    out = capsys.readouterr().out
    assert "changes: add 2, remove 3, keep 3" in out
    assert f"- deals {DEALS[0]} -> contacts {CONTACTS[1]}" in out
    assert f'+ deals {DEALS[2]} -> contacts {CONTACTS[9]} "Champion"  [planned]' in out
    assert pd.read_excel(plan, sheet_name="Changes", engine="calamine").shape[0] == 5
    assert writes(sandbox).empty
    assert main(["sync", str(sheet), *hub]) == 0  # additions only
    assert "3 associations in the portal not in the sheet: kept" in capsys.readouterr().out
    middle = snapshot(sandbox)
    assert not sandbox.associations(*DIRECTIONS[0]).equals(before[DIRECTIONS[0]])
    report = tmp_path / "report.xlsx"
    assert main(["sync", str(sheet), "--delete", "--max-removals", "0", *hub]) == 2
    assert "TOO_MANY" not in (said := capsys.readouterr()).out and "3 removals" in said.err
    assert "--max-removals 0) forbids removals" in said.err
    for bad in ("-1", "1.5"):  # refused as the option typed, before anything is read
        with pytest.raises(SystemExit) as exited:
            main(["sync", str(sheet), "--delete", "--max-removals", bad, *hub])
        assert exited.value.code == 2 and "argument --max-removals" in capsys.readouterr().err
    assert main(["sync", str(sheet), "--delete", "--report", str(report), *hub]) == 0
    assert "changes: add 0, remove 3, keep 5" in capsys.readouterr().out
    assert entries(export(client, DEALS[:3])) == EDITED
    assert main(["undo", str(report), *hub]) == 0
    assert sandbox.token not in capsys.readouterr().out
    assert_same(sandbox, middle)  # the removals are back; the first run's additions stay


def test_retry_files_leave_the_removals_out(sandbox: Sandbox, tmp_path: Path) -> None:
    from hubframe.io import read_pairs
    from hubframe.report import export_retry, retry_rows

    client = client_for(sandbox)
    sheet = edited(export(client, DEALS[:3]))
    sheet.loc[0, "to_id"] = "12x"  # an invalid row: deal 1 keeps everything, held
    result = sync(sheet, client, allow_removals=True, progress=False)
    portal = result["sheet"] == "(portal)"
    assert int(portal.sum()) == 5  # deal 1's four entries held, deal 2's old label
    result.loc[portal, "status"] = "failed"  # as if HubSpot refused them
    assert int(retry_rows(result).sum()) == 1 + 5  # the exit code counts them all
    back = read_pairs(export_retry(result, tmp_path / "retry.xlsx"))
    # No removal is a row of it; every sheet row of the records with something still to do
    # is (deal 1: the invalid row; deal 2: a removal refused), so synced again it keeps what
    # the sheet keeps. Deal 3 has nothing to do and stays out.
    kept = sheet[sheet["from_id"].isin([DEALS[0], DEALS[1]])]
    assert back["from_id"].tolist() == kept["from_id"].tolist()
    assert back["to_id"].tolist() == kept["to_id"].tolist() and "12x" in back["to_id"].tolist()


@pytest.mark.parametrize("version", VERSIONS)
def test_a_sheet_of_links_only_leaves_the_labels_of_the_pairs_it_keeps(
    sandbox: Sandbox, version: str
) -> None:
    client = client_for(sandbox, version)
    from hubframe.io import read_pairs

    export_file = pd.DataFrame(  # as HubSpot's CRM export has it: links, no labels
        {"Record ID": [DEALS[0], DEALS[1]], "Associated Contact IDs": [CONTACTS[0], ""]}
    )
    sheet = read_pairs(export_file, from_type="deals")
    result = sync(sheet, client, allow_removals=True, progress=False)
    gone = result.loc[result["change"] == "remove"]
    assert entries(gone) == {
        (DEALS[0], CONTACTS[1], "Decision maker"),  # deal 1's unlisted pair, with its label
        (DEALS[0], CONTACTS[1], None),
        (DEALS[1], CONTACTS[2], "Champion"),  # deal 2 listed without targets: all go
        (DEALS[1], CONTACTS[2], None),
    }
    assert entries(export(client, DEALS[:2])) == {(DEALS[0], CONTACTS[0], "Decision maker")}


def test_undo_from_the_syncs_journal_restores_what_it_removed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A journal records a sync's removals too (their types, and what the pairs held before),
    so ``hubframe undo sync.sqlite`` creates them again: it took back the additions only, the
    removals reported nothing, and the associations the sync removed were lost."""
    client = client_for(sandbox)
    before = snapshot(sandbox)
    sheet = edited(export(client, DEALS[:3]))
    path = tmp_path / "sync.sqlite"
    result = sync(sheet, client, allow_removals=True, journal=path, progress=False)
    assert change_counts(result) == {"add": 2, "remove": 3, "keep": 3}
    undone = undo(path, client, progress=False)
    assert_same(sandbox, before)
    assert (undone["status"] == "success").sum() == 5  # two additions, three removals
