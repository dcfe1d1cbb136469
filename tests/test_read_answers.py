"""A batch read's answer that names a record nowhere does not say it has no associations.

Every read of the portal took a record its answer named in neither ``results`` nor
``errors`` for a record with none: an undo reported a link still there ``NOT_ASSOCIATED`` and
left it, or removed a pair whole with a label added by hand; an export dropped the record's
rows; a check after a create reported a row HubSpot applied ``NOT_APPLIED``.  And a server
giving one record the same cursor again and again kept the reader asking for ever.  Such a
record is now asked again, and a read whose answers never name it (or that is given a cursor
twice) fails, naming the record; an undo whose check of the labels a pair holds fails
removes no pair whole.  The fault proxy plays the answers: ``drop_reads`` takes a record out
of them (the first ``drop_reads_count`` only, when given), ``stuck_cursor`` makes the server
ignore cursors, ``fail_reads`` answers every read 503.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy
from fuzzseeds import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import ServerError
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.pages import MAX_ASKS, MAX_REREADS
from hubframe.jobs.export import read_associations
from hubframe.run.reads import read_links, read_records
from hubframe.sandbox import Sandbox
from hubframe.sandbox.demo import contact_properties
from hubframe.testing import demo_ids

VERSIONS = ["2026-03", "2026-09", "v4"]
DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]
READ_DEALS = DEALS[:12]

Links = dict[str, set[tuple[str, frozenset[int]]]]


def _client(url: str, token: str, version: str) -> HubSpotClient:
    return HubSpotClient(
        token=token, base_url=url, api_version=version, backoff_base=0.01, backoff_cap=0.05
    )


def _busy(sb: Sandbox, page_size: int | None, contacts: list[str] = CONTACTS[40:51]) -> None:
    """Deal 3 with 11 contacts (some labeled; deal 8 has none), pages of ``page_size`` (None:
    as they are)."""
    champion = sb.type_id("deals", "contacts", "Champion")
    for n, contact in enumerate(contacts):
        sb.associate("deals", DEALS[3], "contacts", contact, champion if n % 3 == 0 else None)
    if page_size is not None:
        sb.set_read_page_size(page_size)


def _by_client(client: HubSpotClient) -> Links:
    return _links(client.read_associations("deals", "contacts", READ_DEALS))


def _by_pool(client: HubSpotClient) -> Links:
    return _links(read_links(client, "deals", "contacts", READ_DEALS, workers=3))


def _by_export(client: HubSpotClient) -> Links:
    frame = read_associations(client, "deals", "contacts", READ_DEALS, progress=False)
    out: Links = {d: set() for d in READ_DEALS}
    types: dict[tuple[str, str], set[int]] = {}
    for f, t, x in zip(frame["from_id"], frame["to_id"], frame["type_id"], strict=True):
        types.setdefault((str(f), str(t)), set()).add(int(x))
    for (f, t), ids in types.items():
        out[f].add((t, frozenset(ids)))
    return out


def _links(found: dict[str, list[dict[str, Any]]]) -> Links:
    out: Links = {}
    for from_id, entries in found.items():
        pairs: dict[str, set[int]] = {}
        for entry in entries:
            ids = {int(s["typeId"]) for s in entry.get("associationTypes") or []}
            pairs.setdefault(str(entry["toObjectId"]), set()).update(ids)
        out[from_id] = {(t, frozenset(ids)) for t, ids in pairs.items()}
    return out


READERS: dict[str, Callable[[HubSpotClient], Links]] = {
    "client": _by_client,
    "pool": _by_pool,
    "export": _by_export,
}


@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    reader=st.sampled_from(sorted(READERS)),
    victim=st.sampled_from([1, 3, 8]),  # plain, paged (when pages are small), none at all
    drops=st.integers(0, MAX_ASKS + 1),
    page_size=st.sampled_from([4, 100]),
)
def test_a_record_an_answer_leaves_out_is_asked_again_or_fails_the_read(
    version: str, reader: str, victim: int, drops: int, page_size: int
) -> None:
    deal = DEALS[victim]
    with Sandbox(seed="demo") as sb:
        _busy(sb, page_size)
        truth = READERS[reader](_client(sb.url, sb.token, version))
        with FaultProxy(sb, drop_reads=f'"{deal}"', drop_reads_count=drops) as fp:
            client = _client(fp.url, sb.token, version)
            if drops >= MAX_ASKS:
                with pytest.raises(ServerError, match=f"named neither .* record {deal} "):
                    READERS[reader](client)
            else:
                assert READERS[reader](client) == truth
            assert fp.reads_dropped == min(drops, MAX_ASKS)
    assert truth[DEALS[8]] == set() and len(truth[DEALS[3]]) > 4  # the shapes were there


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_cursor_given_twice_stops_the_read(reader: str) -> None:
    """A server ignoring cursors gives deal 3 its second page's cursor for ever: the read
    stops on the cursor's second coming instead of asking (and growing) without end."""
    with Sandbox(seed="demo") as sb:
        _busy(sb, 4)
        with FaultProxy(sb, stuck_cursor=True) as fp:
            client = _client(fp.url, sb.token, "2026-03")
            outcome = _ended(lambda: READERS[reader](client))
    assert isinstance(outcome, ServerError), outcome
    assert f"same page cursor twice for record {DEALS[3]}" in str(outcome)


def _ended(read: Callable[[], object], seconds: float = 30) -> object:
    """What ``read`` returned or raised, run in a thread that must end within ``seconds``
    (a read that never ends fails the test, not the suite)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(read())
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=seconds)
    assert not worker.is_alive(), "the read never ended"
    return outcome[0]


# --- what the reads settle ------------------------------------------------------------------


def _pair_labels(sb: Sandbox, deal: str, contact: str) -> tuple[bool, set[str]]:
    links = sb.associations("deals", "contacts")
    mine = links[(links["from_id"].astype(str) == deal) & (links["to_id"].astype(str) == contact)]
    types = sb.labels("deals", "contacts")
    names = dict(zip(types["type_id"], types["label"], strict=True))
    labels = {str(names[t]) for t in mine["type_id"].astype(int) if pd.notna(names.get(t))}
    return len(mine) > 0, labels


def _sheet(pairs: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["Deal ID", "Contact ID", "Association label"])


@pytest.mark.parametrize("version", VERSIONS)
def test_undo_asks_again_for_a_pair_the_labels_read_left_out(version: str) -> None:
    """The run linked a pair plainly; a label was added by hand.  The undo's read of the
    labels the pair holds leaves the deal out once: before, the pair went whole with the hand
    label; now the deal is asked again, and the plain link stays for the label."""
    deal, contact = DEALS[6], CONTACTS[60]
    with Sandbox(seed="demo") as sb:
        client = _client(sb.url, sb.token, version)
        result = hf.associate(
            _sheet([(deal, contact, "")]), client, record_existing=True, progress=False
        )
        assert result["status"].tolist() == ["success"]
        sb.associate(
            "deals", deal, "contacts", contact, sb.type_id("deals", "contacts", "Champion")
        )
        with FaultProxy(sb, drop_reads=f'"{deal}"', drop_reads_count=1) as fp:
            report = hf.undo(result, _client(fp.url, sb.token, version), progress=False)
            assert fp.reads_dropped == 1
        assert _pair_labels(sb, deal, contact) == (True, {"Champion"})
    assert report["status"].tolist() == ["skipped"], report
    assert report["error_message"][0].startswith("Left in place")


@pytest.mark.parametrize("version", VERSIONS)
def test_undo_asks_again_for_a_label_the_read_before_sending_left_out(version: str) -> None:
    """A labeled row's undo reads whether the label is still there: an answer leaving the deal
    out made it ``NOT_ASSOCIATED``, not sent, the label left in the portal."""
    deal, contact = DEALS[6], CONTACTS[61]
    with Sandbox(seed="demo") as sb:
        client = _client(sb.url, sb.token, version)
        result = hf.associate(
            _sheet([(deal, contact, "Champion")]), client, record_existing=True, progress=False
        )
        assert result["status"].tolist() == ["success"]
        with FaultProxy(sb, drop_reads=f'"{deal}"', drop_reads_count=2) as fp:
            report = hf.undo(result, _client(fp.url, sb.token, version), progress=False)
        assert _pair_labels(sb, deal, contact)[1] == set()
    assert report["status"].tolist() == ["success"], report


@pytest.mark.parametrize("version", VERSIONS)
def test_undo_removes_no_pair_whole_when_its_labels_cannot_be_read(version: str) -> None:
    """Every read fails: a plain link's row is not removed whole unchecked (it could take a
    label this undo is not given) and says so; a label's own removal goes ahead, and with no
    read to confirm it, its outcome is unknown (a removal is read back)."""
    deal, plain, labeled = DEALS[6], CONTACTS[62], CONTACTS[63]
    rows = [(deal, plain, ""), (deal, labeled, "Champion")]
    with Sandbox(seed="demo") as sb:
        client = _client(sb.url, sb.token, version)
        sb.associate("deals", deal, "contacts", labeled)  # linked before: its label goes alone
        result = hf.associate(_sheet(rows), client, record_existing=True, progress=False)
        assert result["status"].tolist() == ["success", "success"]
        hand = sb.type_id("deals", "contacts", "Decision maker")
        sb.associate("deals", deal, "contacts", plain, hand)
        with FaultProxy(sb, fail_reads=True) as fp:
            report = hf.undo(result, _client(fp.url, sb.token, version), progress=False)
        assert _pair_labels(sb, deal, plain) == (True, {"Decision maker"})
        assert _pair_labels(sb, deal, labeled) == (True, set())  # the plain link was there before
        again = hf.undo(result, client, progress=False)  # the reads answer again
        assert _pair_labels(sb, deal, plain) == (True, {"Decision maker"})
    assert again["status"].tolist() == ["skipped", "skipped"], again
    assert again["error_message"][0].startswith("Left in place")
    assert again["error_code"][1] == "NOT_ASSOCIATED"
    assert report["status"].tolist() == ["failed", "failed"], report
    assert report["error_code"][1] == "UNKNOWN_OUTCOME"
    message = report["error_message"][0]
    assert message.startswith(f"Not removed: which labels deals {deal} and contacts {plain}")
    assert "Run the undo again" in message and report["error_code"][0] == "SERVER_ERROR"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_check_after_a_create_asks_again_for_a_record_its_read_left_out(version: str) -> None:
    """A create's answer leaves a row unlisted (HubSpot applied it), and the read that checks
    it leaves the deal out once: the row was ``NOT_APPLIED``; it is a success."""
    deal, contact = DEALS[6], CONTACTS[64]
    with Sandbox(seed="demo") as sb:
        with FaultProxy(
            sb, then=f"unnamed:{contact}", cued=True, drop_reads=f'"{deal}"', drop_reads_count=1
        ) as fp:
            client = _client(fp.url, sb.token, version)
            result = hf.associate(_sheet([(deal, contact, "Champion")]), client, progress=False)
            assert fp.reads_dropped == 1
        assert _pair_labels(sb, deal, contact) == (True, {"Champion"})
    assert result["status"].tolist() == ["success"], result


# --- records read by id -----------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    version=st.sampled_from(VERSIONS),
    drops=st.integers(0, MAX_ASKS + 1),
    victim=st.sampled_from([DEALS[2], "2049999999"]),  # a record, one HubSpot does not have
)
def test_a_record_id_an_answer_leaves_out_is_asked_again_or_fails_the_read(
    version: str, drops: int, victim: str
) -> None:
    asked = [*DEALS[:5], "2049999999"]
    with (
        Sandbox(seed="demo") as sb,
        FaultProxy(sb, drop_reads=f'"{victim}"', drop_reads_count=drops) as fp,
    ):
        client = _client(fp.url, sb.token, version)
        if drops >= MAX_ASKS:
            with pytest.raises(ServerError, match=f"named neither record {victim} nor"):
                read_records(client, "deals", asked)
        else:
            found = {str(r["id"]) for r in read_records(client, "deals", asked)}
            assert found == set(DEALS[:5])
        assert fp.reads_dropped == min(drops, MAX_ASKS)


@pytest.mark.parametrize("version", VERSIONS)
def test_validation_asks_again_for_a_record_its_read_left_out(version: str) -> None:
    """Validated online, a deal the objects read left out once was "HubSpot has no deal ...",
    and its rows were never sent."""
    deal, contact = DEALS[6], CONTACTS[65]
    with (
        Sandbox(seed="demo") as sb,
        FaultProxy(sb, drop_reads=f'"{deal}"', drop_reads_count=1) as fp,
    ):
        client = _client(fp.url, sb.token, version)
        issues = hf.validate_pairs(
            _sheet([(deal, contact, "Champion")]), client, check_records=True
        )
        assert fp.reads_dropped == 1
    assert issues.empty, issues.to_dict("records")


@pytest.mark.parametrize("dropped", ["email", "nobody"])
@pytest.mark.parametrize("drops", [1, MAX_ASKS])
def test_an_email_lookup_asks_again_for_a_value_its_read_left_out(dropped: str, drops: int) -> None:
    """Looked up by email, a contact the objects read left out once was "No contact with email
    ... exists" and its row never sent; an email HubSpot does not have stays not found.  An
    email never named fails its rows' lookup (not sent, in the retry file), naming the read."""
    emails = [contact_properties()[50]["email"].upper(), "nobody@example.com"]
    victim = emails[0].lower() if dropped == "email" else emails[1]
    sheet = pd.DataFrame({"Deal ID": DEALS[9], "Contact email": emails, "Association label": ""})
    with (
        Sandbox(seed="demo") as sb,
        FaultProxy(sb, drop_reads=victim, drop_reads_count=drops) as fp,
    ):
        client = _client(fp.url, sb.token, "2026-03")
        result = hf.associate(hf.read_pairs(sheet), client, progress=False)
        assert fp.reads_dropped == drops
    codes = result["error_code"].tolist()
    if drops >= MAX_ASKS:
        assert result["status"].tolist() == ["failed", "failed"], result
        assert codes == ["SERVER_ERROR", "SERVER_ERROR"]
        assert "named neither record" in result["error_message"][0]
    else:
        assert result["status"].tolist() == ["success", "failed"], result
        assert codes[1] == "OBJECT_NOT_FOUND"


@pytest.mark.parametrize("version", VERSIONS)
def test_errors_without_names_still_answer_for_the_records_they_are_about(version: str) -> None:
    """With bare error details (no context: which records an error is about is not said), an
    error for each record left unnamed answers for it, as before: a deal without associations
    reads as none, a record HubSpot lacks as missing, an email it lacks as not found."""
    with Sandbox(seed="demo", behaviour={"error_details": "bare"}) as sb:
        _busy(sb, 4)
        client = _client(sb.url, sb.token, version)
        for reader in READERS.values():
            links = reader(client)
            assert links[DEALS[8]] == set() and len(links[DEALS[3]]) == 11
        found = read_records(client, "deals", [DEALS[2], "2049999999", DEALS[4]])
        assert {str(r["id"]) for r in found} == {DEALS[2], DEALS[4]}
        email = contact_properties()[50]["email"]
        sheet = pd.DataFrame({"Deal ID": DEALS[9], "Contact email": [email, "nobody@example.com"]})
        result = hf.associate(hf.read_pairs(sheet), client, progress=False)
    assert result["status"].tolist() == ["success", "failed"], result
    assert result["error_code"].tolist()[1] == "OBJECT_NOT_FOUND"


def test_a_record_list_giving_a_cursor_twice_stops() -> None:
    """Exporting every deal pages through the objects list: a server ignoring its cursor gave
    the first page for ever and the export never ended."""
    with Sandbox(seed="demo") as sb:
        sb.add_records("deals", [str(2_050_000_001 + n) for n in range(150)])
        with FaultProxy(sb, stuck_cursor=True) as fp:
            client = _client(fp.url, sb.token, "2026-03")
            outcome = _ended(lambda: client.record_ids("deals"))
        assert len(client_ids := _client(sb.url, sb.token, "2026-03").record_ids("deals")) > 200
    assert isinstance(outcome, ServerError), outcome
    assert "same page cursor twice" in str(outcome) and len(set(client_ids)) == len(client_ids)


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    reader=st.sampled_from(sorted(READERS)),
    victim=st.sampled_from([1, 3, 8]),  # plain, paged (when pages are small), none at all
    drops=st.integers(1, MAX_ASKS + 1),
    category=st.sampled_from(["INTERNAL_ERROR", "RATE_LIMITS", "VALIDATION_ERROR"]),
    page_size=st.sampled_from([4, 100]),
)
def test_a_record_an_answer_refuses_is_not_a_record_without_associations(
    version: str, reader: str, victim: int, drops: int, category: str, page_size: int
) -> None:
    """An item error that refuses a record (``INTERNAL_ERROR``, not "no associations") was
    read as "it has none": an export with ``keep_empty`` wrote the deal as having none, and a
    sync of that export removed all it had.  It is asked again, then fails the read."""
    deal = DEALS[victim]
    with Sandbox(seed="demo") as sb:
        _busy(sb, page_size)
        truth = READERS[reader](_client(sb.url, sb.token, version))
        proxy = FaultProxy(
            sb, drop_reads=f'"{deal}"', drop_reads_count=drops, drop_reads_as=category
        )
        with proxy as fp:
            client = _client(fp.url, sb.token, version)
            if drops >= MAX_ASKS:
                with pytest.raises(ServerError, match=f"refused record {deal} 3 times"):
                    READERS[reader](client)
            else:
                assert READERS[reader](client) == truth


@pytest.mark.parametrize("category", ["INTERNAL_ERROR", "RATE_LIMITS"])
def test_a_record_the_objects_read_refuses_is_not_missing(category: str) -> None:
    """The objects batch read likewise: a refusal of one id does not say HubSpot lacks it."""
    deal = DEALS[2]
    with Sandbox(seed="demo") as sb:
        proxy = FaultProxy(sb, drop_reads=f'"{deal}"', drop_reads_count=1, drop_reads_as=category)
        with proxy as fp:
            found = read_records(_client(fp.url, sb.token, "2026-03"), "deals", [deal, DEALS[4]])
            assert fp.reads_dropped == 1
    assert {str(r["id"]) for r in found} == {deal, DEALS[4]}


@pytest.mark.parametrize(
    ("message", "value", "named"),
    [
        ("Could not get some CONTACT objects: joann@x.com, z@x.com", "ann@x.com", False),
        ("Could not get some CONTACT objects: ann@x.com, z@x.com", "ann@x.com", True),
        ("No contact has the email z@x.com or ann@x.com.", "ann@x.com", True),  # a full stop
        ("missing: www.acme.com, z@x.com", "acme.com", False),
        ("missing: acme.com.au, z@x.com", "acme.com", False),
        ("missing: ann@x.com-old, z@x.com", "ann@x.com", False),
    ],
)
def test_an_error_names_a_looked_up_value_only_as_a_whole(
    message: str, value: str, named: bool
) -> None:
    """A lookup took a value for one HubSpot lacks when another value's error named it inside
    its own ("ann@x.com" in "joann@x.com"): "No contact with email ann@x.com exists", for a
    contact that does.  A value left unnamed is asked again, then fails the read."""
    from hubframe.run.reads import _unnamed

    errors = [{"status": "error", "category": "OBJECT_NOT_FOUND", "message": message}]
    left, refused = _unnamed([value, "z@x.com"], [], errors, "email")  # names z@x.com
    assert left == ([] if named else [value]) and refused == {}


# --- a record whose associations change between its pages -----------------------------------


class _Colleague:
    """Changes deal 3 while a read goes on, from the fault proxy's ``on_read``: each time its
    first page is answered with a next one to read, all its contacts are removed (HubSpot then
    answers the next page "No contacts are associated with deal ..."); once that answer has
    gone, its contacts are linked again -- all of them while ``changes`` are left, then only
    the first ``back`` (a later read of it ends)."""

    def __init__(self, sb: Sandbox, version: str, changes: int, back: int) -> None:
        self.sb, self.changes, self.back = sb, changes, back
        self.portal = _client(sb.url, sb.token, version)
        self.made = 0
        self.lock = threading.Lock()

    def __call__(self, request: Any, answer: Any) -> None:
        asked = {str(i.get("id")): i for i in request.get("inputs") or []}
        item = asked.get(DEALS[3])
        if item is None or not isinstance(answer, dict):
            return
        with self.lock:
            paged = any(
                str(r.get("from", {}).get("id")) == DEALS[3] and r.get("paging")
                for r in answer.get("results") or []
            )
            if paged and "after" not in item and self.made < self.changes:
                self.made += 1
                gone = [{"id": c} for c in CONTACTS[40:51]]
                self.portal.batch_archive(
                    "deals", "contacts", [{"from": {"id": DEALS[3]}, "to": gone}]
                )
            elif "after" in item and DEALS[3] in json.dumps(answer.get("errors") or []):
                _busy(
                    self.sb, None, CONTACTS[40 : 51 if self.made < self.changes else 40 + self.back]
                )


@settings(
    max_examples=examples(12),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    behaviour=st.sampled_from(["default", "hostile"]),
    reader=st.sampled_from(sorted(READERS)),
    changes=st.integers(1, MAX_REREADS + 1),
    back=st.integers(0, 5),
    page_size=st.sampled_from([2, 4]),
)
def test_a_record_that_changes_between_its_pages_is_read_again_from_its_first(
    version: str, behaviour: str, reader: str, changes: int, back: int, page_size: int
) -> None:
    """A deal whose contacts were removed between two of its pages: HubSpot answered its next
    page "No contacts are associated with deal ...", the reader asked for that page 3 times
    and failed the whole read, saying HubSpot had named "neither the associations of record
    ... nor an error for it".  The deal is read again from its first page (its pages read are
    stale), and the read equals the portal as it is after; a deal that keeps changing fails
    the read after 3 such reads, saying what HubSpot answered."""
    with Sandbox(seed="demo", behaviour=behaviour) as sb:
        _busy(sb, page_size)
        colleague = _Colleague(sb, version, changes, back)
        with FaultProxy(sb, on_read=colleague) as fp:
            client = _client(fp.url, sb.token, version)
            if changes > MAX_REREADS:
                said = (
                    f"while the next page of record {DEALS[3]} was read, HubSpot answered that it "
                    f"has none \\(No contacts are associated with deal {DEALS[3]}\\.\\), 4 times"
                )
                with pytest.raises(ServerError, match=said):
                    READERS[reader](client)
                return
            read = READERS[reader](client)
        after = READERS[reader](_client(sb.url, sb.token, version))
    assert colleague.made == changes
    assert read == after and len(read[DEALS[3]]) == back and len(read[DEALS[1]]) > 0


@pytest.mark.parametrize("version", VERSIONS)
def test_a_sync_reads_a_record_that_changed_between_its_pages_again(version: str) -> None:
    """The sync's read of the portal failed whole: every row of the pair failed SERVER_ERROR.
    It reads the deal again and syncs the sheet to the portal as it is then."""
    sheet = _sheet([(DEALS[3], CONTACTS[40], ""), (DEALS[1], CONTACTS[0], "")])
    with Sandbox(seed="demo") as sb:
        _busy(sb, 3)
        with FaultProxy(sb, on_read=_Colleague(sb, version, 1, 0)) as fp:
            client = _client(fp.url, sb.token, version)
            result = hf.sync(hf.read_pairs(sheet), client, progress=False)
        assert result["error_code"].isna().all(), result
        linked = sb.associations("deals", "contacts")
        mine = linked.loc[linked["from_id"].astype(str) == DEALS[3], "to_id"].astype(str)
    assert set(mine) == {CONTACTS[40]}  # the contact removed meanwhile, linked again


@pytest.mark.parametrize("changes", [1, MAX_REREADS])
def test_each_record_of_a_read_comes_once_whole_and_is_counted_once(changes: int) -> None:
    """A record's pages come together once its last page is read, and the progress counts
    each record once, however many pages it had or times it was read again."""
    from hubframe.run.reads import iter_links

    with Sandbox(seed="demo") as sb:
        _busy(sb, 2)
        with FaultProxy(sb, on_read=_Colleague(sb, "2026-03", changes, 5)) as fp:
            counted: list[int] = []
            client = _client(fp.url, sb.token, "2026-03")
            pages = list(
                iter_links(client, "deals", "contacts", READ_DEALS, on_call=counted.append)
            )
        after = read_links(_client(sb.url, sb.token, "2026-03"), "deals", "contacts", READ_DEALS)
    assert sum(counted) == len(READ_DEALS)
    assert sorted(f for f, _ in pages) == sorted(f for f in READ_DEALS if after[f])
    assert {f: e for f, e in pages} == {f: e for f, e in after.items() if e}


@pytest.mark.parametrize("reader", ["client", "pool"])
def test_an_error_without_names_settles_no_first_page_beside_an_unanswered_later_page(
    reader: str,
) -> None:
    """An answer to deal 1's first page and deal 3's next one, naming neither, with one error
    that names no record and says "none": it may be about either.  It was taken for deal 1's
    (one such error for each first page left), and deal 1 read as having no associations.
    Both are asked again."""
    with Sandbox(seed="demo") as sb:
        _busy(sb, 4)
        blurred: list[int] = []

        def blur(request: Any, answer: Any) -> Any:
            asked = {str(i.get("id")): i for i in request.get("inputs") or []}
            if DEALS[1] not in asked or len(blurred) == 2:
                return None
            blurred.append(1)
            kept = [r for r in answer["results"] if str(r["from"]["id"]) != DEALS[1]]
            if len(blurred) == 1:  # the first call: deal 1 left out
                return {**answer, "results": kept}
            assert "after" in asked[DEALS[3]]  # deal 1 asked again beside deal 3's next page
            kept = [r for r in kept if str(r["from"]["id"]) != DEALS[3]]
            anonymous = {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "None."}
            return {**answer, "results": kept, "errors": [anonymous]}

        truth = READERS[reader](_client(sb.url, sb.token, "2026-03"))
        with FaultProxy(sb, on_read=blur) as fp:
            read = READERS[reader](_client(fp.url, sb.token, "2026-03"))
    assert read == truth and len(truth[DEALS[1]]) > 0
