"""configure_labels, `hubframe labels` and `hubframe limits --create-labels` over HTTP against
the sandbox, in every API version and behaviour profile."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from hubframe.cli import main
from hubframe.errors import InputError
from hubframe.io import SheetsLeftOut, read_pairs
from hubframe.io.labels import read_labels
from hubframe.jobs import associate, configure_labels
from hubframe.jobs.labels import internal_name
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, pairs_sheet, workbook_bytes, xlsx_bytes

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

VERSIONS = ("2026-03", "2026-09", "v4")


def labels_of(sb: Sandbox, from_type: str, to_type: str) -> set[str]:
    return {str(x) for x in sb.labels(from_type, to_type)["label"].dropna()}


def sheet() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "From type": ["deals", "contacts", "Deal", "deals"],
            "To type": ["contacts", "companies", "contacts", "contacts"],
            "Label": ["Technical buyer", "Board member", " decision  MAKER", "Champion"],
            "Inverse label": [None, "Board seat", None, None],
        }
    )


def _writes(sb: Sandbox) -> pd.DataFrame:
    log = sb.request_log()
    return log.loc[log["method"] != "GET"]


@pytest.mark.parametrize("version", VERSIONS)
def test_missing_labels_are_created_and_existing_ones_reported(
    sandbox: Sandbox, version: str
) -> None:
    client = client_for(sandbox, version)
    plan = configure_labels(sheet(), client, dry_run=True)
    assert plan["change"].tolist() == ["create", "create", "exists", "exists"]
    assert plan["status"].tolist() == ["planned", "planned", "skipped", "skipped"]
    assert plan["error_code"].tolist()[2:] == ["LABEL_EXISTS", "LABEL_EXISTS"]
    assert _writes(sandbox).empty and "Technical buyer" not in labels_of(
        sandbox, "deals", "contacts"
    )
    result = configure_labels(sheet(), client)
    assert result["status"].tolist() == ["success", "success", "skipped", "skipped"]
    made = sandbox.type_id("deals", "contacts", "Technical buyer")
    assert result.loc[0, "type_id"] == made and result.loc[0, "category"] == "USER_DEFINED"
    assert result.loc[2, "type_id"] == sandbox.type_id("deals", "contacts", "Decision maker")
    assert "Technical buyer" in labels_of(sandbox, "contacts", "deals")  # unpaired: same label
    assert "Board seat" in labels_of(sandbox, "companies", "contacts")  # paired: the inverse
    again = configure_labels(sheet(), client)
    assert set(again["change"]) == {"exists"} and set(again["status"]) == {"skipped"}


@pytest.mark.parametrize("version", VERSIONS)
def test_renames_only_when_asked(sandbox: Sandbox, version: str) -> None:
    client = client_for(sandbox, version)
    champion = sandbox.type_id("deals", "contacts", "Champion")
    rename = pd.DataFrame(
        {"From": ["deals"], "To": ["contacts"], "Label": ["Sponsor"], "Type ID": [champion]}
    )
    refused = configure_labels(rename, client)
    assert (
        refused.loc[0, "status"] == "invalid" and refused.loc[0, "error_code"] == "RENAME_REFUSED"
    )
    assert "Champion" in labels_of(sandbox, "deals", "contacts") and _writes(sandbox).empty
    done = configure_labels(rename, client, renames=True)
    assert done.loc[0, "status"] == "success" and done.loc[0, "change"] == "rename"
    assert sandbox.type_id("deals", "contacts", "Sponsor") == champion
    unknown = rename.assign(**{"Type ID": [999_999]})
    assert configure_labels(unknown, client).loc[0, "error_code"] == "INVALID_ASSOCIATION_TYPE"


def test_the_labels_a_pairs_sheet_names_can_be_created_then_used(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    rows = [
        (str(deals[9]), str(contacts[9]), "Economic buyer"),
        (str(deals[9]), str(contacts[8]), ""),
    ]
    pairs = read_pairs(pairs_sheet(rows))
    assert associate(pairs, client, progress=False).loc[0, "error_code"] == "UNKNOWN_LABEL"
    result = configure_labels(pairs, client)
    assert result["label"].tolist() == ["Economic buyer"]  # the unlabeled row names none
    assert associate(pairs, client, progress=False)["status"].tolist() == ["success", "success"]


def test_labels_sheets_read_with_types_from_arguments_and_names() -> None:
    frame = read_labels(
        b"Label,Internal name\nScout,scout_x\n\nReferee,\n", from_type="deal", to_type="Contacts"
    )
    assert frame["from_type"].tolist() == ["deals", "deals"]
    assert frame["to_type"].tolist() == ["contacts", "contacts"]
    assert frame["row"].tolist() == [2, 4] and frame["name"].tolist() == ["scout_x", None]
    assert internal_name("Décision-maker 2") == "d_cision_maker_2"
    assert internal_name("2nd buyer") == "label_2nd_buyer"


def test_labels_command_and_limits_create_labels(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    labels = tmp_path / "labels.csv"
    labels.write_text("From type,To type,Label\ndeals,contacts,Scout\ndeals,contacts,Champion\n")
    assert main(["labels", str(labels), "--dry-run", *hub]) == 0
    out = capsys.readouterr().out
    assert '"Scout": create planned' in out and '"Champion": exists skipped LABEL_EXISTS' in out
    assert "Scout" not in labels_of(sandbox, "deals", "contacts")
    limits = tmp_path / "limits.csv"
    limits.write_text("From object,To object,Label,Max associations\ndeals,contacts,Scout,4\n")
    assert main(["limits", str(limits), "--dry-run", *hub]) == 1  # the label does not exist
    assert "UNKNOWN_LABEL" in capsys.readouterr().out
    assert main(["limits", str(limits), "--dry-run", "--create-labels", *hub]) == 0
    out = capsys.readouterr().out
    assert '"Scout": create planned' in out and "planned" in out and "UNKNOWN_LABEL" not in out
    assert "Scout" not in labels_of(sandbox, "deals", "contacts") and sandbox.limits().shape[0] == 3
    assert main(["limits", str(limits), "--create-labels", *hub]) == 0
    capsys.readouterr()
    set_now = sandbox.limits("deals", "contacts")
    assert set_now.loc[set_now["label"] == "Scout", "max_to_object_ids"].tolist() == [4]
    rename = tmp_path / "rename.csv"
    champion = sandbox.type_id("deals", "contacts", "Champion")
    rename.write_text(f"From,To,Label,Type ID\ndeals,contacts,Sponsor,{champion}\n")
    assert main(["labels", str(rename), *hub]) == 1
    assert "RENAME_REFUSED" in capsys.readouterr().out
    assert main(["labels", str(rename), "--rename", *hub]) == 0
    assert "Sponsor" in labels_of(sandbox, "deals", "contacts")


def test_limits_create_labels_says_when_no_row_setting_a_limit_names_a_label(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The labels of a removal or an empty limit cell are not created: the labels part says
    that no row setting a limit names one, not that the sheet names none (it does)."""
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    limits = tmp_path / "limits.csv"
    limits.write_text(
        "From object,To object,Label,Max associations\n"
        "deals,contacts,Scout,\ndeals,contacts,Champion,remove\ndeals,companies,,20\n"
    )
    main(["limits", str(limits), "--dry-run", "--create-labels", *hub])
    out = capsys.readouterr().out
    assert "no row that sets a limit names a label" in out
    assert "the sheet names no labels" not in out
    labels = tmp_path / "labels.csv"
    labels.write_text("From type,To type,Label\n")
    main(["labels", str(labels), "--dry-run", *hub])
    assert "the sheet names no labels" in capsys.readouterr().out


# --- the sheet asked for -------------------------------------------------------------------------

#: A workbook whose first sheet holds drafts and whose second the labels meant.
DRAFTS_AND_FINAL = {
    "Drafts": [["From type", "To type", "Label"], ["deals", "contacts", "Old draft"]],
    "Final": [["From type", "To type", "Label"], ["deals", "contacts", "Approved"]],
}


def test_labels_command_creates_the_labels_of_the_sheet_named(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: ``--sheet Final`` was ignored: the first sheet's "Old draft" was created, and no
    line said which sheet was read; a sheet that is not there was taken too (exit 0)."""
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook_bytes(DRAFTS_AND_FINAL))
    assert main(["labels", str(book), "--sheet", "Final", *hub]) == 0
    said = capsys.readouterr()
    assert "book.xlsx: read sheet 'Final' (by name)" in said.out
    assert '"Approved": create success' in said.out and "Old draft" not in said.out
    made = labels_of(sandbox, "deals", "contacts")
    assert "Approved" in made and "Old draft" not in made
    assert main(["labels", str(book), "--sheet", "No such sheet", "--dry-run", *hub]) == 2
    said = capsys.readouterr()
    assert said.err.startswith("hubframe: error: book.xlsx: no sheet 'No such sheet'.")
    assert "0 'Drafts', 1 'Final' (--sheet takes a name" in said.err and not said.out
    csv = tmp_path / "labels.csv"
    csv.write_text("From type,To type,Label\ndeals,contacts,Scout\n")
    assert main(["labels", str(csv), "--sheet", "Final", "--dry-run", *hub]) == 2
    assert "labels.csv: the sheet 'Final' was asked for" in capsys.readouterr().err
    assert "Old draft" not in labels_of(sandbox, "deals", "contacts")
    assert "Scout" not in labels_of(sandbox, "deals", "contacts")


def test_labels_command_says_which_sheet_it_read_and_which_it_left(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook_bytes(DRAFTS_AND_FINAL))
    assert main(["labels", str(book), "--dry-run", *hub]) == 0
    said = capsys.readouterr()
    assert "book.xlsx: read sheet 'Drafts' (the first visible sheet" in said.out
    assert "hubframe: warning: book.xlsx: sheet 'Final' skipped: it has recognised" in said.err
    assert "--sheet '*' reads every sheet" in said.err
    assert main(["labels", str(book), "--sheet", "1", "--dry-run", *hub]) == 0
    said = capsys.readouterr()
    assert "read sheet 'Final' (by position 1)" in said.out and "Old draft" not in said.out


def test_configure_labels_takes_the_sheet_asked_for(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    book = workbook_bytes(DRAFTS_AND_FINAL)
    for sheet in ("Final", 1, "final"):
        plan = configure_labels(book, client, sheet=sheet, dry_run=True)
        assert plan["label"].tolist() == ["Approved"] and plan["sheet"].tolist() == ["Final"]
    every = configure_labels(book, client, sheet="*", dry_run=True)
    assert every["label"].tolist() == ["Old draft", "Approved"]
    with pytest.raises(InputError, match=r"no sheet 'Nope'\. .*\(sheet= takes a name"):
        configure_labels(book, client, sheet="Nope", dry_run=True)
    with pytest.warns(SheetsLeftOut, match="sheet 'Final' was not read"):
        first = configure_labels(book, client, dry_run=True)
    assert first["label"].tolist() == ["Old draft"]
    read = read_labels(book, sheet="Final")
    assert read.attrs["hubframe"]["sheets_read"] == ["Final"]
    with pytest.raises(InputError, match="the sheet 'Drafts' was asked for, but the labels"):
        configure_labels(read, client, sheet="Drafts", dry_run=True)
    pairs = pd.DataFrame({"From type": ["deals"], "To type": ["contacts"], "Label": ["X"]})
    with pytest.raises(InputError, match="a DataFrame, which holds one table"):
        configure_labels(pairs, client, sheet="Final", dry_run=True)
    assert _writes(sandbox).empty


def test_a_labels_sheet_read_already_is_taken_as_its_file_is(sandbox: Sandbox) -> None:
    """The command line reads the sheet first (to say which sheet it read) and hands the frame
    over: its rows are the file's, each one -- a label given two inverse labels is refused in
    both rows, a label written as the plain association is refused, not dropped.  The result
    keeps the frame's index (the file's read is numbered from 0), as every job's does."""
    rows = [
        ["From type", "To type", "Label", "Inverse label"],
        ["deals", "contacts", "Manager", "Managed by"],
        ["deals", "contacts", "manager", "Reports to"],
        ["deals", "contacts", "Unlabeled", ""],
    ]
    data = xlsx_bytes(rows)
    client = client_for(sandbox)
    from_file = configure_labels(data, client, dry_run=True)
    read = read_labels(data)
    read.index = pd.Index([7, 8, 9])  # a frame the analyst sorted or filtered
    from_frame = configure_labels(read, client, dry_run=True)
    assert from_frame.index.tolist() == [7, 8, 9]
    assert from_file.index.equals(pd.RangeIndex(3))
    pd.testing.assert_frame_equal(from_frame.reset_index(drop=True), from_file)
    assert from_frame["error_code"].tolist() == [
        "CONFLICTING_ROWS",
        "CONFLICTING_ROWS",
        "LABEL_WOULD_REPEAT",
    ]
    assert from_frame.attrs["hubframe"] == from_file.attrs["hubframe"]


@pytest.mark.parametrize("stop", ["a refused token", "the daily limit", "no HubSpot"])
def test_labels_left_by_a_stopped_run_say_to_run_the_sheet_again(
    sandbox_factory: Callable[..., Sandbox], stop: str
) -> None:
    """Before: "... so the run stopped; check the token and run the retry file" -- a labels
    run has no retry file; running the sheet again is safe."""
    import socket

    from hubframe.hubspot.client import HubSpotClient

    sb = sandbox_factory(seed="demo", daily_limit=0 if stop == "the daily limit" else None)
    token, url = ("pat-na1-refused-0000", sb.url) if stop == "a refused token" else (sb.token, "")
    if stop == "no HubSpot":
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    client = HubSpotClient(token, url or sb.url, max_retries=0, backoff_base=0.01)
    result = configure_labels(sheet(), client)
    left = result["error_message"].iloc[1:].tolist()
    assert all("so the run stopped" in said for said in left), left
    assert all("run the sheet again" in said and "retry" not in said for said in left), left


# --- a create whose answer is lost --------------------------------------------------------------


@pytest.mark.parametrize(("version", "lost"), [("2026-03", 1), ("2026-09", 2), ("v4", 1)])
def test_a_label_created_whose_answer_was_lost_is_reported_created(
    sandbox: Sandbox, version: str, lost: int
) -> None:
    """HubSpot creates the label, the answer is lost, the retry is refused ("already exists"):
    the row is what the portal shows, created, with its type id; the other rows are unchanged."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    with FaultProxy(sandbox, lose=lost) as proxy:
        client = HubSpotClient(token=sandbox.token, base_url=proxy.url, api_version=version)
        result = configure_labels(sheet(), client)
    assert result["status"].tolist() == ["success", "success", "skipped", "skipped"]
    assert result["change"].tolist() == ["create", "create", "exists", "exists"]
    assert result["error_code"][:2].isna().all()
    said = str(result["error_message"][lost - 1])
    assert said.startswith("Created: HubSpot's first answer was lost")
    listed = sandbox.labels(*["deals", "contacts"] if lost == 1 else ["contacts", "companies"])
    made = listed.loc[listed["label"] == result["label"][lost - 1], "type_id"].tolist()
    assert made == [result["type_id"][lost - 1]]


def test_a_run_that_stops_after_a_lost_create_says_the_label_may_exist(sandbox: Sandbox) -> None:
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    with FaultProxy(sandbox, lose=1, then="refuse") as proxy:
        client = HubSpotClient(token=sandbox.token, base_url=proxy.url, backoff_base=0.01)
        result = configure_labels(sheet(), client)
    assert result["error_code"].tolist()[0] == "UNKNOWN_OUTCOME"
    assert "may have created the label" in str(result["error_message"][0])
    assert "Technical buyer" in labels_of(sandbox, "deals", "contacts")  # it did
    assert result["status"].tolist() == ["failed"] * 4  # not sent: the run stopped
    assert result["error_code"].tolist()[1:] == ["NETWORK_ERROR"] * 3


@pytest.mark.parametrize("version", ["2026-03", "2026-09", "v4"])
@pytest.mark.parametrize("then", ["reject", "daily", "refuse"])
def test_a_rename_whose_answer_was_lost_is_what_the_portal_shows(
    sandbox: Sandbox, version: str, then: str
) -> None:
    """HubSpot renames the label, the answer is lost, the retry is refused: the row was
    'failed' (or skipped by the daily limit) while the portal showed the new name.  The
    labels are read again: renamed; a run that stops says it may be."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    maker = sandbox.type_id("deals", "contacts", "Decision maker")
    rename = pd.DataFrame(
        {
            "From type": ["deals"],
            "To type": ["contacts"],
            "Label": ["Key person"],
            "Type ID": [maker],
        }
    )
    with FaultProxy(sandbox, lose=1, then=then) as proxy:
        client = HubSpotClient(
            token=sandbox.token, base_url=proxy.url, api_version=version, backoff_base=0.01
        )
        result = configure_labels(rename, client, renames=True)
    named = sandbox.labels("deals", "contacts").set_index("type_id").loc[maker, "label"]
    assert named == "Key person"  # HubSpot did it
    if then == "reject":
        assert result["status"].tolist() == ["success"], result
        assert str(result["error_message"][0]).startswith("Renamed: HubSpot's first answer")
    else:
        assert result["error_code"].tolist() == ["UNKNOWN_OUTCOME"], result
        assert "may have renamed the label" in str(result["error_message"][0])


@pytest.mark.parametrize("how", ["xlsx", "csv"])
def test_a_cell_that_cannot_say_what_to_create_refuses_its_row(
    sandbox_factory: Callable[..., Sandbox], how: str
) -> None:
    """Before: a type id cell that was not a whole number ('#REF!', 'abc') read as empty, and a
    rename became the creation of a new label; a type cell naming no object ('contcts') was
    replaced by the type given for empty cells.  Each row is now invalid, nothing sent for it."""
    rows = [
        ["From object", "To object", "Type ID", "Label"],
        ["deals", "contacts", "#REF!", "Sponsor renamed"],
        ["deals", "contacts", "3,000", "Other"],
        ["deals", "contcts", "", "Typo"],
        ["deals", "", "", "Fine"],  # an empty type cell takes the one given
    ]
    data: object
    if how == "xlsx":
        data = xlsx_bytes(rows)
    else:
        data = io.BytesIO("\n".join(",".join(f'"{c}"' for c in r) for r in rows).encode())
    sb = sandbox_factory(seed=None)
    sb.add_label("deals", "contacts", "Sponsor")
    before = set(sb.labels("deals", "contacts")["label"].dropna())
    result = configure_labels(data, client_for(sb), renames=True, to_type="contacts")
    after = set(sb.labels("deals", "contacts")["label"].dropna())
    assert result["status"].tolist() == ["invalid", "invalid", "invalid", "success"]
    assert result["error_code"].tolist()[:3] == ["FORMULA_ERROR", "BAD_ID", "BAD_OBJECT_TYPE"]
    assert "'3,000'" in result["error_message"].iloc[1]
    assert after - before == {"Fine"} and "Sponsor" in after


def test_no_rename_or_inverse_label_makes_two_labels_that_read_the_same() -> None:
    """Renaming "Champion" to "decision  Maker" beside "Decision maker" made two labels every
    later sheet row matched ambiguously (and the analyst's Champion was gone)."""
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        champion = sb.type_id("deals", "contacts", "Champion")
        sb.add_label("contacts", "deals", "Buyer of")
        before = {d: sb.labels(*d)["label"].tolist() for d in DIRECTIONS}
        sheet = pd.DataFrame(
            {
                "From type": ["deals", "deals", "deals"],
                "To type": ["contacts", "contacts", "contacts"],
                "Type ID": [str(champion), str(champion), ""],
                "Label": ["decision  Maker", "Deci\u200bsion maker", "Buyer"],
                "Inverse label": ["", "", "buyer OF"],
            }
        )
        for dry_run in (True, False):
            result = configure_labels(sheet, client, renames=True, dry_run=dry_run)
            assert result["status"].tolist() == ["invalid"] * 3, result
            assert set(result["error_code"]) == {"LABEL_WOULD_REPEAT"}
            assert '"Decision maker" (type id' in result.loc[0, "error_message"]
            assert '"Buyer of"' in result.loc[2, "error_message"]
            assert {d: sb.labels(*d)["label"].tolist() for d in DIRECTIONS} == before


DIRECTIONS = (("deals", "contacts"), ("contacts", "deals"))


def test_rows_giving_one_label_two_inverse_labels_create_nothing() -> None:
    """The first row's inverse label was created and the second row's was said to exist."""
    with Sandbox(seed="demo") as sb:
        sheet = pd.DataFrame(
            {
                "From type": ["deals"] * 4,
                "To type": ["contacts"] * 4,
                "Label": ["Manager", "manager ", "Manager", "Owner"],
                "Inverse label": ["Managed by", "Reports to", "managed  BY", ""],
            }
        )
        result = configure_labels(sheet, client_for(sb))
        assert result["status"].tolist() == ["invalid"] * 3 + ["success"]
        assert set(result["error_code"].iloc[:3]) == {"CONFLICTING_ROWS"}
        said = result["error_message"].tolist()
        assert '"Reports to" in row 3' in said[0] and '"Managed by" in row 2' in said[1]
        assert '"Reports to" in row 3' in said[2]  # the same inverse, spelled otherwise
        assert "Manager" not in set(sb.labels("deals", "contacts")["label"].dropna())
        assert "Owner" in set(sb.labels("deals", "contacts")["label"].dropna())


# --- a labels run HubSpot refuses as a whole ----------------------------------------------------


def _closed_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens once closed


@pytest.mark.parametrize("report", [False, True])
@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize(
    ("hubspot", "said"),
    [
        ("a refused token", "HubSpot did not accept the access token"),
        ("no HubSpot", "could not reach HubSpot at 127.0.0.1:"),
    ],
)
def test_a_labels_run_hubspot_refuses_or_never_answers_exits_2(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    hubspot: str,
    said: str,
    dry_run: bool,
    report: bool,
) -> None:
    """``hubframe labels`` with a token HubSpot refuses exited 0 (its labels ``skipped``
    ``UNAUTHORIZED``), and with HubSpot unreachable 1: as for any run, it is exit 2, one error
    line after the labels are listed and the report written."""
    labels = tmp_path / "labels.csv"
    labels.write_text("From type,To type,Label\ndeals,contacts,Scout\ncontacts,deals,Ally\n")
    token = "pat-na1-refused-0000"
    hub = (
        ["--token", token, "--base-url", sandbox.url]
        if hubspot == "a refused token"
        else ["--token", sandbox.token, "--base-url", _closed_port()]
    )
    out_file = tmp_path / "labels_report.csv"
    argv = ["labels", str(labels), *hub, *(["--dry-run"] if dry_run else [])]
    argv += ["--report", str(out_file)] if report else []
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.strip().splitlines()[-1].startswith(f"hubframe: error: {said}"), err
    assert "(2 labels not done)" in err
    assert token not in out + err and sandbox.token not in out + err
    assert '"Scout"' in out and '"Ally"' in out  # listed first
    assert out_file.is_file() == report
    assert "Scout" not in labels_of(sandbox, "deals", "contacts")


def test_the_labels_lines_name_their_row_and_an_empty_label_as_none_given(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before, each line of ``hubframe labels`` named no row, and an empty label cell was shown
    as "None" -- the line a label actually named "None" gets."""
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    sheet = tmp_path / "labels.csv"
    sheet.write_text("From type,To type,Label,Inverse label\ndeals,contacts,,Mentee\n"
                     "deals,contacts,None,\ndeals,contacts,Champion,\n")  # fmt: skip
    assert main(["labels", str(sheet), "--dry-run", *hub]) == 1
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()[1:]]
    assert lines[0].startswith("row 2: deals -> contacts (no label): invalid MISSING_VALUE")
    assert lines[1].startswith('row 3: deals -> contacts "None": create planned')
    assert lines[2].startswith('row 4: deals -> contacts "Champion": exists skipped')


RENAME_THEN_CREATE = {
    "the old name created again": [
        ["Backer", "Backed", 1003],
        ["Champion", "Championed", None],
    ],
    "a rename chain, then both old names": [
        ["Backer", "", 1003],
        ["Sponsor", "", 1001],
        ["Champion", "", None],
        ["Decision maker", "", None],
    ],
    "the old name in another case": [["Backer", "", 1003], ["CHAMPION", "", None]],
}


@pytest.mark.parametrize("case", list(RENAME_THEN_CREATE))
def test_a_label_created_under_a_name_this_run_renamed_away(case: str) -> None:
    """HubSpot keeps a renamed label's internal name: a new label given the old name's
    internal name was planned by the dry run and refused by the real run ("An association
    label named 'champion' already exists", though HubSpot listed no "Champion")."""
    rows = [["From type", "To type", "Label", "Inverse label", "Type ID"]]
    rows += [["deals", "contacts", *r] for r in RENAME_THEN_CREATE[case]]
    said: dict[bool, list[tuple[str, str]]] = {}
    for dry in (True, False):
        with Sandbox(seed="demo") as sb:
            source = io.BytesIO(xlsx_bytes(rows))
            source.name = "labels.xlsx"
            result = configure_labels(source, client_for(sb), renames=True, dry_run=dry)
            statuses = result["status"].replace({"planned": "success"})
            said[dry] = list(zip(statuses, result["change"].fillna(""), strict=True))
    assert said[True] == said[False], said
    assert "failed" not in {s for s, _ in said[False]}, said  # never refused by HubSpot


def _one_label(inverse: str | None) -> pd.DataFrame:
    return pd.DataFrame(
        {"From type": ["deals"], "To type": ["contacts"], "Label": ["Sponsor"]}
        | ({"Inverse label": [inverse]} if inverse is not None else {})
    )


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("inverse", [None, "Sponsored by"])
def test_a_label_created_whose_labels_cannot_be_read_back_is_reported_created(
    sandbox: Sandbox, version: str, inverse: str | None
) -> None:
    """HubSpot answers the create naming the label, and every read after it fails: the label
    is created (HubSpot's answer says so), never ``failed``.  Before, an unpaired label --
    whose answer names it both ways, so its type id is not told -- was reported failed,
    ``UNKNOWN_OUTCOME``, "answered the create without naming it", while it was in the portal."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    with FaultProxy(sandbox, fail_reads_after_write=True) as proxy:
        client = HubSpotClient(
            token=sandbox.token, base_url=proxy.url, api_version=version, backoff_base=0.01
        )
        result = configure_labels(_one_label(inverse), client)
    listed = sandbox.labels("deals", "contacts")
    made = listed.loc[listed["label"] == "Sponsor", "type_id"].tolist()
    assert len(made) == 1
    row = result.iloc[0]
    assert (row["change"], row["status"]) == ("create", "success"), result
    assert pd.isna(row["error_code"])
    said = str(row["error_message"])
    assert "could not be read back" in said
    if inverse is not None:  # the answer tells the direction: its type id is the portal's
        assert row["type_id"] == made[0]
    else:  # it does not: none is given, and the message names the ids of both ways
        assert pd.isna(row["type_id"])
        assert str(made[0]) in said and said.endswith("Use the label by name.")


@pytest.mark.parametrize(
    ("answer", "word"),
    [
        ('{"results": []}', "without naming it"),
        (
            '{"results": [{"category": "USER_DEFINED", "typeId": %d, "label": "Sponsor"}]}',
            "naming only type ids the pair held before",
        ),
    ],
)
def test_a_create_whose_answer_names_no_new_label_and_cannot_be_read_back_is_unknown(
    sandbox: Sandbox, answer: str, word: str
) -> None:
    """An answer that names the label nowhere, or only under a type id the pair held before
    the create, tells nothing: with the read back failing, the row's outcome is unknown."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    if "%d" in answer:
        answer %= sandbox.type_id("deals", "contacts", "Decision maker")
    with FaultProxy(
        sandbox, then=f"replace:{answer}", cued=True, fail_reads_after_write=True
    ) as proxy:
        client = HubSpotClient(token=sandbox.token, base_url=proxy.url, backoff_base=0.01)
        result = configure_labels(_one_label("Sponsored by"), client)
    row = result.iloc[0]
    assert (row["status"], row["error_code"]) == ("failed", "UNKNOWN_OUTCOME"), result
    assert f"HubSpot answered the create {word}" in str(row["error_message"])
    assert pd.isna(row["type_id"])


_UNREADABLE = {
    "a type id of 5,000 digits": '{"results": [{"category": "USER_DEFINED", "typeId": "%s", '
    '"label": "Sponsor"}]}' % ("1" * 5000),
    "a type id of 19 digits": '{"results": [{"typeId": 1234567890123456789, "label": "Sponsor"}]}',
    "a float type id": '{"results": [{"typeId": 1e308, "label": "Sponsor"}]}',
    "a word for a type id": '{"results": [{"typeId": "abc", "label": "Sponsor"}]}',
    "an object for the list": '{"results": {"typeId": 5}}',
    "an integer of 5,000 digits": '{"results": [{"typeId": %s}]}' % ("1" * 5000),
}


@pytest.mark.parametrize("answer", list(_UNREADABLE))
def test_a_create_answered_with_a_body_hubframe_cannot_read_is_what_the_portal_shows(
    sandbox: Sandbox, answer: str
) -> None:
    """HubSpot (or something in its place) creates the label and answers 2xx with a body that
    is not an answer hubframe reads: the labels are read back and the row is created, with the
    portal's type id.  Before, a type id of more than 4,300 digits stopped the job with a bare
    ValueError (Python makes no int of it), and an entry that is not a label's made the row
    ``failed`` (SERVER_ERROR) while the label was in the portal."""
    from faultproxy import FaultProxy

    from hubframe.hubspot.client import HubSpotClient

    body = _UNREADABLE[answer]
    with FaultProxy(sandbox, then=f"replace:{body}", cued=True) as proxy:
        client = HubSpotClient(token=sandbox.token, base_url=proxy.url, backoff_base=0.01)
        result = configure_labels(_one_label("Sponsored by"), client)
    listed = sandbox.labels("deals", "contacts")
    made = listed.loc[listed["label"] == "Sponsor", "type_id"].tolist()
    row = result.iloc[0]
    assert (row["status"], row["type_id"]) == ("success", made[0]), result
    assert str(row["error_message"]).startswith("Created: HubSpot's answer could not be read")


def test_a_whole_number_cell_of_thousands_of_digits_is_an_input_error() -> None:
    from hubframe.run.rows import whole

    with pytest.raises(InputError, match="not a whole number hubframe takes"):
        whole("7" * 5000)
    assert whole(" 42 ") == 42
