"""A removal sent without the read before it never claims to have removed something.

``remove`` and ``undo`` read the portal before removing: an association not there is
``skipped`` ``NOT_ASSOCIATED``, never a ``success`` (docs/cli.md).  When that read failed
(HubSpot answering 5xx past the retries), the rows were sent all the same, and the read back
after sending, which finds any association removed (as it always is for one that was never
there), reported a plain ``success``: a pair never associated said "removed".  The rows are
still sent (the state asked for is reached either way, and a run whose read failed is not
failed whole), but each one's message now says that whether HubSpot held it before could not
be read, and its success only that HubSpot holds no such association after the run.
"""

from __future__ import annotations

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.hubspot.client import HubSpotClient
from hubframe.sandbox import Sandbox

DEALS = [str(7_400_000_001 + i) for i in range(3)]
CONTACTS = [str(8_400_000_001 + i) for i in range(3)]
UNCHECKED = "could not be read"


def _portal() -> tuple[Sandbox, int]:
    """Deal 0 linked to contact 0 with label "A"; deal 2 to contact 2 unlabeled; deal 1 and
    contact 1 not associated at all."""
    sb = Sandbox(seed=None)
    sb.add_records("deals", DEALS)
    sb.add_records("contacts", CONTACTS)
    label = sb.add_label("deals", "contacts", "A")
    sb.associate("deals", DEALS[0], "contacts", CONTACTS[0], label)
    sb.associate("deals", DEALS[2], "contacts", CONTACTS[2])
    return sb, label


def _sheet() -> pd.DataFrame:
    """Label A of a pair that has it, a pair never associated (whole, and its label A), and
    a plain link that is there."""
    return pd.DataFrame(
        {
            "Deal ID": [DEALS[0], DEALS[1], DEALS[1], DEALS[2]],
            "Contact ID": [CONTACTS[0], CONTACTS[1], CONTACTS[1], CONTACTS[2]],
            "Association label": ["A", "", "A", ""],
        }
    )


def _client(url: str, sb: Sandbox) -> HubSpotClient:
    return HubSpotClient(token=sb.token, base_url=url, backoff_base=0.001, backoff_cap=0.002)


def _reads_fail_until_sending(fp: FaultProxy) -> dict[str, object]:
    """Run options under which every batch read fails until the run starts sending."""
    fp.fail_reads = True

    def sending(rows: int) -> None:
        fp.fail_reads = False

    return {"on_start": sending, "progress": False}


def _claims_no_removal(result: pd.DataFrame, status: str) -> None:
    assert result["status"].tolist() == [status] * len(result), result
    for message in result["error_message"]:
        assert UNCHECKED in str(message) and "not that there was one to remove" in str(message)


def test_a_remove_whose_read_before_failed_claims_no_removal() -> None:
    """Before: rows 2 and 3 (never there) were a plain ``success``, like the others."""
    sb, _ = _portal()
    with sb, FaultProxy(sb) as fp:
        options = _reads_fail_until_sending(fp)
        result = hf.remove_associations(_sheet(), _client(fp.url, sb), **options)
        left = sb.associations("deals", "contacts")
    assert left["type_id"].tolist() == [3]  # deal 0 and contact 0 lost their label only
    _claims_no_removal(result, "success")
    assert result["error_code"].isna().all()  # done: nothing in the retry file


def test_its_dry_run_says_the_same_on_the_planned_rows() -> None:
    sb, _ = _portal()
    with sb, FaultProxy(sb) as fp:
        options = _reads_fail_until_sending(fp)
        result = hf.remove_associations(_sheet(), _client(fp.url, sb), dry_run=True, **options)
        assert len(sb.associations("deals", "contacts")) == 3
    _claims_no_removal(result, "planned")


def test_an_undo_whose_read_before_failed_claims_no_removal() -> None:
    """The undo of a run that labeled three linked pairs, one of whose labels was removed by
    hand since: before, the undo said ``success`` for that one too."""
    sb, label = _portal()
    with sb:
        sb.associate("deals", DEALS[1], "contacts", CONTACTS[1])
        sheet = pd.DataFrame(
            {"Deal ID": DEALS[1:], "Contact ID": CONTACTS[1:], "Association label": ["A", "A"]}
        )
        made = hf.associate(sheet, _client(sb.url, sb), record_existing=True, progress=False)
        assert made["linked_before"].tolist() == [True, True]
        hf.remove_associations(sheet.iloc[[0]], _client(sb.url, sb), progress=False)
        with FaultProxy(sb) as fp:
            options = _reads_fail_until_sending(fp)
            result = hf.undo(made, _client(fp.url, sb), **options)
        left = sb.associations("deals", "contacts")
    _claims_no_removal(result, "success")
    assert label not in set(left.loc[left["from_id"] != DEALS[0], "type_id"])


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_read_that_answers_says_nothing_more_as_before(dry_run: bool) -> None:
    sb, _ = _portal()
    with sb:
        result = hf.remove_associations(
            _sheet(), _client(sb.url, sb), dry_run=dry_run, progress=False
        )
    done = "planned" if dry_run else "success"
    assert result["status"].tolist() == [done, "skipped", "skipped", done]
    assert set(result["error_code"].dropna()) == {"NOT_ASSOCIATED"}
    assert not result["error_message"].fillna("").str.contains(UNCHECKED).any()
