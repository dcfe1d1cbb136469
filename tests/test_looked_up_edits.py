"""A run's table passed back whose side the run looked up by email (a result table run
again, a report undone): the ids it holds are the records the run found for its cells then,
and a cell or an id edited since must never send (or remove) another record than the cell
names.

Over real HTTP against the sandbox: contacts found by email, deals by id.
"""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for
from tests.faultproxy import FaultProxy
from tests.fuzzseeds import seeds

EMAILS = ["ann@x.com", "bob@x.com", "cat@x.com", "dan@x.com", "eve@x.com"]
CONTACTS = {5001 + n: email for n, email in enumerate(EMAILS)}
BY_EMAIL = {email: str(rid) for rid, email in CONTACTS.items()}


def _portal(sb: Sandbox, deals: int = 3, dup: bool = False) -> None:
    emails = [*EMAILS, *(["dup@x.com", "Dup@x.com"] if dup else [])]
    sb.add_records(
        "contacts", list(range(5001, 5001 + len(emails))), [{"email": e} for e in emails]
    )
    sb.add_records("deals", list(range(1001, 1001 + deals)))


def _links(sb: Sandbox) -> set[tuple[str, str]]:
    found = sb.associations("deals", "contacts")
    return {(str(a), str(b)) for a, b in zip(found["from_id"], found["to_id"], strict=True)}


def _sheet(deals: list[str], emails: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"Deal ID": deals, "Contact email": emails})


def _failing_run(sb: Sandbox, job: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The job run once through a proxy that rejects every association write: every row whose
    email was found fails at HubSpot, its to_id the contact found."""
    with FaultProxy(sb, reject_path="/associations") as proxy:
        client = hf.HubSpotClient(
            token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05, max_retries=1
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if job == "associate":
                return hf.associate(hf.read_pairs(frame), client, progress=False, preflight=False)
            return hf.remove_associations(hf.read_pairs(frame), client, progress=False)


# --- the repros --------------------------------------------------------------------------------


def test_a_result_run_again_with_its_email_corrected_never_links_the_old_contact() -> None:
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=2)
        first = _failing_run(sb, "associate", _sheet(["1001", "1002"], EMAILS[:2]))
        assert first["to_id"].tolist() == ["5001", "5002"]
        again = first[first["status"] != "success"].copy()
        again.loc[again.index[0], "Contact email"] = "cat@x.com"  # the analyst corrects it
        with pytest.raises(InputError) as caught:
            hf.associate(again, client_for(sb), progress=False)
        said = str(caught.value)
        assert "edited after its run" in said and "row 2" in said
        assert "'cat@x.com'" in said and "5003" in said and "5001" in said
        assert _links(sb) == set()  # nothing sent: deal 1001 is not linked to ann
        # as the message says: the to_id emptied, the corrected cell is looked up again
        again.loc[again.index[0], "to_id"] = None
        done = hf.associate(again, client_for(sb), progress=False)
        assert done["status"].tolist() == ["success", "success"]
        assert done["to_id"].tolist() == ["5003", "5002"]
        assert _links(sb) == {("1001", "5003"), ("1002", "5002")}


def test_a_removal_run_again_with_its_email_corrected_never_removes_the_old_link() -> None:
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=3, dup=True)
        for deal, contact in [(1001, 5001), (1001, 5003), (1002, 5002), (1003, 5006), (1003, 5007)]:
            sb.associate("deals", deal, "contacts", contact)
        sheet = _sheet(["1001", "1002", "1003"], ["ann@x.com", "bob@x.com", "DUP@x.com"])
        first = _failing_run(sb, "remove", sheet)
        assert first["error_code"].tolist()[2] == "AMBIGUOUS_RECORD"
        again = first[first["status"] != "success"].copy()
        again.loc[again.index[0], "Contact email"] = "cat@x.com"
        before = _links(sb)
        with pytest.raises(InputError, match="edited after its run"):
            hf.remove_associations(again, client_for(sb), progress=False)
        assert _links(sb) == before  # ann's link kept, and nothing else removed either
        # the row whose lookup failed is looked up again: still two contacts, not an empty cell
        dup = hf.remove_associations(again.iloc[[2]], client_for(sb), progress=False)
        assert dup["status"].tolist() == ["failed"]
        assert dup["error_code"].tolist() == ["AMBIGUOUS_RECORD"]
        assert "empty" not in str(dup["error_message"].iloc[0])
        assert _links(sb) == before


def test_a_row_whose_email_was_not_found_is_looked_up_again_once_corrected() -> None:
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=2)
        sheet = _sheet(["1001", "1002"], ["typo@x.com", "bob@x.com"])
        first = hf.associate(hf.read_pairs(sheet), client_for(sb), progress=False)
        assert first["error_code"].tolist()[0] == "OBJECT_NOT_FOUND"
        again = first[first["status"] != "success"].copy()
        unchanged = hf.associate(again, client_for(sb), progress=False)  # not an "empty" cell
        assert unchanged["error_code"].tolist() == ["OBJECT_NOT_FOUND"]
        assert "typo@x.com" in str(unchanged["error_message"].iloc[0])
        again.loc[again.index[0], "Contact email"] = "cat@x.com"
        done = hf.associate(again, client_for(sb), progress=False)
        assert done["status"].tolist() == ["success"]
        assert done["to_id"].tolist() == ["5003"]
        assert _links(sb) == {("1001", "5003"), ("1002", "5002")}


def test_a_result_saved_as_csv_and_corrected_is_refused(tmp_path: Path) -> None:
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=2)
        sheet = _sheet(["9999", "1002"], ["ann@x.com", "bob@x.com"])  # deal 9999: no such deal
        first = hf.associate(hf.read_pairs(sheet), client_for(sb), progress=False)
        first.to_csv(tmp_path / "result.csv", index=False)
        back = pd.read_csv(tmp_path / "result.csv", dtype=str)
        again = back[back["status"] != "success"].copy()
        again.loc[again.index[0], ["Deal ID", "from_id"]] = "1001"
        again.loc[again.index[0], "Contact email"] = "cat@x.com"
        with pytest.raises(InputError, match="edited after its run"):
            hf.associate(again, client_for(sb), progress=False)
        assert _links(sb) == {("1002", "5002")}
        again.loc[again.index[0], "to_id"] = None
        # a CSV keeps no notes: with no id left in the table nothing shows that the ids were
        # looked up (a "Contact email" note beside ids read with columns= reads alike), so
        # its ids are taken as they are, and the emptied one is refused as missing
        missing = hf.associate(again, client_for(sb), progress=False, dry_run=True)
        assert missing["error_code"].tolist() == ["MISSING_VALUE"]
        whole = pd.concat([again, back[back["status"] == "success"]])  # an id beside its email
        done = hf.associate(whole, client_for(sb), progress=False)
        assert done["to_id"].tolist() == ["5003", "5002"]
        assert done["status"].tolist() == ["success", "success"]


def _report_with_swapped_ids(sb: Sandbox, path: Path) -> pd.DataFrame:
    result = hf.associate(
        hf.read_pairs(_sheet(["1001", "1002"], EMAILS[:2])),
        client_for(sb),
        progress=False,
        record_existing=True,
    )
    hf.export_report(result, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Results"]
    column = [c.value for c in sheet[1]].index("to_id") + 1
    one, two = sheet.cell(2, column).value, sheet.cell(3, column).value
    sheet.cell(2, column).value, sheet.cell(3, column).value = two, one  # sorted alone
    book.save(path)
    return result


def test_an_undo_of_a_report_whose_looked_up_ids_were_swapped_is_refused(tmp_path: Path) -> None:
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=2)
        sb.associate("deals", 1002, "contacts", 5001)  # there before the run
        result = _report_with_swapped_ids(sb, tmp_path / "report.xlsx")
        before = _links(sb)
        assert before == {("1001", "5001"), ("1002", "5001"), ("1002", "5002")}
        with pytest.raises(InputError) as caught:
            hf.undo(tmp_path / "report.xlsx", client_for(sb), progress=False)
        said = str(caught.value)
        assert "report.xlsx was edited after its run" in said
        assert "'ann@x.com'" in said and "5002" in said and "Nothing was removed" in said
        assert _links(sb) == before
        # the result table with its to_id swapped likewise
        swapped = result.copy()
        swapped["to_id"] = swapped["to_id"].iloc[::-1].to_numpy()
        with pytest.raises(InputError, match="the result table was edited after its run"):
            hf.undo(swapped, client_for(sb), progress=False)
        assert _links(sb) == before
        # as the run wrote it: the run's own links go, the one there before stays
        hf.undo(result, client_for(sb), progress=False)
        assert _links(sb) == {("1002", "5001")}


# --- properties --------------------------------------------------------------------------------

EDITS = ("none", "email", "email_unknown", "to_id", "both", "emptied")


@pytest.mark.parametrize("seed", seeds(6))
@pytest.mark.parametrize("job", ["associate", "remove"])
def test_a_result_passed_back_never_sends_another_record_than_its_cell_names(
    seed: int, job: str
) -> None:
    rng = random.Random(seed)
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=6, dup=True)
        if job == "remove":
            for deal in range(1001, 1007):
                for contact in rng.sample(range(5001, 5008), 3):
                    sb.associate("deals", deal, "contacts", contact)
        before = _links(sb)
        known = [*EMAILS, "dup@x.com", "nobody@x.com"]
        sheet = _sheet([str(1001 + n) for n in range(6)], [rng.choice(known) for _ in range(6)])
        run = hf.associate if job == "associate" else hf.remove_associations
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = run(hf.read_pairs(sheet), client_for(sb), progress=False, dry_run=True)
        table = first.copy()
        clash = False  # an edit that leaves a row's id another record than its cell names
        for at in table.index:
            edit = rng.choice(EDITS)
            email, rid = table.loc[at, "Contact email"], table.loc[at, "to_id"]
            held = None if pd.isna(rid) else str(rid)
            other = rng.choice(EMAILS)
            if edit == "email":
                table.loc[at, "Contact email"] = other.upper() if rng.random() < 0.3 else other
                clash |= held is not None and held != BY_EMAIL[other]
            elif edit == "email_unknown":
                table.loc[at, "Contact email"] = "zed@x.com"
            elif edit == "to_id":
                table.loc[at, "to_id"] = BY_EMAIL[other]
                clash |= BY_EMAIL.get(str(email).lower()) not in (None, BY_EMAIL[other])
            elif edit == "both":
                table.loc[at, ["Contact email", "to_id"]] = [other, BY_EMAIL[other]]
            elif edit == "emptied":
                table.loc[at, "to_id"] = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                again = run(table, client_for(sb), progress=False, dry_run=True)
            except InputError as exc:
                assert clash, f"refused with no edit that clashes: {exc}"
                assert "edited after its run" in str(exc)
                again = None
        assert _links(sb) == before
        if again is None:
            return
        assert not clash, "an edited row was taken"
        for cell, rid, code in zip(
            again["Contact email"], again["to_id"], again["error_code"], strict=True
        ):
            named = BY_EMAIL.get(str(cell).strip().lower())
            if named is None:  # no contact, or two: never sent, and said so
                assert pd.isna(rid)
                assert code in ("OBJECT_NOT_FOUND", "AMBIGUOUS_RECORD")
            else:
                assert str(rid) == named, (cell, rid)


@pytest.mark.parametrize("seed", seeds(6))
@pytest.mark.parametrize("given", ["report", "table"])
def test_an_undo_with_looked_up_ids_swapped_never_removes_a_link_from_before(
    seed: int, given: str, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=4)
        for deal in range(1001, 1005):
            for contact in rng.sample(range(5001, 5006), 2):
                sb.associate("deals", deal, "contacts", contact)
        there = _links(sb)
        sheet = _sheet([str(1001 + n) for n in range(4)], [rng.choice(EMAILS) for _ in range(4)])
        result = hf.associate(
            hf.read_pairs(sheet), client_for(sb), progress=False, record_existing=True
        )
        order = list(range(4))
        rng.shuffle(order)
        ids = result["to_id"].tolist()
        swapped = [ids[n] for n in order]
        edited = any(a != b for a, b in zip(ids, swapped, strict=True))
        if given == "report":
            path = tmp_path / "report.xlsx"
            hf.export_report(result, path)
            book = openpyxl.load_workbook(path)
            cells = book["Results"]
            column = [c.value for c in cells[1]].index("to_id") + 1
            for n, value in enumerate(swapped):
                cells.cell(2 + n, column).value = int(value)
            book.save(path)
            source: object = path
        else:
            source = result.copy()
            source["to_id"] = swapped  # type: ignore[index]
        refused = False
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                hf.undo(source, client_for(sb), progress=False)  # type: ignore[arg-type]
            except InputError as exc:
                assert "edited after its run" in str(exc)
                refused = True
        assert refused == edited
        assert there <= _links(sb)  # every link there before the run is still there
        if not edited:
            assert _links(sb) == there


@pytest.mark.parametrize("joined", ["csv", "concat"])
def test_a_note_of_emails_beside_ids_read_with_columns_is_never_looked_up(
    tmp_path: Path, joined: str
) -> None:
    """A sheet read with columns= naming "Person" for the contact ids, beside the analyst's
    own "Contact email" note: its result table without its notes (saved as CSV, or joined
    with pd.concat, which drops attrs that differ) was read by its headers, the note taken
    for the looked-up side: a row with no id was linked to the note's contact, and the
    report could not be undone ("edited after its run").  Found in review."""
    with Sandbox(seed=None) as sb:
        _portal(sb, deals=3)

        def run(deal: str, person: str, note: str) -> pd.DataFrame:
            sheet = pd.DataFrame({"Deal ID": [deal], "Person": [person], "Contact email": [note]})
            pairs = hf.read_pairs(
                sheet,
                columns={"from_id": "Deal ID", "to_id": "Person"},
                from_type="deals",
                to_type="contacts",
            )
            return hf.associate(pairs, client_for(sb), progress=False, record_existing=True)

        parts = [run("1001", "", "cat@x.com"), run("1002", "5002", "bob@x.com")]
        if joined == "concat":
            table = pd.concat(parts, ignore_index=True)
        else:
            pd.concat(parts).to_csv(tmp_path / "r.csv", index=False)
            table = pd.read_csv(tmp_path / "r.csv", dtype=str)
        assert not table.attrs
        again = hf.associate(table, client_for(sb), progress=False)
        assert again["error_code"].fillna("").tolist() == ["MISSING_VALUE", ""]
        assert _links(sb) == {("1002", "5002")}
        undone = hf.undo(table, client_for(sb), progress=False)
        assert "success" in set(undone["status"]) and _links(sb) == set()
