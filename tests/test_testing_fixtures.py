"""hubframe.testing's fixtures, run as a downstream project's suite runs them."""

from __future__ import annotations

import pytest

from hubframe import redaction

pytest_plugins = ["pytester"]

SUITE = """
import pandas as pd
import hubframe as hf
from hubframe import redaction
from hubframe.testing import client_for

pytest_plugins = ["hubframe.testing"]
SEEN = []


def _report_of_a_run(sb, tmp_path, token):
    client = client_for(sb, token=token)
    assert token in redaction.spellings()  # registered while the test runs
    sheet = pd.DataFrame({"deal id": ["1", "2"], "contact id": ["3", "4"], "note": [token, "x"]})
    result = hf.associate(hf.read_pairs(sheet, from_type="deals", to_type="contacts"), client,
                          progress=False, dry_run=True)
    path = hf.export_report(result, tmp_path / "report.csv")
    assert token.casefold() not in path.read_text().casefold()  # redacted meanwhile
    SEEN.append(token)


def test_the_sandbox_fixture(sandbox, tmp_path):
    _report_of_a_run(sandbox, tmp_path, sandbox.token)


def test_the_factory_and_a_token_it_made(sandbox_factory, tmp_path):
    sb = sandbox_factory(seed="demo")
    _report_of_a_run(sb, tmp_path, sb.token)
    _report_of_a_run(sb, tmp_path, sb.create_token(["crm.objects.deals.read"]))


def test_zz_tokens_of_earlier_tests_are_forgotten():
    assert len(SEEN) == 3
    assert not set(SEEN) & set(redaction.spellings())
"""


@pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")  # the plugin, loaded again
def test_a_suites_sandboxes_leave_no_token_registered(pytester: pytest.Pytester) -> None:
    before = set(redaction.spellings())
    pytester.makepyfile(test_downstream=SUITE)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:xdist", "-q")
    result.assert_outcomes(passed=3)
    assert set(redaction.spellings()) <= before


def test_done_with_forgets_the_tokens_a_sandbox_made_and_keeps_one_it_was_given() -> None:
    from hubframe.sandbox import Sandbox
    from hubframe.testing import client_for, done_with

    given = "pat-na1-given-0000-1111"  # a token the process holds for its own client too
    redaction.register_secret(given)
    kept = Sandbox(seed=None, token=given).start()
    made = Sandbox(seed=None).start()
    client_for(made)
    extra = made.create_token(["crm.objects.deals.read"])
    redaction.register_secret(extra)
    done_with(kept)
    done_with(made)
    assert given in redaction.spellings()
    assert made.token not in redaction.spellings() and extra not in redaction.spellings()


def _registered(token: str) -> bool:
    return token in redaction.spellings()


def test_a_sandbox_redacts_its_tokens_while_it_runs_and_forgets_them_when_stopped() -> None:
    """A notebook running ``with Sandbox(...) as sb:`` again and again, or the app connecting
    again, made a new token each time, all kept for the life of the kernel: every report
    written afterwards searched for all of them (2 s an export at 500)."""
    from hubframe.sandbox import Sandbox

    sb = Sandbox(seed=None)
    assert not _registered(sb.token)  # nothing opens with it yet
    with sb:
        assert _registered(sb.token)  # redacted from the start, with or without a client
        extra = sb.create_token(["crm.objects.deals.read"])
        assert _registered(extra)
        assert sb.token not in redaction.redact(f"Bearer {sb.token}")
    assert not _registered(sb.token) and not _registered(extra)
    sb.start()  # started again: its tokens open it again, and are redacted again
    try:
        assert _registered(sb.token) and _registered(extra)
    finally:
        sb.stop()
    assert not _registered(sb.token) and not _registered(extra)


def test_a_stopped_sandbox_keeps_a_token_it_was_given_registered() -> None:
    from hubframe.sandbox import Sandbox

    given = "pat-na1-given-2222-3333"
    redaction.register_secret(given)
    try:
        with Sandbox(seed=None, token=given):
            pass
        assert _registered(given)
    finally:
        redaction.forget_secret(given)


def test_the_apps_connections_leave_no_token_behind() -> None:
    from hubframe.widgets.backend import connect

    before = set(redaction.spellings())
    tokens = []
    for mode in ("sandbox", "rehearse", "sandbox"):
        connection = connect(mode, token=None, base_url=None, api_version="2026-03")
        assert connection.sandbox is not None
        tokens.append(connection.sandbox.token)
        assert _registered(tokens[-1])
        connection.close()
    assert len(set(tokens)) == 3
    assert set(redaction.spellings()) <= before
