"""Label names -> (category, type id), fetched once per object pair from the sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from hubframe.errors import AuthError, ErrorCode, HubframeError
from hubframe.hubspot.client import HubSpotClient
from hubframe.run.labels import PREFETCH_WORKERS, LabelBook, UnknownLabel, closest_first
from hubframe.sandbox import Sandbox


def book_for(sb: Sandbox) -> LabelBook:
    return LabelBook(HubSpotClient(token=sb.token, base_url=sb.url))


def label_gets(sb: Sandbox) -> int:
    log = sb.request_log()
    return int(log["path"].str.endswith("/labels").sum())


def test_resolves_case_and_space_insensitively_once_per_pair(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    decision = book.resolve("deals", "contacts", "Decision maker")
    assert decision.category == "USER_DEFINED"
    assert book.resolve("deals", "contacts", "  decision   MAKER ").type_id == decision.type_id
    assert book.resolve("deals", "contacts", "champion").label == "Champion"
    assert book.category_of("deals", "contacts", decision.type_id) == "USER_DEFINED"
    assert book.category_of("deals", "contacts", 999_999) is None
    assert label_gets(sandbox) == 1
    primary = book.resolve("contacts", "companies", "primary")
    assert (primary.category, primary.type_id) == ("HUBSPOT_DEFINED", 1)
    assert label_gets(sandbox) == 2


def test_unlabeled_default(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    unlabeled = book.unlabeled("deals", "contacts")
    assert unlabeled is not None
    assert (unlabeled.category, unlabeled.type_id, unlabeled.label) == ("HUBSPOT_DEFINED", 3, None)
    assert book.resolve("deals", "contacts", "Unlabeled") == unlabeled
    assert book.resolve("deals", "contacts", "default") == unlabeled
    assert book.resolve("contacts", "companies", "(no label)").type_id == 279


def test_unknown_label_lists_existing_labels_closest_first(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    with pytest.raises(UnknownLabel) as info:
        book.resolve("deals", "contacts", "Decison makr")
    assert info.value.code is ErrorCode.UNKNOWN_LABEL
    message = str(info.value)
    assert '"Decison makr"' in message
    listed = message.split("labels that exist: ")[1]
    assert listed.index('"Decision maker"') < listed.index('"Champion"')
    assert '"Budget holder"' in listed


def test_closest_first_orders_by_similarity() -> None:
    names = ["Champion", "Budget holder", "Decision maker"]
    assert closest_first("budget", names)[0] == "Budget holder"
    assert closest_first("champ", names)[0] == "Champion"
    assert sorted(closest_first("x", names)) == sorted(names)


def test_a_prefetch_reads_each_pair_once_and_hands_over_its_answers(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    book.prefetch([("deals", "contacts"), ("contacts", "companies"), ("deals", "contacts")])
    # the main thread's calls wait for the prefetch instead of reading again
    assert book.resolve("deals", "contacts", "Champion").label == "Champion"
    assert book.resolve("contacts", "companies", "primary").type_id == 1
    book.prefetch([("deals", "contacts")])  # known already: nothing read
    assert book.labels("deals", "contacts")
    assert label_gets(sandbox) == 2


def test_a_prefetch_error_is_raised_where_the_labels_are_needed(sandbox: Sandbox) -> None:
    book = book_for(sandbox)
    book.prefetch([("deals", "widgets"), ("deals", "contacts")])
    with pytest.raises(HubframeError) as failed:
        book.labels("deals", "widgets")
    assert not failed.value.stops_run
    assert book.labels("deals", "contacts")  # the next pair was read all the same
    assert label_gets(sandbox) == 2


def test_after_a_bad_token_a_prefetch_reads_no_other_pair(sandbox: Sandbox) -> None:
    """The reads under way when the token is refused end; no other starts."""
    book = LabelBook(HubSpotClient(token="pat-na1-wrong", base_url=sandbox.url, max_retries=0))
    pairs = _pairs(3 * PREFETCH_WORKERS)
    book.prefetch(pairs)
    with pytest.raises(AuthError) as failed:
        book.labels(*pairs[0])
    assert failed.value.stops_run and "pat-na1-wrong" not in str(failed.value)
    time.sleep(0.2)  # the reads under way end
    assert 1 <= label_gets(sandbox) <= PREFETCH_WORKERS
    with pytest.raises(AuthError):  # a pair not read is read when asked, and refused
        book.labels(*pairs[-1])


def _pairs(count: int) -> list[tuple[str, str]]:
    types = ["deals", "contacts", "companies", "tickets", "p_installations", "calls"]
    every = [(f, t) for f in types for t in types if f != t]
    assert count <= len(every)
    return every[:count]


def test_a_prefetch_reads_several_pairs_at_once(sandbox_factory: Callable[..., Sandbox]) -> None:
    """A sheet of several object pairs waited for one label list after another (ten pairs at
    0.5 s a round trip: 5 s before the first batch); now up to PREFETCH_WORKERS at once."""
    sb = sandbox_factory(seed="demo", latency=(0.3, 0.0))
    book = book_for(sb)
    pairs = _pairs(2 * PREFETCH_WORKERS)
    book.prefetch(pairs)
    for pair in pairs:
        book.labels(*pair)
    log = sb.request_log()
    gets = log[log["path"].str.endswith("/labels")]
    assert len(gets) == len(pairs)  # each once
    assert 2 <= _most_at_once(gets) <= PREFETCH_WORKERS


def _most_at_once(requests: pd.DataFrame) -> int:
    """The most requests the server was answering at one moment."""
    events = sorted(
        [(t, 1) for t in requests["started"]] + [(t, -1) for t in requests["finished"]],
        key=lambda e: (e[0], e[1]),  # an answer that ends as another starts: not at once
    )
    now = most = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def test_a_run_reads_the_labels_of_the_pairs_whose_rows_name_a_type_only(
    sandbox: Sandbox,
) -> None:
    """Unlabeled rows need no labels (default associations): no read for their pair; a row
    with a label or a type id has its pair read once, before the sheet is checked."""
    from hubframe.jobs import associate
    from hubframe.sandbox.demo import COMPANY_IDS, CONTACT_IDS, DEAL_IDS

    deals, contacts = [str(i) for i in DEAL_IDS[20:23]], [str(i) for i in CONTACT_IDS[30:32]]
    sheet = pd.DataFrame(
        {
            "from_type": ["deals", "deals", "deals", "contacts"],
            "from_id": [*deals, contacts[0]],
            "to_type": ["contacts", "contacts", "companies", "companies"],
            "to_id": [contacts[1], str(CONTACT_IDS[40]), str(COMPANY_IDS[5]), str(COMPANY_IDS[6])],
            "label": ["", "  ", None, None],
            "type_id": pd.array([None, None, None, 1], dtype="Int64"),
        }
    )
    client = HubSpotClient(token=sandbox.token, base_url=sandbox.url)
    result = associate(sheet, client, progress=False)
    assert result["status"].tolist() == ["success"] * 4
    log = sandbox.request_log()
    reads = log.loc[log["path"].str.endswith("/labels"), "path"].tolist()
    assert len(reads) == 1 and reads[0].endswith("/contacts/companies/labels"), reads


@pytest.mark.parametrize("job", ["associate", "sync", "remove", "validate"])
def test_each_job_reads_each_pairs_labels_once(job: str, sandbox: Sandbox) -> None:
    """The jobs read the labels of a sheet's pairs while the sheet is checked, each pair once
    (a prefetch and the job's own reads share one book)."""
    import hubframe as hf
    from hubframe.sandbox.demo import COMPANY_IDS, CONTACT_IDS, DEAL_IDS

    sheet = pd.DataFrame(
        {
            "from_type": ["deals", "deals", "contacts", "deals"],
            "from_id": [str(DEAL_IDS[20]), str(DEAL_IDS[21]), str(CONTACT_IDS[30]), "1"],
            "to_type": ["contacts", "companies", "companies", "tickets"],
            "to_id": [str(CONTACT_IDS[31]), str(COMPANY_IDS[5]), str(COMPANY_IDS[6]), "2"],
            "label": ["Champion", "Reseller", "Employer", "Not a label"],
        }
    )
    client = HubSpotClient(token=sandbox.token, base_url=sandbox.url)
    if job == "validate":
        hf.validate_pairs(hf.read_pairs(sheet), client)
    else:
        run = {"associate": hf.associate, "sync": hf.sync, "remove": hf.remove_associations}[job]
        run(hf.read_pairs(sheet), client, progress=False, dry_run=True)
    log = sandbox.request_log()
    reads = log.loc[log["path"].str.endswith("/labels"), "path"].tolist()
    # the two rows whose labels their pair lacks have the reverse direction's labels read
    # too, once each, to say when the label is that direction's (test_label_other_way.py)
    pairs = {tuple(r.split("/")[-3:-1]) for r in reads}
    assert len(reads) == len(pairs), reads
    sheet_pairs = {("deals", "contacts"), ("deals", "companies"), ("contacts", "companies")}
    sheet_pairs |= {("deals", "tickets")}
    assert pairs == sheet_pairs | {("companies", "contacts"), ("tickets", "deals")}, reads


@pytest.mark.parametrize("side", ["from", "to"])
def test_an_object_type_the_portal_lacks_is_the_sheets_fault(
    side: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """HubSpot answers 400 "Unable to infer object type from: 2-999999" when a pair names a
    custom object the portal does not have.  The rows were ``failed`` with HUBSPOT_VALIDATION
    ("could not read the labels"): they are ``invalid`` BAD_OBJECT_TYPE, naming the type and
    its side, in every job and in validation, and go to the retry file."""
    import hubframe as hf
    from hubframe.sandbox.demo import CONTACT_IDS, DEAL_IDS

    missing = "2-999999"
    types = ("deals", missing) if side == "to" else (missing, "contacts")
    sheet = hf.read_pairs(
        pd.DataFrame(
            {
                "from_type": [types[0], "deals"],
                "from_id": ["11", str(DEAL_IDS[3])],
                "to_type": [types[1], "contacts"],
                "to_id": ["12", str(CONTACT_IDS[4])],
                "label": ["Champion", "Champion"],
            }
        )
    )
    client = HubSpotClient(token=sandbox.token, base_url=sandbox.url)
    for run in (hf.associate, hf.remove_associations, hf.sync):
        result = run(sheet, client, progress=False, dry_run=True)
        bad = result.iloc[0]
        assert (bad["status"], bad["error_code"]) == ("invalid", "BAD_OBJECT_TYPE"), run
        assert f'no object type "{missing}"' in bad["error_message"]
        assert f"Check the {side} object type" in bad["error_message"]
        assert result.iloc[1]["status"] in ("planned", "skipped")  # skipped: nothing to remove
    issues = hf.validate_pairs(sheet, client)
    found = issues[issues["code"] == "BAD_OBJECT_TYPE"]
    assert found["row"].tolist() == [2] and found["column"].tolist() == [f"{side}_type"]
    sent = hf.associate(sheet, client, progress=False)
    assert sent["status"].tolist() == ["invalid", "success"]
    assert len(pd.read_csv(hf.export_retry(sent, tmp_path / "retry.csv"))) == 1


def test_a_limit_for_an_object_type_the_portal_lacks(sandbox: Sandbox) -> None:
    import hubframe as hf

    limits = hf.read_limits(
        pd.DataFrame(
            {"from_type": ["deals", "2-999999"], "to_type": ["contacts", "contacts"],
             "label": ["Champion", ""], "max_to_object_ids": ["4", "5"]}
        )
    )  # fmt: skip
    client = HubSpotClient(token=sandbox.token, base_url=sandbox.url)
    result = hf.configure_limits(limits, client, progress=False, dry_run=True)
    assert result["status"].tolist() == ["planned", "invalid"]
    assert result.iloc[1]["error_code"] == "BAD_OBJECT_TYPE"
    assert 'no object type "2-999999"' in result.iloc[1]["error_message"]


@pytest.mark.parametrize("job", ["associate", "remove", "validate"])
def test_a_labels_read_failing_with_a_server_error_fails_that_pairs_rows_only(
    job: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """HubSpot answering 503 to one pair's labels read (after the client's retries): the rows
    of that pair are ``failed`` SERVER_ERROR naming the read, each row of the other pair is
    done, the failing pair is read once for all its rows, and the retry file holds its rows."""
    from faultproxy import FaultProxy

    import hubframe as hf
    from hubframe.sandbox.demo import COMPANY_IDS, CONTACT_IDS, DEAL_IDS

    sheet = pd.DataFrame(
        {
            "from_type": ["deals", "deals", "deals", "deals"],
            "from_id": [str(DEAL_IDS[i]) for i in (40, 41, 42, 43)],
            "to_type": ["contacts", "companies", "contacts", "companies"],
            "to_id": [
                str(CONTACT_IDS[40]),
                str(COMPANY_IDS[7]),
                str(CONTACT_IDS[41]),
                str(COMPANY_IDS[8]),
            ],
            "label": ["Decision maker", "Reseller", "Champion", ""],
        }
    )
    retries = 2
    with FaultProxy(sandbox, fail_path="/deals/contacts/labels") as proxy:
        client = HubSpotClient(
            token=sandbox.token,
            base_url=proxy.url,
            backoff_base=0.01,
            backoff_cap=0.05,
            max_retries=retries,
        )
        pairs = hf.read_pairs(sheet)
        if job == "validate":
            issues = hf.validate_pairs(pairs, client)
            failing = issues[issues["row"].isin([2, 4])]
            assert set(issues["row"]) == {2, 4}, issues
            assert set(failing["code"]) == {"SERVER_ERROR"}, issues
        else:
            run = hf.associate if job == "associate" else hf.remove_associations
            result = run(pairs, client, progress=False)
            assert result["row"].tolist() == [2, 3, 4, 5]
            assert result["status"].tolist()[::2] == ["failed", "failed"], result
            assert set(result["status"].tolist()[1::2]) <= {"success", "skipped"}, result
            assert result["error_code"].tolist()[::2] == ["SERVER_ERROR"] * 2
            assert (
                result["error_message"].str.contains("labels", na=False).tolist()[::2] == [True] * 2
            )
            hf.export_retry(result, tmp_path / "retry.csv")
            retry = pd.read_csv(tmp_path / "retry.csv", dtype=str)
            assert retry["from_id"].tolist() == [str(DEAL_IDS[40]), str(DEAL_IDS[42])]
    assert proxy.path_failures == 1 + retries  # one read of the pair, retried; not one a label


@pytest.mark.parametrize(
    ("path", "read"),
    [
        ("/definitions/configurations/deals/contacts", "limits"),
        ("/deals/contacts/labels", "labels"),
    ],
)
def test_a_limits_job_whose_pair_cannot_be_read_fails_that_pairs_rows_naming_the_read(
    path: str, read: str, sandbox: Sandbox
) -> None:
    """configure_limits with HubSpot answering 503 to one pair's limits (or labels) read: that
    pair's rows are ``failed`` SERVER_ERROR saying which read failed (a limits read was called
    a labels read), the other pair's rows are done, and the pair is read once."""
    from faultproxy import FaultProxy

    import hubframe as hf

    sheet = pd.DataFrame(
        {
            "from_type": ["deals", "deals", "deals", "companies"],
            "to_type": ["contacts", "contacts", "contacts", "contacts"],
            "label": ["", "Decision maker", "Champion", "Employer"],
            "max": ["30", "3", "2", "50"],
        }
    )
    with FaultProxy(sandbox, fail_path=path) as proxy:
        client = HubSpotClient(
            token=sandbox.token, base_url=proxy.url, backoff_base=0.01, max_retries=1
        )
        result = hf.configure_limits(hf.read_limits(sheet), client, progress=False)
    assert result["status"].tolist() == ["failed"] * 3 + ["success"], result
    assert result["error_code"].tolist()[:3] == ["SERVER_ERROR"] * 3
    said = result["error_message"].tolist()[:3]
    assert all(f"Could not read the association {read} from HubSpot" in m for m in said), said
    assert proxy.path_failures == 2  # one read of the pair, retried once


def test_a_pair_whose_read_failed_is_not_read_again_by_a_later_prefetch(
    sandbox: Sandbox,
) -> None:
    """A second prefetch (another step of the same job) read a failed pair again."""
    from faultproxy import FaultProxy

    with FaultProxy(sandbox, fail_path="/deals/contacts/labels") as proxy:
        client = HubSpotClient(token=sandbox.token, base_url=proxy.url, max_retries=0)
        book = LabelBook(client)
        for _ in range(3):
            book.prefetch([("deals", "contacts")])
            with pytest.raises(HubframeError) as failed:
                book.labels("deals", "contacts")
            assert not failed.value.stops_run
    assert proxy.path_failures == 1
