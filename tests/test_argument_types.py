"""Yes/no and number arguments are held to their types (hubframe.argtypes), before anything is
read or sent.

Before: any non-empty text was true, so ``sync(..., allow_removals="no")`` removed what the
sheet lacked, ``read_limits(..., remove_blank="false")`` made every blank limit a removal and
``allow_primary_removal="no"`` let a primary go; ``batch_size=2.5``, ``workers="4"`` or
``journal=5`` stopped a run with a TypeError from deep inside.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hubframe
from hubframe.argtypes import count, flag
from hubframe.errors import ConfigurationError, InputError
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEALS = demo_ids("deals")
CONTACTS = demo_ids("contacts")
NOT_FLAGS = ["no", "false", "False", "0", "", 0, 1, 0.0, None, [], np.array([True])]
NOT_COUNTS = [2.5, "4", "", True, np.True_, 1e3, [3], np.float64(2.0)]


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.binary()))
def test_a_flag_is_true_or_false_only(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="must be True or False"):
        flag("allow_removals", value)


@pytest.mark.parametrize("value", NOT_FLAGS)
def test_words_numbers_and_none_are_not_flags(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="must be True or False"):
        flag("dry_run", value)


@pytest.mark.parametrize("value", [True, False, np.True_, np.False_])
def test_booleans_are_flags(value: Any) -> None:
    assert flag("x", value) is bool(value)


@given(st.integers(-5, 10**9))
def test_counts_are_whole_numbers_at_least_their_minimum(value: int) -> None:
    if value >= 1:
        assert count("batch_size", value) == value
        assert count("batch_size", np.int64(value)) == value
    else:
        with pytest.raises(ConfigurationError, match="must be 1 or more"):
            count("batch_size", value)


@pytest.mark.parametrize("value", NOT_COUNTS)
def test_other_numbers_are_not_counts(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="must be a whole number"):
        count("workers", value)


def _links(sb: Sandbox, deal: int) -> set[str]:
    found = hubframe.read_associations(client_for(sb), "deals", "contacts", [deal], progress=False)
    return set(found["to_id"].dropna().astype(str))


@pytest.mark.parametrize("word", ["no", "false", "0"])
def test_a_sync_told_no_in_words_removes_nothing(sandbox_factory: Any, word: str) -> None:
    sb = sandbox_factory(seed="demo")
    deal = DEALS[6]
    linked = pd.DataFrame({"Deal ID": [deal] * 3, "Contact ID": list(CONTACTS[:3])})
    hubframe.associate(linked, client_for(sb), progress=False)
    before = _links(sb, deal)
    for name in ("allow_removals", "allow_primary_removal"):
        with pytest.raises(ConfigurationError, match=f"{name} must be True or False"):
            hubframe.sync(linked.iloc[:1], client_for(sb), progress=False, **{name: word})
    assert _links(sb, deal) == before


@pytest.mark.parametrize("word", ["false", "no"])
def test_blank_limits_stay_blank_unless_told_true(word: str) -> None:
    sheet = pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": [None]})
    with pytest.raises(ConfigurationError, match="remove_blank must be True or False"):
        hubframe.read_limits(sheet, remove_blank=word)
    assert not hubframe.read_limits(sheet, remove_blank=False)["remove"].any()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("dry_run", "false"),
        ("progress", "no"),
        ("batch_size", 2.5),
        ("batch_size", "100"),
        ("workers", "4"),
        ("journal", 5),
        ("journal", b"run.sqlite"),
        ("preflight", "no"),
        ("skip_existing", "no"),
        ("send_predicted_failures", 1),
        ("record_existing", "yes"),
        ("on_progress", "print"),
        ("cancel", True),
    ],
)
def test_every_job_refuses_an_option_of_another_type_before_sending(
    sandbox: Sandbox, option: str, value: Any
) -> None:
    pairs = pd.DataFrame({"Deal ID": [DEALS[7]], "Contact ID": [CONTACTS[7]]})
    before = _links(sandbox, DEALS[7])
    with pytest.raises(ConfigurationError, match=option):
        hubframe.associate(pairs, client_for(sandbox), **{option: value})
    assert _links(sandbox, DEALS[7]) == before
    if option in ("dry_run", "batch_size", "workers", "journal"):
        limits = pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": [3]})
        with pytest.raises(ConfigurationError, match=option):
            hubframe.configure_limits(limits, client_for(sandbox), **{option: value})


def test_labels_and_exports_check_their_own_flags(sandbox: Sandbox) -> None:
    labels = pd.DataFrame({"From type": ["deals"], "To type": ["contacts"], "Label": ["New"]})
    with pytest.raises(ConfigurationError, match="dry_run"):
        hubframe.configure_labels(labels, client_for(sandbox), dry_run="yes")
    with pytest.raises(ConfigurationError, match="renames"):
        hubframe.configure_labels(labels, client_for(sandbox), renames="no")
    with pytest.raises(ConfigurationError, match="workers"):
        hubframe.read_associations(
            client_for(sandbox), "deals", "contacts", [DEALS[0]], workers=0.5
        )
    with pytest.raises(ConfigurationError, match="usage_scan_max"):
        hubframe.configure_limits(
            pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": [3]}),
            client_for(sandbox),
            dry_run=True,
            usage_scan_max="10",
        )


@pytest.mark.parametrize(
    ("argument", "value", "said"),
    [
        ("label", 5, "label= takes a label's name as text"),
        ("label", 1.5, "label= takes a label's name as text"),
        ("label", ["Champion"], "label= takes a label's name as text"),
        ("columns", ["Deal ID"], "columns= maps the sheet's headers"),
        ("limits", 5, "limits= takes a hubframe.ReadLimits"),
        ("syntax", "bogus", "syntax must be"),
    ],
)
def test_read_arguments_of_another_kind_are_refused(argument: str, value: Any, said: str) -> None:
    """A label given as a number was left out, and every row read without it."""
    sheet = pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["2"]})
    with pytest.raises(hubframe.HubframeError, match=said):
        hubframe.read_pairs(sheet, **{argument: value})


@pytest.mark.parametrize("value", [None, np.nan, pd.NA])
def test_a_missing_label_argument_is_no_label(value: Any) -> None:
    """(An empty or blank label is refused: tests/test_blank_options.py.)"""
    sheet = pd.DataFrame({"Deal ID": ["1"], "Contact ID": ["2"]})
    assert hubframe.read_pairs(sheet, label=value)["label"].isna().all()


def _two_sheets() -> bytes:
    from hubframe.testing import workbook_bytes

    rows = {
        "A": [["Deal ID", "Contact ID"], ["1", "2"]],
        "B": [["Deal ID", "Contact ID"], ["3", "4"]],
    }
    return workbook_bytes(rows)


@pytest.mark.parametrize("sheet", [1.0, np.float64(1), [0, 1], ("A",), b"B"])
def test_a_sheet_argument_of_another_kind_is_refused_by_name(sheet: Any) -> None:
    """It was blamed on the file: 'the file could not be read (AttributeError ...): save it
    again as .xlsx'."""
    with pytest.raises(InputError, match="sheet= takes a sheet's name"):
        hubframe.read_pairs(_two_sheets(), sheet=sheet, from_type="deals", to_type="contacts")


def test_a_numpy_position_names_its_sheet() -> None:
    read = hubframe.read_pairs(
        _two_sheets(), sheet=np.int64(1), from_type="deals", to_type="contacts"
    )
    assert read["from_id"].tolist() == ["3"]


@pytest.mark.parametrize("ids", [[True], [DEALS[0], False], np.array([True])])
def test_true_and_false_are_not_the_records_1_and_0(sandbox: Sandbox, ids: Any) -> None:
    """ids=[True] read the associations of record 1."""
    with pytest.raises(InputError, match="not record ids"):
        hubframe.read_associations(client_for(sandbox), "deals", "contacts", ids, progress=False)


@pytest.mark.parametrize("one", [DEALS[0], str(DEALS[0]), np.int64(DEALS[0])])
def test_one_id_reads_that_record(sandbox: Sandbox, one: Any) -> None:
    """One id given alone was taken for a file of that name ('no such file')."""
    found = hubframe.read_associations(
        client_for(sandbox), "deals", "contacts", one, progress=False
    )
    assert set(found["from_id"].astype(str)) == {str(DEALS[0])}


@pytest.mark.parametrize(
    ("argument", "value"),
    [("job", "bogus"), ("job", "Associate"), ("sandbox", "no"), ("api_version", "v5")],
)
def test_the_app_refuses_arguments_of_another_kind_by_name(argument: str, value: Any) -> None:
    """ipywidgets raised a TraitError ('Invalid selection: value not found'), and
    sandbox='no' was taken for True."""
    with pytest.raises(ConfigurationError, match=argument):
        hubframe.app(**{argument: value})


@pytest.mark.parametrize(
    "keyword", ["from_type", "to_type", "label", "columns", "from_id_property"]
)
@pytest.mark.parametrize("value", [10**5000, "no text"], ids=["int of 5,000 digits", "no text"])
def test_an_argument_python_cannot_write_is_refused_by_name(keyword: str, value: object) -> None:
    """``read_pairs(df, from_type=10**5000)`` (or an object whose str fails) failed with
    Python's own error while the message refusing it was built; it is refused naming it."""
    import pandas as pd
    from oddcells import NoText

    import hubframe as hf

    given = NoText() if value == "no text" else value
    frame = pd.DataFrame({"Deal ID": ["101"], "Contact ID": ["201"]})
    with pytest.raises(hf.HubframeError) as refused:
        hf.read_pairs(frame, **{keyword: given})
    said = str(refused.value)
    assert "about 5,001 digits" in said or "NoText" in said, said


def test_a_flag_or_an_object_type_python_cannot_write_is_refused_by_name() -> None:
    import hubframe as hf
    from hubframe.argtypes import flag
    from hubframe.sandbox import Sandbox

    with pytest.raises(hf.ConfigurationError, match="about 5,001 digits"):
        flag("dry_run", 10**5000)
    with Sandbox(seed="demo") as sb:
        client = hf.HubSpotClient(token=sb.token, base_url=sb.url)
        with pytest.raises(hf.InputError, match="about 5,001 digits"):
            hf.read_associations(client, 10**5000, "contacts", ["1"], progress=False)
