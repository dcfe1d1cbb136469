"""Arguments that are not yes/no or counts are held to their kinds too: a value of another kind
is a hubframe error naming the argument, never Python's TypeError or AttributeError from deep
inside (tests/test_argument_types.py holds the flags and counts).

Before: ``HubSpotClient(base_url=5)`` raised AttributeError, ``token=pd.NA`` and
``api_version=pd.NA`` "boolean value of NA is ambiguous"; ``export_report(result, 5)`` and
``undo(None, client)`` a pathlib TypeError; ``associate(..., issues="x")`` and
``export_report(..., validation="x")`` AttributeError, ``settings="x"`` a ValueError from
``dict()``; ``validate_pairs(..., check_records="no")`` checked the records (any text was yes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import hubframe
from hubframe.errors import ConfigurationError, HubframeError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")

#: Values of the wrong kind for a text, path, table or mapping argument.
ODD: list[Any] = [5, -1, 2**63, 1.5, float("nan"), pd.NA, np.int64(3), [1], ("x",), b"x", object()]


def _kind(value: Any) -> str:
    """A test id that is the same in every worker (an object's repr holds its address)."""
    return type(value).__name__


def _pairs() -> pd.DataFrame:
    return hubframe.read_pairs(pd.DataFrame({"Deal ID": [DEALS[0]], "Contact ID": [CONTACTS[0]]}))


def _result() -> pd.DataFrame:
    return _pairs().assign(status="planned")


def _refused(call: Any, *named: str) -> str:
    """``call()`` is refused by a hubframe error whose text names each of ``named``."""
    with pytest.raises(HubframeError) as refused:
        call()
    said = str(refused.value)
    for name in named:
        assert name in said, said
    return said


@pytest.mark.parametrize("value", ODD, ids=_kind)
@pytest.mark.parametrize("argument", ["token", "base_url", "api_version"])
def test_a_client_argument_of_another_kind_is_refused_by_name(
    sandbox: Sandbox, argument: str, value: Any
) -> None:
    kwargs: dict[str, Any] = {"token": sandbox.token, "base_url": sandbox.url}
    kwargs[argument] = value
    said = _refused(lambda: hubframe.HubSpotClient(**kwargs), argument)
    assert sandbox.token not in said


@pytest.mark.parametrize("value", [None, *ODD], ids=_kind)
def test_a_report_path_of_another_kind_is_refused(tmp_path: Path, value: Any) -> None:
    result = _result()
    _refused(lambda: hubframe.export_report(result, value), "not a file path")
    _refused(lambda: hubframe.export_retry(result.assign(status="failed"), value), "file path")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", [None, *ODD], ids=_kind)
def test_undo_of_something_that_is_no_run_is_refused(sandbox: Sandbox, value: Any) -> None:
    _refused(lambda: hubframe.undo(value, client_for(sandbox), dry_run=True, progress=False))


@pytest.mark.parametrize("value", ["x", *ODD, {"code": []}], ids=_kind)
def test_a_validation_that_is_no_table_is_refused(tmp_path: Path, value: Any) -> None:
    target = tmp_path / "r.xlsx"
    _refused(lambda: hubframe.export_report(_result(), target, validation=value), "validation=")
    assert not target.exists()


@pytest.mark.parametrize("value", ["x", "5", [("a", 1)], *ODD], ids=_kind)
def test_settings_that_are_no_mapping_are_refused(tmp_path: Path, value: Any) -> None:
    target = tmp_path / "r.xlsx"
    _refused(lambda: hubframe.export_report(_result(), target, settings=value), "settings=")
    assert not target.exists()


def test_settings_as_a_mapping_are_shown(tmp_path: Path) -> None:
    target = hubframe.export_report(_result(), tmp_path / "r.xlsx", settings={"who": "me"})
    summary = pd.read_excel(target, sheet_name="Summary", header=None, engine="calamine")
    assert "me" in summary.astype(str).to_numpy().ravel().tolist()


@pytest.mark.parametrize("value", ["x", "", *ODD], ids=_kind)
@pytest.mark.parametrize("job", ["associate", "remove_associations", "sync"])
def test_issues_that_are_no_table_are_refused_before_sending(
    sandbox: Sandbox, job: str, value: Any
) -> None:
    pairs = _pairs()
    sandbox.reset_request_log()
    run = getattr(hubframe, job)
    _refused(lambda: run(pairs, client_for(sandbox), issues=value, progress=False), "issues=")
    assert sandbox.request_log().empty


@pytest.mark.parametrize("value", ["x", *ODD], ids=_kind)
def test_limits_issues_that_are_no_table_are_refused(sandbox: Sandbox, value: Any) -> None:
    limits = hubframe.read_limits(pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": [3]}))
    _refused(
        lambda: hubframe.configure_limits(
            limits, client_for(sandbox), issues=value, dry_run=True, progress=False
        ),
        "issues=",
        "validate_limits",
    )


@pytest.mark.parametrize("value", ["no", "false", "", 0, 1, pd.NA, None], ids=_kind)
def test_check_records_is_true_or_false_only(sandbox: Sandbox, value: Any) -> None:
    """ "no" checked the records (any text was yes); pd.NA raised a TypeError."""
    with pytest.raises(ConfigurationError, match="check_records must be True or False"):
        hubframe.validate_pairs(_pairs(), client_for(sandbox), check_records=value)


@pytest.mark.parametrize("value", [pd.NA, 5, b"cli", ["cli"]], ids=_kind)
def test_a_syntax_of_another_kind_is_refused(sandbox: Sandbox, value: Any) -> None:
    with pytest.raises(ConfigurationError, match="syntax must be"):
        hubframe.read_pairs(_pairs(), syntax=value)
    with pytest.raises(ConfigurationError, match="syntax must be"):
        hubframe.read_associations(
            client_for(sandbox), "deals", "contacts", [DEALS[0]], syntax=value, progress=False
        )


_ANY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([pd.NA, np.nan, np.int64(1), object(), pd.Timestamp(0)]),
)


@settings(max_examples=examples(60), deadline=None)
@given(
    argument=st.sampled_from(["path", "validation", "settings", "base_url", "api_version"]),
    value=_ANY,
)
def test_any_value_is_a_result_or_a_hubframe_error(
    tmp_path_factory: pytest.TempPathFactory, argument: str, value: Any
) -> None:
    assume(argument != "path" or not isinstance(value, str))  # text: a file in the cwd
    folder = tmp_path_factory.mktemp("kinds")
    try:
        if argument in ("base_url", "api_version"):
            hubframe.HubSpotClient(token="pat-na1-" + "0" * 36, **{argument: value})
        elif argument == "path":
            hubframe.export_report(_result(), value)
        else:
            hubframe.export_report(_result(), folder / "r.xlsx", **{argument: value})
    except HubframeError:
        pass
