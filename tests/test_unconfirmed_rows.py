"""A row is a success only when HubSpot's answer says so.

A batch create answered ``200 COMPLETE`` whose ``results`` leave a row out, with no error for
it, was read as "every row done": a row HubSpot skipped without a word was reported
``success`` and was not in the retry file.  Such a row is now checked with a read of the
portal: there, ``success``; not there, ``failed`` with ``NOT_APPLIED`` (in the retry file);
no read possible, ``UNKNOWN_OUTCOME``.  A row HubSpot applied but did not list stays a success.
The fault proxy plays both: ``swallow`` takes inputs out of the request (HubSpot ignoring
them), ``unnamed`` takes results out of the answer (HubSpot applying them without a word).
The same holds for rows an error names by one record only (``loose``: a deal at its limit),
and for the type id a label create reports.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from faultproxy import FaultProxy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.errors import ErrorCode
from hubframe.hubspot.client import HubSpotClient
from hubframe.hubspot.wire import ApiResponse
from hubframe.run.answers import read_answer
from hubframe.run.work import Batch, WorkItem
from hubframe.run.worktable import WorkTable
from hubframe.sandbox import Sandbox
from hubframe.testing import demo_ids
from hubframe.vocab import Action, Status

VERSIONS = ["2026-03", "2026-09", "v4"]
ROWS = 6
DEFINED = "HUBSPOT_DEFINED"


def _sheet(labels: list[str]) -> pd.DataFrame:
    deals, contacts = demo_ids("deals"), demo_ids("contacts")
    return pd.DataFrame(
        {
            "Deal ID": [str(deals[n]) for n in range(len(labels))],
            "Contact ID": [str(contacts[20 + n]) for n in range(len(labels))],
            "Association label": labels,
        }
    )


def _client(url: str, token: str, version: str) -> HubSpotClient:
    return HubSpotClient(
        token=token, base_url=url, api_version=version, backoff_base=0.01, backoff_cap=0.05
    )


def _linked(sb: Sandbox) -> set[tuple[str, str]]:
    frame = sb.associations("deals", "contacts")
    return set(zip(frame["from_id"].astype(str), frame["to_id"].astype(str), strict=True))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    labeled=st.lists(st.booleans(), min_size=ROWS, max_size=ROWS),
    victim=st.integers(0, ROWS - 1),
    mode=st.sampled_from(["swallow", "unnamed"]),
)
def test_a_row_the_answer_leaves_out_is_checked_in_the_portal(
    tmp_path_factory: pytest.TempPathFactory,
    version: str,
    labeled: list[bool],
    victim: int,
    mode: str,
) -> None:
    sheet = _sheet(["Champion" if flag else "" for flag in labeled])
    contact = sheet["Contact ID"][victim]
    with Sandbox(seed="demo") as sb, FaultProxy(sb, then=f"{mode}:{contact}", cued=True) as fp:
        result = hf.associate(sheet, _client(fp.url, sb.token, version), progress=False)
        linked = _linked(sb)
    pairs = list(zip(sheet["Deal ID"], sheet["Contact ID"], strict=True))
    status, codes = result["status"].tolist(), result["error_code"].tolist()
    for n, pair in enumerate(pairs):
        if n == victim and mode == "swallow":
            assert status[n] == "failed" and codes[n] == "NOT_APPLIED", result.iloc[n]
            assert pair not in linked
            assert "Not applied" in result["error_message"][n]
        else:
            assert status[n] == "success", result.iloc[n]
            assert pair in linked
    failed = result["status"] == "failed"
    if failed.any():  # the row not applied is in the retry file, as it was in the sheet
        retry = hf.read_pairs(hf.export_retry(result, tmp_path_factory.mktemp("r") / "r.csv"))
        assert retry["to_id"].tolist() == [contact]
        assert retry["label"].fillna("").tolist() == [sheet["Association label"][victim]]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_limit_the_answer_leaves_out_is_checked_too(version: str) -> None:
    limits = pd.DataFrame(
        {"From": ["deals"] * 2, "To": ["contacts"] * 2, "Label": ["Champion", ""], "Max": [3, 9]}
    )
    with Sandbox(seed="demo") as sb:
        champion = sb.type_id("deals", "contacts", "Champion")
        with FaultProxy(sb, then=f'swallow:"typeId": {champion}', cued=True) as fp:
            client = _client(fp.url, sb.token, version)
            result = hf.configure_limits(hf.read_limits(limits), client, progress=False)
        set_now = sb.limits("deals", "contacts")
    assert result["status"].tolist() == ["failed", "success"], result
    assert result["error_code"].tolist()[0] == "NOT_APPLIED"
    assert champion not in set(set_now["type_id"].astype(int))


def test_the_report_and_undo_take_the_checked_outcomes() -> None:
    """An undo takes back the row applied without a word, and leaves the one not applied."""
    sheet = _sheet([""] * ROWS)
    swallowed, unnamed = sheet["Contact ID"][1], sheet["Contact ID"][4]
    with Sandbox(seed="demo") as sb:
        before = _linked(sb)
        with FaultProxy(sb, then=f"swallow:{swallowed}", cued=True) as fp:
            result = hf.associate(
                sheet, _client(fp.url, sb.token, "2026-03"), record_existing=True, progress=False
            )
        assert result["error_code"].tolist()[1] == "NOT_APPLIED"
        with FaultProxy(sb, then=f"unnamed:{unnamed}", cued=True) as fp:
            again = hf.associate(sheet.iloc[[4]], _client(fp.url, sb.token, "2026-03"))
        assert again["status"].tolist() == ["success"]
        undone = hf.undo(result, _client(sb.url, sb.token, "2026-03"), progress=False)
        assert undone["status"].tolist()[1] == "skipped"  # not applied: nothing to take back
        assert _linked(sb) == before


def test_a_plain_run_reads_nothing_back() -> None:
    """The check costs nothing when every row is listed: no read follows a plain run."""
    with Sandbox(seed="demo") as sb:
        sb.reset_request_log()
        result = hf.associate(
            _sheet(["Champion", ""] * 3), _client(sb.url, sb.token, "2026-03"), progress=False
        )
        paths = sb.request_log()["path"].tolist()
    assert set(result["status"]) == {"success"}
    assert not [p for p in paths if p.endswith("/batch/read")], paths


def _items(n: int) -> tuple[WorkItem, ...]:
    return tuple(
        WorkItem(i, Action.ASSOCIATE_DEFAULT, "deals", "contacts", str(10 + i), str(20 + i))
        for i in range(n)
    )


def _answer(status: int, body: dict[str, object] | None) -> ApiResponse:
    content = json.dumps(body).encode() if body is not None else b""
    return ApiResponse(status, content, {}, "c-1", 1)


@given(listed=st.sets(st.integers(0, 5)), extra=st.booleans())
def test_only_rows_the_results_list_are_successes(listed: set[int], extra: bool) -> None:
    """Without a read, a row the results leave out is UNKNOWN_OUTCOME (never success), and
    should a read show it is not there, NOT_APPLIED; listed rows are successes."""
    items = _items(6)
    batch = Batch(1, Action.ASSOCIATE_DEFAULT, "deals", "contacts", items)
    results = [{"from": {"id": str(10 + i)}, "to": {"id": str(20 + i)}} for i in sorted(listed)]
    if extra:  # a result for a pair the batch did not send confirms nothing
        results.append({"from": {"id": "99"}, "to": {"id": "98"}})
    answer = read_answer(batch, _answer(200, {"status": "COMPLETE", "results": results}))
    for i, outcome in enumerate(answer.outcomes):
        if i in listed:
            assert outcome.status is Status.SUCCESS and i not in answer.unconfirmed
        else:
            assert outcome.error_code is ErrorCode.UNKNOWN_OUTCOME
            assert answer.unconfirmed[i].error_code is ErrorCode.NOT_APPLIED


def test_a_purge_with_an_error_naming_no_row_confirms_nothing() -> None:
    """Purges and archives list nothing: neither is ever confirmed by its answer (HubSpot
    answers a purge or a removal it ignored alike: they are read back); with an error that
    names no row, the read settles them with it (before, a purge's rows all failed with it,
    and an archive's all succeeded)."""
    limit = WorkItem(0, Action.PURGE_LIMIT, "deals", "contacts", category="USER_DEFINED")
    for action, item in ((Action.PURGE_LIMIT, limit), (Action.ARCHIVE, _items(1)[0])):
        item = replace(item, action=action)
        batch = Batch(1, action, "deals", "contacts", (item,))
        plain = read_answer(batch, _answer(204, None))
        assert plain.outcomes[0].error_code is ErrorCode.UNKNOWN_OUTCOME
        assert plain.unconfirmed[0].error_code is ErrorCode.NOT_APPLIED
        vague = {"status": "error", "category": "VALIDATION_ERROR", "message": "refused"}
        answer = read_answer(batch, _answer(207, {"results": [], "errors": [vague]}))
        assert answer.outcomes[0].error_code is ErrorCode.UNKNOWN_OUTCOME
        assert answer.unconfirmed[0].error_message == "HubSpot rejected the row: refused."


LABELS = pd.DataFrame(
    {
        "From": ["deals", "contacts", "companies"],
        "To": ["contacts", "contacts", "deals"],
        "Label": ["Sponsor", "Manager", "Buyer"],
        "Inverse label": ["Sponsored", "Employee", ""],
    }
)


def _label_ids(sb: Sandbox) -> list[int]:
    return [
        sb.type_id(str(row["From"]), str(row["To"]), str(row["Label"]))
        for _, row in LABELS.iterrows()
    ]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "mode",
    [None, "reversed", "last_result", "unnamed:Sponsor", "unnamed:Manager", "unnamed:Employee"],
)
def test_a_created_label_gets_its_own_type_id(version: str, mode: str | None) -> None:
    """A paired label's answer lists the label and its inverse: the row took the first one's
    type id, which is the inverse's when HubSpot lists that first, and a create whose answer
    named neither was a success without a type id.  The row takes the result naming its
    label, else what the labels read afterwards show."""
    with Sandbox(seed="demo") as sb:
        if mode is None:
            result = hf.configure_labels(LABELS, _client(sb.url, sb.token, version))
        else:
            with FaultProxy(sb, then=mode, cued=True) as fp:
                result = hf.configure_labels(LABELS, _client(fp.url, sb.token, version))
        truth = _label_ids(sb)
    assert result["status"].tolist() == ["success"] * 3, result
    assert result["type_id"].astype(int).tolist() == truth


def test_a_label_create_answered_without_it_and_not_there_is_not_applied() -> None:
    with Sandbox(seed="demo") as sb:
        with FaultProxy(sb, then='answer:{"results": []}', cued=True) as fp:
            result = hf.configure_labels(LABELS.iloc[:1], _client(fp.url, sb.token, "2026-03"))
        labels = sb.labels("deals", "contacts")
    assert result["status"].tolist() == ["failed"]
    assert result["error_code"].tolist() == ["NOT_APPLIED"]
    assert "Not applied" in result["error_message"][0]
    assert "Sponsor" not in set(labels["label"].dropna())


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    version=st.sampled_from(VERSIONS),
    label=st.sampled_from(["", "Champion"]),
    room=st.integers(0, 4),
    rows=st.integers(1, 5),
)
def test_an_error_naming_only_the_record_at_its_limit_settles_each_row(
    version: str, label: str, room: int, rows: int
) -> None:
    """A deal with room for ``room`` more contacts, ``rows`` new ones in one batch: HubSpot
    applies the first and refuses the rest.  An error naming only the deal (no contact) was
    taken for every row of the deal: rows HubSpot applied were reported failed, and an undo
    left them in the portal.  Each such row is now read back."""
    deal, contacts = str(demo_ids("deals")[5]), [str(c) for c in demo_ids("contacts")[60:]]
    sheet = pd.DataFrame(
        {"Deal ID": [deal] * rows, "Contact ID": contacts[:rows], "Association label": label}
    )
    with Sandbox(seed="demo") as sb:
        type_id = sb.type_id("deals", "contacts", label or None)
        had = sb.associations("deals", "contacts")
        held = int(((had["from_id"].astype(str) == deal) & (had["type_id"] == type_id)).sum())
        sb.set_limit("deals", "contacts", held + room, type_id=type_id)
        before = _linked(sb)
        with FaultProxy(sb, then="loose", cued=True) as fp:
            client = _client(fp.url, sb.token, version)
            result = hf.associate(sheet, client, record_existing=True, progress=False)
        linked = _linked(sb)
        done = [(deal, c) in linked for c in contacts[:rows]]
        assert (result["status"] == "success").tolist() == done
        assert sum(done) == min(room, rows)
        refused = result[result["status"] != "success"]
        assert set(refused["error_code"]) <= {"LIMIT_EXCEEDED"}
        hf.undo(result, _client(sb.url, sb.token, version), progress=False)
        assert _linked(sb) == before


@pytest.mark.parametrize(
    "context",
    [
        {"objectId": ["10"], "objectType": ["DEAL"]},
        {"fromObjectId": ["10"]},
        {"fromObjectId": ["10"], "associationSpec": ["HUBSPOT_DEFINED=3"]},
    ],
)
def test_a_limit_error_naming_the_record_leaves_its_rows_to_a_read(
    context: dict[str, list[str]],
) -> None:
    """However the error names the deal at its limit, its rows are read back (its first rows
    may be applied); an error naming a record that does not exist, or the pair, settles."""
    items = tuple(
        WorkItem(i, Action.ASSOCIATE_DEFAULT, "deals", "contacts", "10", str(20 + i), DEFINED, 3)
        for i in range(3)
    )
    batch = Batch(1, Action.ASSOCIATE_DEFAULT, "deals", "contacts", items)
    limit = {"subCategory": "crm.associations.ASSOCIATION_LIMIT_EXCEEDED", "context": context}
    results = [{"from": {"id": "10"}, "to": {"id": "20"}}]
    answer = read_answer(batch, _answer(207, {"results": results, "errors": [limit]}))
    assert sorted(answer.unconfirmed) == [0, 1, 2]
    assert {o.error_code for o in answer.unconfirmed.values()} == {ErrorCode.LIMIT_EXCEEDED}
    missing = {"context": {"objectId": ["10"], "objectType": ["DEAL"]}, "message": "not found"}
    answer = read_answer(batch, _answer(207, {"results": [], "errors": [missing]}))
    assert not answer.unconfirmed
    assert {o.error_code for o in answer.outcomes} == {ErrorCode.OBJECT_NOT_FOUND}
    pair = {**limit, "context": {"fromObjectId": ["10"], "toObjectId": ["21"]}}
    answer = read_answer(batch, _answer(207, {"results": results, "errors": [pair]}))
    assert answer.outcomes[1].error_code is ErrorCode.LIMIT_EXCEEDED and 1 not in answer.unconfirmed
    assert sorted(answer.unconfirmed) == [2]  # neither listed nor refused


@given(
    missing=st.sets(st.integers(0, 5), max_size=2),
    order=st.sampled_from(["hubspot", "reversed"]),
    compact=st.booleans(),
    labeled=st.booleans(),
)
def test_an_answer_read_from_its_bytes_confirms_only_the_rows_it_lists(
    missing: set[int], order: str, compact: bool, labeled: bool
) -> None:
    """A run's answers are read from their bytes when that shows every row listed, and parsed
    otherwise: keys in another order, spaces or none, a label faking a result in its text.
    Either way a row the results leave out is never a success."""
    action = Action.ASSOCIATE if labeled else Action.ASSOCIATE_DEFAULT
    items = [
        WorkItem(i, action, "deals", "contacts", str(10 + i), str(20 + i), DEFINED, 3)
        for i in range(6)
    ]
    batch = Batch(1, action, "deals", "contacts", table=WorkTable.from_items(items))
    results: list[dict[str, object]] = []
    for i in range(6):
        if i in missing:
            continue
        if labeled:
            fake = f'"fromObjectId": {10 + min(missing, default=0)}, "toObjectTypeId": "0-1", '
            entry: dict[str, object] = {
                "fromObjectTypeId": "0-3",
                "fromObjectId": 10 + i,
                "toObjectTypeId": "0-1",
                "toObjectId": 20 + i,
                "labels": [fake + f'"toObjectId": {20 + min(missing, default=0)}'],
            }
        else:
            entry = {"from": {"id": str(10 + i)}, "to": {"id": str(20 + i)}, "associationSpec": {}}
        if order == "reversed":
            entry = dict(reversed(list(entry.items())))
        results.append(entry)
    separators = (",", ":") if compact else None
    content = json.dumps({"status": "COMPLETE", "results": results}, separators=separators)
    answer = read_answer(batch, ApiResponse(200, content.encode(), {}, "c-1", 1))
    assert sorted(answer.unconfirmed) == sorted(missing)
    for i, outcome in enumerate(answer.outcomes):
        assert (outcome.status is Status.SUCCESS) == (i not in missing)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_row_the_read_cannot_settle_stays_unknown_and_is_retried(
    version: str, tmp_path: Path
) -> None:
    """The answer leaves a row out and every read that should settle it fails (503): the row
    is UNKNOWN_OUTCOME with the read's failure named, in the retry file; the rows the answer
    lists are successes, and nothing stops the run (a 503 is not a stopping error)."""
    sheet = _sheet([""] * ROWS)
    victim = sheet["Contact ID"][3]
    with Sandbox(seed="demo") as sb:
        proxy = FaultProxy(sb, then=f"swallow:{victim}", cued=True, fail_reads=True)
        with proxy as fp:
            client = HubSpotClient(
                token=sb.token,
                base_url=fp.url,
                api_version=version,
                max_retries=1,
                backoff_base=0.01,
                backoff_cap=0.05,
            )
            result = hf.associate(sheet, client, progress=False)
        linked = _linked(sb)
    status, codes = result["status"].tolist(), result["error_code"].tolist()
    assert status == ["success"] * 3 + ["failed"] + ["success"] * 2
    assert codes[3] == "UNKNOWN_OUTCOME"
    assert "the read that should have settled it failed" in result["error_message"][3]
    assert (sheet["Deal ID"][3], victim) not in linked
    retry = hf.read_pairs(hf.export_retry(result, tmp_path / "retry.csv"))
    assert retry["to_id"].tolist() == [victim]


@pytest.mark.parametrize("mode", [None, "reversed", "last_result"])
def test_a_label_named_alike_both_ways_is_created_not_refused(mode: str | None) -> None:
    """A contact-to-contact label paired with its own name ("Peer" / "Peer"): it was reported
    failed NOT_APPLIED while HubSpot held it, then created as two types of one name (every
    later row naming "Peer" ambiguous).  It is one label both ways: one type id, a success."""
    sheet = pd.DataFrame(
        {"From": ["contacts"], "To": ["contacts"], "Label": ["Peer"], "Inverse label": ["Peer"]}
    )
    with Sandbox(seed="demo") as sb:
        if mode is None:
            result = hf.configure_labels(sheet, _client(sb.url, sb.token, "2026-03"))
        else:
            with FaultProxy(sb, then=mode, cued=True) as fp:
                result = hf.configure_labels(sheet, _client(fp.url, sb.token, "2026-03"))
        held = sb.labels("contacts", "contacts")
    ids = sorted(held.loc[held["label"] == "Peer", "type_id"].astype(int))
    assert len(ids) == 1
    assert result["status"].tolist() == ["success"], result
    assert result["type_id"][0] == ids[0]
    assert "one label both ways" in result["error_message"][0]
