"""read_associations and `hubframe export` over HTTP against the sandbox: the portal as a sheet,
read back by read_pairs to the same pairs, in every API version and behaviour profile."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hubframe.cli import main
from hubframe.errors import AuthError, ErrorCode, InputError
from hubframe.io import read_pairs
from hubframe.io.columns import HeaderError
from hubframe.io.ids import read_ids
from hubframe.jobs import read_associations
from hubframe.jobs.check import validate_pairs
from hubframe.jobs.export import UnknownRecords
from hubframe.report import write_pairs
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, xlsx_bytes

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

VERSIONS = ("2026-03", "2026-09", "v4")
DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
Entry = tuple[str, str, str | None, int]


def portal_rows(sb: Sandbox, from_type: str, to_type: str) -> set[Entry]:
    """The portal as an export lists it: each label of a pair; its unlabeled type only when it
    has no label."""
    listed = sb.labels(from_type, to_type)
    names = dict(zip(listed["type_id"], listed["label"], strict=True))
    links = sb.associations(from_type, to_type)
    out: set[Entry] = set()
    for (f, t), group in links.groupby(["from_id", "to_id"]):
        labeled = [int(x) for x in group["type_id"] if isinstance(names.get(x), str)]
        for type_id in labeled or [int(x) for x in group["type_id"]]:
            label = names.get(type_id)
            out.add((str(f), str(t), label if isinstance(label, str) else None, type_id))
    return out


def rows_of(frame: pd.DataFrame) -> set[Entry]:
    plain = frame[["from_id", "to_id", "label", "type_id"]].astype(object)
    plain = plain.where(plain.notna(), None)
    return {(str(f), str(t), lbl, int(x)) for f, t, lbl, x in plain.itertuples(index=False)}


def _busy_portal(sb: Sandbox) -> None:
    """More associations: deal 5 with 30 contacts, some labeled, so reads page."""
    champion = sb.type_id("deals", "contacts", "Champion")
    for n, contact in enumerate(CONTACTS[20:50]):
        sb.associate("deals", DEALS[5], "contacts", contact, champion if n % 3 == 0 else None)
    sb.set_read_page_size(7)


@pytest.mark.parametrize("version", VERSIONS)
def test_export_reads_back_to_the_same_pairs(
    sandbox: Sandbox, version: str, tmp_path: Path
) -> None:
    _busy_portal(sandbox)
    client = client_for(sandbox, version)
    frame = read_associations(client, "deals", "contacts", DEALS, progress=False)
    assert list(frame.columns) == [
        "from_type", "from_id", "to_type", "to_id", "label", "category", "type_id",
    ]  # fmt: skip
    assert rows_of(frame) == portal_rows(sandbox, "deals", "contacts")
    assert len(frame) == 4 + 30
    for name in ("links.xlsx", "links.csv"):
        back = read_pairs(write_pairs(frame, tmp_path / name))
        assert rows_of(back) == rows_of(frame), name
        assert set(back["from_type"]) == {"deals"} and set(back["to_type"]) == {"contacts"}
    unlabeled = frame.loc[frame["label"].isna()]
    assert set(unlabeled["type_id"]) == {sandbox.type_id("deals", "contacts")}
    assert set(unlabeled["category"]) == {"HUBSPOT_DEFINED"}


@pytest.mark.parametrize("version", VERSIONS)
def test_records_without_associations_are_kept_when_asked(
    sandbox: Sandbox, version: str, tmp_path: Path
) -> None:
    client = client_for(sandbox, version)
    ids = DEALS[:6]
    plain = read_associations(client, "deals", "contacts", ids, progress=False)
    kept = read_associations(client, "deals", "contacts", ids, keep_empty=True, progress=False)
    assert set(plain["from_id"]) == set(DEALS[:3])
    empty = kept.loc[kept["to_id"].isna()]
    assert empty["from_id"].tolist() == DEALS[3:6]
    assert empty[["label", "category", "type_id"]].isna().all().all()
    back = read_pairs(write_pairs(kept, tmp_path / "kept.xlsx"))
    assert back.loc[back["to_id"].isna(), "from_id"].tolist() == DEALS[3:6]
    # validate, which cannot know the sheet is for a sync, says what a sync reads such a row as;
    # a row with a label and no to id is only missing its value
    edited = back.copy()
    edited.loc[edited.index[-1], "label"] = "Champion"
    issues = validate_pairs(edited)
    assert set(issues["code"]) == {"MISSING_VALUE"} and set(issues["column"]) == {"to_id"}
    hinted = issues["message"].str.contains("this record has no associations", regex=False)
    assert issues.loc[hinted, "row"].tolist() == edited["row"].tolist()[-3:-1]
    assert not hinted.iloc[-1]
    assert "hubframe sync --dry-run" in issues["message"].iloc[0]


def test_ids_from_a_list_a_series_or_a_sheet(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    want = rows_of(read_associations(client, "deals", "contacts", DEALS[:2], progress=False))
    assert {r[0] for r in want} == set(DEALS[:2])
    series = pd.Series([int(DEALS[0]), int(DEALS[1]), None])
    assert rows_of(read_associations(client, "deal", "Contact", series, progress=False)) == want
    sheet = xlsx_bytes([["Deal name", "Deal ID"], ["a", int(DEALS[0])], ["b", DEALS[1]]])
    assert rows_of(read_associations(client, "deals", "contacts", sheet, progress=False)) == want
    export = pd.DataFrame({"Record ID": DEALS[:2], "Associated Contact IDs": ["", ""]})
    assert rows_of(read_associations(client, "deals", "contacts", export, progress=False)) == want
    every = read_associations(client, "deals", "contacts", progress=False)  # every deal
    assert every.attrs["hubframe"]["records"] == len(DEALS)


def test_ids_that_are_not_record_ids_are_refused(sandbox: Sandbox) -> None:
    client = client_for(sandbox)
    with pytest.raises(InputError, match="not record ids"):
        read_associations(client, "deals", "contacts", ["2040000001", "1.2E+9"])
    with pytest.raises(InputError, match="row 3"):
        read_ids(pd.DataFrame({"Deal ID": ["2040000001", "deal two"]}), object_type="deals")
    with pytest.raises(InputError, match="object type"):
        read_associations(client, "dealz", "contacts", DEALS[:1])


@pytest.mark.parametrize(
    ("header", "object_type", "read"),
    [
        ("Deal ID", "contacts", False),
        ("Company ID", "deals", False),
        ("Record ID - Contact", "deals", False),
        ("Deal ID", "deals", True),
        ("Record ID", "contacts", True),
        ("Deal ID", None, True),
        ("IDs", "contacts", True),
    ],
)
def test_a_lone_column_of_another_objects_ids_is_not_read_as_these(
    tmp_path: Path, header: str, object_type: str | None, read: bool
) -> None:
    """``hubframe export --from contacts --ids deals.csv``: a file whose only column is "Deal
    ID" was read as contact ids, and the export listed those ids as contacts with no
    associations.  It is refused naming the column; ``column=`` reads it on purpose."""
    path = tmp_path / "ids.csv"
    path.write_text(f"{header}\n2040000001\n2040000002\n")
    if read:
        assert read_ids(path, object_type=object_type) == ["2040000001", "2040000002"]
        return
    with pytest.raises(HeaderError, match=f"the only column, '{header}', holds") as info:
        read_ids(path, object_type=object_type)
    assert "column=" in str(info.value)
    assert read_ids(path, object_type=object_type, column=header) == ["2040000001", "2040000002"]


def test_an_export_names_the_column_its_ids_were_read_from(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """ "ID,Deal ID": the reader reads Deal ID (the bare ID may be row numbers), ``column=``
    the column named; nothing in the export said which, so a report could not tell an
    analyst the row numbers were read.  ``attrs["hubframe"]["id_columns"]`` names it."""
    path = tmp_path / "ids.csv"
    path.write_text(f"ID,Deal ID\n1,{DEALS[0]}\n2,{DEALS[1]}\n")
    client = client_for(sandbox)
    read = read_associations(client, "deals", "contacts", path, progress=False)
    assert read.attrs["hubframe"]["id_columns"] == {"ids.csv": "Deal ID"}
    assert set(read["from_id"]) <= {DEALS[0], DEALS[1]} and read.attrs["hubframe"]["records"] == 2
    with pytest.warns(UnknownRecords, match="name no deal in HubSpot .*: 1, 2"):  # row numbers
        named = read_associations(client, "deals", "contacts", path, column="ID", progress=False)
    assert named.attrs["hubframe"]["id_columns"] == {"ids.csv": "ID"}
    listed = read_associations(client, "deals", "contacts", DEALS[:2], progress=False)
    assert listed.attrs["hubframe"]["id_columns"] == {}


def test_reads_run_concurrently_under_one_rate_limit(sandbox_factory: object) -> None:
    sb = sandbox_factory(latency=(0.05, 0.0), rate_limit=(20, 1.0))  # type: ignore[operator]
    ids = [str(3_000_000_000 + n) for n in range(4_500)]  # 5 batch reads of unknown records
    with pytest.warns(UnknownRecords, match="4,500 of the ids given name no deal"):
        frame = read_associations(client_for(sb), "deals", "contacts", ids, progress=False)
    assert frame.empty and frame.attrs["hubframe"]["read_calls"] == 5
    log = sb.request_log()
    associations = log["path"].str.contains("/associations/")
    reads = log.loc[associations & log["path"].str.endswith("/batch/read")]
    assert len(reads) == 5 and set(reads["inputs"]) == {1_000, 500}
    assert (reads["status"] == 429).sum() == 0  # (the 45 look-ups of the unknown ids after
    # them may meet the sandbox's window of 20 a second, and are retried)
    starts, ends = reads["started"].to_numpy(), reads["finished"].to_numpy()
    overlapping = max(int(((starts <= s) & (ends > s)).sum()) for s in starts)
    assert overlapping > 1  # several calls in flight at once


def test_a_refused_token_raises_and_returns_nothing(sandbox: Sandbox) -> None:
    client = client_for(sandbox, token="pat-na1-wrong")
    with pytest.raises(AuthError) as caught:
        read_associations(client, "deals", "contacts", DEALS[:3], progress=False)
    assert caught.value.code is ErrorCode.UNAUTHORIZED


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_command_writes_a_sheet_read_pairs_reads(
    sandbox: Sandbox, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = tmp_path / "deals.csv"
    ids.write_text("Record ID,Deal Name\n" + "".join(f"{d},x\n" for d in DEALS[:4]))
    out = tmp_path / f"links{suffix}"
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    argv = ["export", "--from", "deals", "--to", "contacts", "--ids", str(ids), "-o", str(out)]
    assert main([*argv, "--keep-empty", *hub]) == 0
    said = capsys.readouterr()
    assert "4 associations of 3 of the 4 deals read (ids from the column 'Record ID';" in said.out
    assert sandbox.token not in said.out + said.err
    back = read_pairs(out)
    assert rows_of(back.loc[back["to_id"].notna()]) == portal_rows(sandbox, "deals", "contacts")
    assert back.loc[back["to_id"].isna(), "from_id"].tolist() == [DEALS[3]]
    assert main([*argv[:-1], str(tmp_path / "links.txt"), *hub]) == 2
    assert "must end in .xlsx or .csv" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--from", "foo", "--to", "contacts"], "--from foo is not an object type"),
        (["--from", "deals", "--to", "no such"], "--to 'no such' is not an object type"),
    ],
)
def test_export_command_names_a_type_option_as_typed(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    given: list[str],
    said: str,
) -> None:
    """Before: ``from_type='foo' is not an object type``, the Python API's words."""
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    assert main(["export", *given, "-o", str(tmp_path / "links.csv"), *hub]) == 2
    assert capsys.readouterr().err.startswith(f"hubframe: error: {said} HubSpot knows: use")
    with pytest.raises(InputError, match=r"^from_type='foo' is not an object type"):
        read_associations(client_for(sandbox), "foo", "contacts", progress=False)


def test_export_command_names_the_ids_file_and_its_sheet_option(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: ``: no sheet 'Nope'. ... (sheet= takes a name ...)`` -- no file name, the Python
    API's words -- and a CSV of ids took any --sheet (exit 0), where every reader refuses it."""
    book, csv = tmp_path / "deals.xlsx", tmp_path / "deals.csv"
    book.write_bytes(xlsx_bytes([["Deal ID"], [DEALS[0]]], title="Deals"))
    csv.write_text(f"Deal ID\n{DEALS[0]}\n")
    hub = ["--token", sandbox.token, "--base-url", sandbox.url]
    out = ["-o", str(tmp_path / "links.csv")]
    export = ["export", "--from", "deals", "--to", "contacts", "--sheet", "Nope", *out, *hub]
    assert main([*export, "--ids", str(book)]) == 2
    assert capsys.readouterr().err.startswith(
        "hubframe: error: deals.xlsx: no sheet 'Nope'. Sheets in the workbook: 0 'Deals' "
        "(--sheet takes a name"
    )
    assert main([*export, "--ids", str(csv)]) == 2
    said = capsys.readouterr().err
    assert "deals.csv: the sheet 'Nope' was asked for (--sheet), but this is a CSV" in said
    assert not (tmp_path / "links.csv").exists()
    with pytest.raises(InputError, match=r"^deals\.xlsx: no sheet 'Nope'\. .*\(sheet= takes"):
        read_ids(book, sheet="Nope")


def test_progress_counts_each_record_once_however_many_pages_it_has(sandbox: Sandbox) -> None:
    from hubframe.run.reads import iter_links

    deal = demo_ids("deals")[3]
    for contact in demo_ids("contacts")[50:90]:
        sandbox.associate("deals", deal, "contacts", contact)
    sandbox.set_read_page_size(3)
    counted: list[int] = []
    deals = [str(d) for d in demo_ids("deals")[:10]]
    pages = list(
        iter_links(client_for(sandbox), "deals", "contacts", deals, on_call=counted.append)
    )
    assert sum(counted) == 10  # it said 23: the 13 next pages of one deal counted as records
    assert len({from_id for from_id, _ in pages}) <= 10


@pytest.mark.parametrize(
    ("headers", "object_type", "read"),
    [
        (["ID", "Deal ID"], "contacts", None),  # row numbers beside another object's ids: asked
        (["ID", "Deal ID", "Contact ID"], "companies", None),
        (["ID", "Deal ID"], "deals", "Deal ID"),  # the records' own id column
        (["ID", "Deal ID"], None, "Deal ID"),
        (["ID", "Name"], "contacts", "ID"),  # nothing else names ids
        (["ID"], "contacts", "ID"),
    ],
)
def test_a_generic_id_column_beside_another_objects_ids_is_asked_about(
    headers: list[str], object_type: str | None, read: str | None
) -> None:
    """An export of contacts from a sheet ``ID,Deal ID`` (a frame saved with its index) read
    the row numbers 1, 2 as contact ids; read_pairs asks about such a column, and so does the
    id reader now."""
    ids = ["2040000001", "2040000002"]
    frame = pd.DataFrame({h: ["1", "2"] if h == "ID" else ids for h in headers})
    if read is None:
        with pytest.raises(HeaderError, match="row numbers"):
            read_ids(frame, object_type=object_type)
        assert read_ids(frame, object_type=object_type, column="ID") == ["1", "2"]  # named: read
    else:
        assert read_ids(frame, object_type=object_type) == frame[read].drop_duplicates().tolist()
