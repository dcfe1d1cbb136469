"""HubSpot's own CRM exports, read as they come (hubframe.io.exports)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.constants import NO_TARGETS_COLUMN, OBJECT_TYPES
from hubframe.errors import InputError
from hubframe.io import read_notes, read_pairs
from hubframe.io.columns import HeaderError
from hubframe.io.exports import default_view_type, is_hubspot_export, types_named_in
from hubframe.validate import validate_pairs

EXPORT = "hubspot-crm-exports-all-deals-2026-11-29"
HEADER = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Close Date",
    "Deal owner",
    "Amount",
    "Associated Contact",
    "Associated Contact IDs",
    "Associated Company",
    "Associated Company IDs",
]
ROWS = [
    [
        "2040000001",
        "Big deal",
        "closedwon",
        "2026-11-02",
        "Ann",
        "1500",
        "Jane Doe (jane@x.com);Bob Roe",
        "1019360001;1019360002",
        "Acme",
        "3000001",
    ],
    ["2040000002", "Quiet deal", "qualifiedtobuy", "", "Ann", "20", "", "", "", ""],
    [
        "2040000003",
        "Mid deal",
        "appointmentscheduled",
        "",
        "Bo",
        "5",
        "Al Smith",
        "1019360003",
        "",
        "",
    ],
]


def _export_csv(tmp_path: Path, name: str = EXPORT + ".csv", header: list[str] = HEADER) -> Path:
    path = tmp_path / name
    frame = pd.DataFrame(ROWS, columns=HEADER)[header]
    frame.to_csv(path, index=False)
    return path


def _export_xlsx(tmp_path: Path, name: str = EXPORT + ".xlsx") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Export"
    ws.append(HEADER)
    for row in ROWS:  # ids as Excel numbers, as HubSpot writes them
        ws.append([int(row[0]), *row[1:7], row[7] or None, row[8], row[9] or None])
    path = tmp_path / name
    book.save(path)
    return path


@pytest.mark.parametrize("make", [_export_csv, _export_xlsx])
def test_an_export_reads_with_the_association_chosen(tmp_path: Path, make: object) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    pairs = read_pairs(path, to_type="contacts")
    assert pairs["from_type"].unique().tolist() == ["deals"]  # from the file name
    assert pairs["to_type"].unique().tolist() == ["contacts"]
    assert pairs["row"].tolist() == [2, 2, 3, 4]
    assert pairs["to_id"].tolist()[:2] == ["1019360001", "1019360002"]
    guessed = pairs.attrs["hubframe"]["guessed_types"]["from"]
    assert guessed == {"type": "deals", "reason": "file name", "evidence": path.name}
    companies = read_pairs(path, to_type="companies")
    assert companies["to_id"].tolist()[0] == "3000001"


def test_empty_association_cells_are_kept_and_marked(tmp_path: Path) -> None:
    pairs = read_pairs(_export_csv(tmp_path), to_type="contacts")
    assert pairs[NO_TARGETS_COLUMN].tolist() == [False, False, True, False]
    assert pairs[NO_TARGETS_COLUMN].dtype == bool
    quiet = pairs.iloc[2]
    assert quiet["from_id"] == "2040000002" and pd.isna(quiet["to_id"])
    assert read_notes(pairs).no_targets == 1


def test_validate_warns_no_targets_instead_of_missing_value(tmp_path: Path) -> None:
    pairs = read_pairs(_export_csv(tmp_path), to_type="companies")
    issues = validate_pairs(pairs)
    assert issues["code"].tolist() == ["NO_TARGETS", "NO_TARGETS"]
    assert issues["severity"].unique().tolist() == ["warning"]
    assert issues["row"].tolist() == [3, 4] and issues["column"].unique().tolist() == ["to_id"]


def test_an_empty_to_id_of_an_ordinary_sheet_stays_missing_value() -> None:
    pairs = read_pairs(b"Deal ID,Contact ID\n1,\n2,3\n")
    assert NO_TARGETS_COLUMN not in pairs.columns
    assert validate_pairs(pairs)["code"].tolist() == ["MISSING_VALUE"]


def test_no_targets_rows_are_not_duplicates_of_each_other() -> None:
    data = b"Record ID,Associated Contact IDs\n7,\n7,\n8,9\n"
    pairs = read_pairs(data, from_type="deals")
    assert validate_pairs(pairs)["code"].tolist() == ["NO_TARGETS", "NO_TARGETS"]


def test_no_targets_survive_reading_every_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Plain"
    book.active.append(["Deal ID", "Contact ID"])
    book.active.append([1, 2])
    export = book.create_sheet("Export")
    export.append(["Record ID", "Associated Contact IDs"])
    export.append([5, None])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    pairs = read_pairs(path, sheet="*")
    assert pairs[NO_TARGETS_COLUMN].tolist() == [False, True]
    assert pairs[NO_TARGETS_COLUMN].dtype == bool
    assert pairs["from_type"].tolist() == ["deals", "deals"]


def test_several_association_columns_ask_for_a_choice(tmp_path: Path) -> None:
    path = _export_csv(tmp_path)
    with pytest.raises(HeaderError) as python:
        read_pairs(path)
    with pytest.raises(HeaderError) as cli:
        read_pairs(path, syntax="cli")
    # the candidates and how to choose, in the caller's syntax, are the point (why text is read)
    for said in (python.value.detail, cli.value.detail):
        assert "Associated Contact IDs (contacts), Associated Company IDs (companies)" in said
    assert 'to_type="contacts"' in python.value.detail and "--to" not in python.value.detail
    assert "--to contacts" in cli.value.detail and "to_type" not in cli.value.detail
    assert "columns=" not in cli.value.detail  # the command line has no columns option


@pytest.mark.parametrize(
    ("name", "header", "inferred"),
    [
        (
            "hubspot-crm-exports-all-contacts-2026-11-29.csv",
            ["Record ID", "First Name", "Associated Company IDs"],
            "contacts",
        ),
        (
            "hubspot-crm-exports-my-open-tickets-2026-01-05.csv",
            ["Record ID", "Associated Contact IDs"],
            "tickets",
        ),
        (
            "hubspot-crm-exports-all-line-items-2026-01-05.csv",
            ["Record ID", "Associated Deal IDs"],
            "line_items",
        ),
        ("companies.csv", ["Record ID", "Associated Contact IDs"], "companies"),  # own row id
        # headers: two of one object's
        ("export.csv", ["Record ID", "Deal Name", "Deal Stage", "Associated Contact IDs"], "deals"),
        (
            "export.csv",
            ["Record ID", "Ticket name", "Ticket owner", "Associated Contact IDs"],
            "tickets",
        ),
    ],
)
def test_from_type_is_inferred_when_unambiguous(
    tmp_path: Path, name: str, header: list[str], inferred: str
) -> None:
    path = tmp_path / name
    path.write_text(",".join(header) + "\n" + ",".join(["1"] + ["2"] * (len(header) - 1)) + "\n")
    pairs = read_pairs(path)
    assert pairs["from_type"].tolist() == [inferred]


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("deals_contacts.csv", ["Record ID", "Associated Contact IDs"]),  # two types named
        ("deals.csv", ["From ID", "To ID", "To Type"]),  # not an export: no guess from the name
        ("export.csv", ["Record ID", "Deal Name", "Ticket name", "Associated Contact IDs"]),
        ("tickets.csv", ["Record ID", "Deal Name", "Associated Contact IDs"]),  # they disagree
        ("export.csv", ["From ID", "Deal Name", "To ID", "To Type"]),  # headers need a Record ID
        # one header alone may be a property the portal added to another object
        ("export.csv", ["Record ID", "Deal Name", "Associated Contact IDs"]),
        ("export.csv", ["Record ID", "Email", "Associated Deal IDs"]),  # a company's own Email
        # a contact's property too (the company a contact works for): says no object
        ("export.csv", ["Record ID", "Company name", "Associated Deal IDs"]),
        (
            "hubspot-crm-exports-key-accounts-2026-11-29.csv",
            ["Record ID", "Company name", "Associated Deal IDs"],
        ),
        # a name mentioning an object in other words than its own: a view's, or the analyst's
        (
            "hubspot-crm-exports-deal-champions-2026-11-29.csv",
            ["Record ID", "Associated Company IDs"],
        ),
        (
            "hubspot-crm-exports-open-tickets-2026-11-29.csv",
            ["Record ID", "Associated Contact IDs"],
        ),
        ("hubspot-crm-exports-q3-deals-to-chase-2026.csv", ["Record ID", "Associated Contact IDs"]),
        ("deal-champions.csv", ["Record ID", "Associated Company IDs"]),
        ("contacts at won deals.csv", ["Record ID", "Associated Company IDs"]),
    ],
)
def test_nothing_is_inferred_when_ambiguous(tmp_path: Path, name: str, header: list[str]) -> None:
    path = tmp_path / name
    cells = ["contacts" if h == "To Type" else "2" for h in header[1:]]
    path.write_text(",".join(header) + "\n" + ",".join(["1", *cells]) + "\n")
    with pytest.raises(InputError, match="no column for the 'from' object type"):
        read_pairs(path)


def test_the_missing_type_message_uses_the_callers_syntax() -> None:
    data = b"From ID,To ID,To Type\n1,2,contacts\n"
    with pytest.raises(HeaderError) as python:
        read_pairs(data)
    with pytest.raises(HeaderError) as cli:
        read_pairs(data, syntax="cli")
    # what to type is the point of these messages (why the text is read)
    assert (
        'Pass from_type="contacts"' in python.value.detail and "--from" not in python.value.detail
    )
    assert "Pass --from contacts" in cli.value.detail and "from_type=" not in cli.value.detail


def test_an_inferred_type_never_overrides_a_given_one(tmp_path: Path) -> None:
    pairs = read_pairs(_export_csv(tmp_path), from_type="companies", to_type="contacts")
    assert pairs["from_type"].unique().tolist() == ["companies"]
    assert "guessed_types" not in pairs.attrs["hubframe"]


def test_export_names() -> None:
    assert is_hubspot_export("hubspot-crm-exports-all-deals-2026-11-29.csv")
    assert is_hubspot_export("/tmp/x/HubSpot_CRM_Export_deals.xlsx")
    assert not is_hubspot_export("deals.csv")
    assert types_named_in("hubspot-crm-exports-all-deals-2026-11-29.csv") == ["deals"]
    assert types_named_in("Line Items and contact list.xlsx") == ["line_items", "contacts"]
    assert types_named_in("all-records-2026.csv") == []
    assert default_view_type("hubspot-crm-exports-all-deals-2026-11-29.csv") == "deals"
    assert default_view_type("hubspot-crm-exports-my-open-deals-2026-11-29 (1).csv") == "deals"
    assert default_view_type("HubSpot CRM Exports - All Line Items - 2026.xlsx") == "line_items"
    assert default_view_type("/tmp/x/HubSpot_CRM_Export_deals.xlsx") == "deals"
    assert default_view_type("deals.csv") == "deals"
    assert default_view_type("hubspot-crm-exports-deal-champions-2026-11-29.csv") is None
    assert default_view_type("hubspot-crm-exports-all-deals-cleaned-2026.csv") is None
    assert default_view_type("<bytes>") is None


_TYPE_WORDS = {t.name: [t.name, t.singular] for t in OBJECT_TYPES if "_" not in t.name}
_FILLER = st.sampled_from(
    ["hubspot", "crm", "exports", "all", "my", "open", "q4", "2026", "11", "view"]
)


@given(
    before=st.lists(_FILLER, max_size=4),
    after=st.lists(_FILLER, max_size=4),
    kind=st.sampled_from(sorted(_TYPE_WORDS)),
    form=st.integers(0, 1),
    separator=st.sampled_from(["-", "_", " "]),
    suffix=st.sampled_from([".csv", ".xlsx", ".CSV"]),
)
def test_one_type_in_any_file_name_is_found(
    before: list[str], after: list[str], kind: str, form: int, separator: str, suffix: str
) -> None:
    word = _TYPE_WORDS[kind][form]
    name = separator.join([*before, word.upper() if form else word, *after]) + suffix
    assert types_named_in(name) == [kind]


@given(
    kinds=st.lists(st.sampled_from(sorted(_TYPE_WORDS)), min_size=2, max_size=3, unique=True),
    filler=st.lists(_FILLER, max_size=3),
)
def test_two_types_in_a_file_name_infer_nothing(kinds: list[str], filler: list[str]) -> None:
    name = "-".join(["hubspot-crm-exports", *filler, *kinds]) + ".csv"
    data = io.BytesIO(b"Record ID,Associated Contact IDs\n1,2\n")
    data.name = name  # type: ignore[attr-defined]
    assert len(types_named_in(name)) == len(kinds)
    with pytest.raises(InputError):
        read_pairs(data)


#: Each standard object's export headers (its default properties), as HubSpot heads them.
EXPORT_HEADERS = {
    "contacts": ["Record ID", "First Name", "Last Name", "Email", "Associated Company IDs"],
    "companies": [
        *("Record ID", "Company name", "Company owner", "Company Domain Name"),
        "Associated Contact IDs",
    ],
    "deals": ["Record ID", "Deal Name", "Deal Stage", "Associated Contact IDs"],
    "tickets": ["Record ID", "Ticket name", "Ticket status", "Associated Contact IDs"],
}


@pytest.mark.parametrize("exported", sorted(EXPORT_HEADERS))
@pytest.mark.parametrize(
    "view", ["all-{own}", "deal-champions", "my-contacts-to-call", "open-tickets", "companies-q3"]
)
def test_a_view_named_after_another_object_never_gives_the_wrong_type(
    tmp_path: Path, exported: str, view: str
) -> None:
    """HubSpot names an export after its view, which the analyst named: a contacts export of a
    view named "Deal champions" was read as deals (its contact ids looked up as deals).  The
    export's own headers are a contact's: the type is theirs, or the reader asks."""
    header = EXPORT_HEADERS[exported]
    name = f"hubspot-crm-exports-{view.format(own=exported)}-2026-11-29.csv"
    path = tmp_path / name
    path.write_text(",".join(header) + "\n" + ",".join(["1"] + ["2"] * (len(header) - 1)) + "\n")
    try:
        pairs = read_pairs(path)
    except InputError as error:
        assert "no column for the 'from' object type" in str(error)
        assert types_named_in(name) != [exported]  # asked only when the name says another
        return
    assert pairs["from_type"].tolist() == [exported]


def test_a_ticket_exports_own_category_is_not_the_association_category(tmp_path: Path) -> None:
    """Tickets have a ``Category`` property ("Billing issue"): in a HubSpot export beside
    ``Associated Contact IDs`` it is the tickets' own column.  It was read as the association
    category, and every row refused (BAD_CATEGORY).  ``columns=`` still reads it on purpose."""
    path = tmp_path / "hubspot-crm-exports-all-tickets-2026-11-29.csv"
    path.write_text(
        "Record ID,Ticket name,Category,Associated Contact IDs\n"
        "101,Broken,Billing issue,1019360001;1019360002\n"
    )
    pairs = read_pairs(path)
    assert pairs["category"].isna().all() and pairs["Category"].tolist() == ["Billing issue"] * 2
    assert validate_pairs(pairs).empty
    chosen = read_pairs(path, columns={"Category": "category"})
    assert chosen["category"].tolist() == ["Billing issue"] * 2  # refused by validation, loudly
    plain = read_pairs(b"Deal ID,Contact ID,Category\n1,2,USER_DEFINED\n")  # not an export
    assert plain["category"].tolist() == ["USER_DEFINED"]


def _one_row(tmp_path: Path, name: str, header: list[str]) -> Path:
    """A file of one row under ``header`` (ids in every cell), as CSV or xlsx by its name."""
    path = tmp_path / name
    cells = ["1019360001"] + ["3000001"] * (len(header) - 1)
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        book.active.append(header)
        book.active.append([int(c) for c in cells])
        book.save(path)
    else:
        path.write_text(",".join(header) + "\n" + ",".join(cells) + "\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_contacts_export_of_a_view_named_after_deals_is_not_read_as_deals(
    tmp_path: Path, suffix: str
) -> None:
    """Reported: a contacts export of a view the analyst named "Deal champions", holding no
    property column, was read as deals from its file name, and its contact ids were sent as
    deal ids (deal -> company associations).  The name is the view's, not the object's: the
    read asks for the type, naming the file and how to give it."""
    name = "hubspot-crm-exports-deal-champions-2026-11-29" + suffix
    path = _one_row(tmp_path, name, ["Record ID", "Associated Company IDs"])
    with pytest.raises(HeaderError) as python:
        read_pairs(path)
    with pytest.raises(HeaderError) as cli:
        read_pairs(path, syntax="cli")
    assert name in str(python.value) and name in str(cli.value)
    assert "no column for the 'from' object type" in python.value.detail
    assert "from_type=" in python.value.detail and "--from " in cli.value.detail
    # why the name gave no type, so that deals is not given back unchecked
    assert "The file name mentions deals, but not as a name of its own" in cli.value.detail
    pairs = read_pairs(path, from_type="contacts")
    assert pairs["from_type"].tolist() == ["contacts"] and pairs["from_id"].tolist() == [
        "1019360001"
    ]
    assert pairs["to_type"].tolist() == ["companies"]


@pytest.mark.parametrize(
    ("view", "suffix", "inferred"),
    [
        ("all-deals", ".csv", "deals"),
        ("my-deals", ".csv", "deals"),
        ("my-open-deals", ".xlsx", "deals"),
        ("all-open-deals", ".csv", "deals"),
        ("all-contacts", ".xlsx", "contacts"),
        ("my-contacts", ".csv", "contacts"),
        ("unassigned-contacts", ".csv", "contacts"),
        ("all-companies", ".csv", "companies"),
        ("my-companies", ".xlsx", "companies"),
        ("all-tickets", ".csv", "tickets"),
        ("my-open-tickets", ".csv", "tickets"),
        ("unassigned-tickets", ".csv", "tickets"),
        ("all-line-items", ".csv", "line_items"),
    ],
)
def test_a_default_views_export_gives_its_type(
    tmp_path: Path, view: str, suffix: str, inferred: str
) -> None:
    name = f"hubspot-crm-exports-{view}-2026-11-29{suffix}"
    pairs = read_pairs(_one_row(tmp_path, name, ["Record ID", "Associated Ticket IDs"]))
    assert pairs["from_type"].tolist() == [inferred]
    guessed = pairs.attrs["hubframe"]["guessed_types"]["from"]
    assert guessed == {"type": inferred, "reason": "file name", "evidence": name}


#: Words of view names: objects' names (either form), the words of default views, others.
_OBJECT_WORDS = {
    "deals": "deals",
    "deal": "deals",
    "contacts": "contacts",
    "contact": "contacts",
    "companies": "companies",
    "tickets": "tickets",
}
_VIEW_WORDS = [*_OBJECT_WORDS, "all", "my", "open", "unassigned", "champions", "q3", "to"]
_VIEW_WORDS += ["chase", "at", "won", "big", "of"]
#: HubSpot's default views of an object, written before its name (and the name alone).
_DEFAULT_VIEWS = {"", "all", "my", "all open", "my open", "unassigned"}


_DEFAULT_VIEW = st.builds(
    lambda before, word: [*before.split(), word],
    st.sampled_from(sorted(_DEFAULT_VIEWS)),
    st.sampled_from(sorted(_OBJECT_WORDS)),
)


@settings(max_examples=examples(40), deadline=None)
@given(
    view=st.one_of(_DEFAULT_VIEW, st.lists(st.sampled_from(_VIEW_WORDS), min_size=1, max_size=4)),
    exported=st.sampled_from([None, *sorted(EXPORT_HEADERS)]),
    export_name=st.booleans(),
    separator=st.sampled_from(["-", "_", " "]),
)
def test_a_name_gives_a_type_only_as_a_default_view_and_never_against_the_headers(
    view: list[str], exported: str | None, export_name: bool, separator: str
) -> None:
    """A view's (or file's) name gives its records' type only when it is the object's name
    alone or HubSpot's name of one of the object's default views; never a type the headers
    (``exported``'s properties; None: no property column) contradict."""
    words = separator.join(view)
    name = f"hubspot-crm-exports-{words}-2026-11-29.csv" if export_name else f"{words}.csv"
    default = " ".join(view[:-1]) in _DEFAULT_VIEWS and view[-1] in _OBJECT_WORDS
    named = _OBJECT_WORDS[view[-1]] if default else None
    header = EXPORT_HEADERS[exported] if exported else ["Record ID", "Associated Ticket IDs"]
    data = io.BytesIO((",".join(header) + "\n" + ",".join(["7"] * len(header)) + "\n").encode())
    data.name = name  # type: ignore[attr-defined]
    try:
        pairs = read_pairs(data)
    except HeaderError as error:
        assert "no column for the 'from' object type" in error.detail
        assert named is None or (exported is not None and exported != named)
        return
    read = pairs["from_type"].tolist()[0]
    reason = pairs.attrs["hubframe"]["guessed_types"]["from"]["reason"]
    assert read == (exported or named)
    assert named is None or exported is None or named == exported  # they disagree: no type
    assert reason == "file name" or exported is not None
    if reason == "file name":
        assert read == named  # a name gives a type only as an object's own


@pytest.mark.parametrize(
    ("name", "header", "why"),
    [
        (
            "hubspot-crm-exports-all-deals-2026-11-29.csv",
            ["Record ID", "First Name", "Associated Company IDs"],
            "The file name mentions deals and the headers (First Name) say contacts",
        ),
        (
            "export.csv",
            ["Record ID", "Deal Name", "Ticket name", "Associated Contact IDs"],
            "The headers name several objects (Deal Name: deals, Ticket name: tickets)",
        ),
        (
            "deals_contacts.csv",
            ["Record ID", "Associated Company IDs"],
            "The file name mentions deals and contacts",
        ),
        ("export.csv", ["Record ID", "Associated Company IDs"], None),  # nothing mentioned
        ("deals.csv", ["From ID", "To ID", "To Type"], None),  # not an export: name not read
    ],
)
def test_the_question_for_the_type_says_why_none_was_taken(
    tmp_path: Path, name: str, header: list[str], why: str | None
) -> None:
    path = tmp_path / name
    cells = ["contacts" if h == "To Type" else "2" for h in header[1:]]
    path.write_text(",".join(header) + "\n" + ",".join(["1", *cells]) + "\n")
    with pytest.raises(HeaderError) as info:
        read_pairs(path)
    detail = info.value.detail
    assert detail.startswith("no column for the 'from' object type")
    if why is None:
        assert "The file name" not in detail and "The headers" not in detail
    else:
        assert why in detail


#: The marks a retry file's name gets after its sheet's (hubframe's ``<stem>_retry``, the
#: app's retry of a retry, a browser's copy, the command line's ``--retry-file`` by hand).
RETRY_MARKS = ["_retry", "_retry_retry", "_retry (1)", " retry", "-Retry"]
OWN_NAMES = {
    "hubspot-crm-exports-all-deals-2026-11-29": "deals",
    "hubspot-crm-exports-my-open-tickets-2026-11-29": "tickets",
    "HubSpot CRM Exports - All Line Items - 2026": "line_items",
    "contacts": "contacts",
}
NOT_OWN = ["hubspot-crm-exports-deal-champions-2026-11-29", "q3-deals-to-chase", "retry"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("mark", RETRY_MARKS)
@pytest.mark.parametrize("stem", [*OWN_NAMES, *NOT_OWN])
def test_a_retry_files_name_says_what_its_sheets_name_said(
    stem: str, mark: str, suffix: str
) -> None:
    """The app names the retry file of hubspot-crm-exports-all-deals-2026-11-29.csv
    ..._retry.csv: "retry" was then the name's last word, so the name was no longer the
    object's own, and the retry file of an export whose type came from its name was refused
    at upload.  A trailing retry mark is left out of the name's words, as a date is; a name
    that said no type says none with it either."""
    assert default_view_type(stem + mark + suffix) == OWN_NAMES.get(stem)
    assert default_view_type(stem + suffix) == OWN_NAMES.get(stem)


def test_a_retry_word_inside_a_name_is_a_view_of_the_analysts() -> None:
    assert default_view_type("retry-deals.csv") is None
    assert default_view_type("deals-retry-list.csv") is None


def test_the_retry_file_of_an_export_typed_by_its_name_reads_back(tmp_path: Path) -> None:
    """read_pairs -> export_retry -> read_pairs of a CRM export whose from type only its name
    gave: the retry file is read with that type again, as the original was."""
    from hubframe.report import export_retry

    export = tmp_path / f"{EXPORT}.csv"
    export.write_text(
        "Record ID,Deal Name,Associated Contact IDs\n2040000070,Big,1019360170;1019369999\n"
    )
    pairs = read_pairs(export)
    assert set(pairs["from_type"]) == {"deals"}
    result = pairs.assign(status="failed", error_code="OBJECT_NOT_FOUND", error_message="x")
    retry = export_retry(result, tmp_path / f"{EXPORT}_retry.csv")
    again = read_pairs(retry)
    assert set(again["from_type"]) == {"deals"} and set(again["to_type"]) == {"contacts"}
    assert read_notes(again).guessed_types["from"].object_type == "deals"
