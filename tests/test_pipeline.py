"""The run skeleton: options, what a run carries forward, and the hooks every job shares."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import pandas as pd
import pytest

import hubframe as hf
from hubframe.errors import ConfigurationError, ErrorCode, UsageError
from hubframe.jobs.check import ROW_DIGESTS, row_digests
from hubframe.run.options import RunOptions
from hubframe.run.pipeline import RunFacts, run_facts
from hubframe.sandbox import Sandbox
from hubframe.testing import SandboxFactory, client_for, demo_ids, pairs_sheet

pytestmark = pytest.mark.profiles  # every test under every behaviour profile

DEALS = [str(i) for i in demo_ids("deals")]
CONTACTS = [str(i) for i in demo_ids("contacts")]


def test_options_refuse_what_cannot_work() -> None:
    with pytest.raises(UsageError):
        RunOptions.of({"dry_rnu": True})
    with pytest.raises(ConfigurationError):
        RunOptions(batch_size=0)
    with pytest.raises(ConfigurationError):
        RunOptions(workers=0)
    with pytest.raises(TypeError):  # a UsageError is a TypeError, as for any function
        hf.associate(pd.DataFrame(), None, dry_rnu=True)  # type: ignore[arg-type,call-arg]


@pytest.mark.parametrize("job", ["associate", "remove_associations", "undo", "configure_limits"])
def test_every_job_takes_the_same_run_options(job: str, sandbox: Sandbox) -> None:
    """on_start, on_progress and cancel reach every job the same way."""
    client = client_for(sandbox)
    pairs = pairs_sheet([(DEALS[60], CONTACTS[230], ""), (DEALS[61], CONTACTS[231], "")])
    source: object = pairs
    if job == "undo":
        source = hf.associate(pairs, client, progress=False, record_existing=True)
    if job == "remove_associations":  # what is not there is not sent: make it be there
        hf.associate(pairs, client, progress=False)
    if job == "configure_limits":
        source = pd.DataFrame(
            {"from_type": ["deals"], "to_type": ["contacts"], "label": ["Champion"], "max": [9]}
        )
    started: list[int] = []
    done: list[int] = []
    result = getattr(hf, job)(
        source,
        client,
        progress=False,
        workers=1,
        batch_size=1,
        on_start=started.append,
        on_progress=done.append,
        cancel=threading.Event(),
    )
    assert started == [sum(done)] and started[0] >= 1
    facts = run_facts(result)
    assert facts is not None and facts.to_send == started[0] and facts.stop is None


def test_facts_travel_with_the_result_and_survive_copies(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(seed="demo")
    bad = client_for(sb, token="pat-na1-not-the-token-at-all")
    result = hf.associate(pairs_sheet([(DEALS[1], CONTACTS[1], "")]), bad, progress=False)
    facts = run_facts(result)
    assert isinstance(facts, RunFacts) and facts.stop is not None
    assert facts.stop.code is ErrorCode.UNAUTHORIZED
    assert result["error_code"].tolist() == ["UNAUTHORIZED"]
    for copied in (result.copy(), copy.deepcopy(result), result.head(1), result.assign(x=1)):
        assert run_facts(copied) is facts  # kept by reference, never copied
    assert "run" not in (pairs_sheet([]).attrs.get("hubframe") or {})


def test_known_issues_settle_the_rows_they_name(sandbox: Sandbox) -> None:
    """The app validates with a client for its preview and hands the issues over: what only a
    client finds settles its row; the sheet's own checks are made again (a BAD_ID the rows do
    not have settles nothing)."""
    pairs = hf.read_pairs(
        pairs_sheet([(DEALS[2], CONTACTS[2], ""), (DEALS[3], CONTACTS[3], "")]),
        from_type="deals",
        to_type="contacts",
    )
    issues = hf.validate_pairs(pairs)
    assert issues.empty
    marked = pd.DataFrame(
        {
            "sheet": [""], "row": [3], "column": ["to_id"], "value": [CONTACTS[3]],
            "code": ["OBJECT_NOT_FOUND"], "message": ["marked by the test"],
            "severity": ["error"], "position": [1],
        }
    )  # fmt: skip
    made = hf.associate(pairs, client_for(sandbox), dry_run=True, issues=marked)
    # made by hand, it names its row by number and cell only: it settles nothing
    assert made["status"].tolist() == ["planned", "planned"]
    marked.attrs = {"hubframe": {ROW_DIGESTS: row_digests(pairs, [1])}}  # as validation notes
    result = hf.associate(pairs, client_for(sandbox), dry_run=True, issues=marked)
    assert result["status"].tolist() == ["planned", "invalid"]
    assert result["error_message"].iloc[1] == "marked by the test."
    facts = run_facts(result)
    assert facts is not None and facts.issues is not None
    assert facts.issues["message"].tolist() == ["marked by the test"]
    offline = marked.assign(code="BAD_ID")
    result = hf.associate(pairs, client_for(sandbox), dry_run=True, issues=offline)
    assert result["status"].tolist() == ["planned", "planned"]


def test_a_cancel_leaves_its_unsent_rows_to_the_retry_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Rows a cancel left unsent are ``skipped`` with ``CANCELLED``, a stopping code: the retry
    file holds them (it held none of them when they carried no code)."""
    from hubframe.report import export_retry, retry_rows

    cancel = threading.Event()
    pairs = pairs_sheet([(DEALS[62], CONTACTS[232 + n], "") for n in range(4)])
    result = hf.associate(
        pairs,
        client_for(sandbox),
        progress=False,
        workers=1,
        batch_size=1,
        cancel=cancel,
        on_progress=lambda rows: cancel.set(),  # cancelled once the first batch is back
    )
    assert result["status"].tolist() == ["success"] + ["skipped"] * 3
    assert result["error_code"].tolist()[1:] == ["CANCELLED"] * 3
    assert retry_rows(result).tolist() == [False, True, True, True]
    retry = export_retry(result, tmp_path / "retry.csv")
    assert hf.read_pairs(retry)["to_id"].tolist() == [CONTACTS[232 + n] for n in (1, 2, 3)]


def test_a_plan_made_ahead_serves_only_the_rows_it_was_made_of() -> None:
    """An associate run that records the state before plans while the reads travel
    (``Prepared.plan_ahead``).  That plan is given back only while the rows to send and the
    batch size are those it was made of: rows held back since (a failed read), a stop, or
    another batch size mean a new plan -- a stale one would send rows held back."""
    from hubframe.errors import StopReason
    from hubframe.run.pipeline import Prepared
    from hubframe.run.work import WorkItem
    from hubframe.run.worktable import WorkTable
    from hubframe.vocab import Action

    def prepared(rows: int) -> Prepared:
        items = [
            WorkItem(n, Action.ASSOCIATE_DEFAULT, "deals", "contacts", "1", str(10 + n))
            for n in range(rows)
        ]
        frame = pd.DataFrame({"from_id": ["1"] * rows, "to_id": [str(10 + n) for n in range(rows)]})
        return Prepared("pairs", frame, "associate", table=WorkTable.from_items(items))

    same = prepared(5)
    same.plan_ahead(2)
    ahead = same.ahead[0] if same.ahead else None
    assert same.plan(2) is ahead and ahead is not None
    assert [len(b.rows) for b in ahead.batches] == [2, 2, 1]
    assert same.ahead is None  # given once: a plan sent is not kept

    held = prepared(5)
    held.plan_ahead(2)
    held.table = held.work().take([0, 1, 3])  # rows 2 and 4 held back after planning
    assert held.plan(2).table.positions.tolist() == [0, 1, 3]

    stopped = prepared(5)
    stopped.plan_ahead(2)
    stopped.stop_all(StopReason(ErrorCode.RATE_LIMITED, "Not sent."), dict.fromkeys(range(5)))
    assert stopped.plan(2).batches == []

    other = prepared(5)
    other.plan_ahead(2)
    assert [len(b.rows) for b in other.plan(4).batches] == [4, 1]
