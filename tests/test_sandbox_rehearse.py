"""Sandbox.from_pairs: a sandbox holding a sheet's own records and labels, for a rehearsal."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubframe.io import read_limits, read_pairs
from hubframe.io.normalize import normalize_label
from hubframe.jobs import associate, configure_limits
from hubframe.sandbox import Sandbox
from hubframe.sandbox import rehearse as rehearse_module
from hubframe.sandbox.demo import DEAL_IDS
from hubframe.sandbox.rehearse import REHEARSAL_ID_START
from hubframe.testing import client_for


def _sheet() -> pd.DataFrame:
    return read_pairs(
        pd.DataFrame(
            {
                "Deal ID": ["81000000001", "81000000002", "81000000002", "12ab", "81000000003"],
                "Contact ID": ["71000000001", "71000000002", "71000000003", "71000000004", ""],
                "Association label": ["Sponsor", "", "sponsor ", "Budget", "Sponsor"],
            }
        )
    )


def test_the_sheets_records_and_labels_exist_and_the_run_succeeds() -> None:
    pairs = _sheet()
    with Sandbox.from_pairs(pairs) as sb:
        made = sb.rehearsal
        assert made is not None
        assert made.records == {"deals": 3, "contacts": 4}  # 12ab and the empty cell: not made
        assert made.labels == [("deals", "contacts", "Sponsor"), ("deals", "contacts", "Budget")]
        assert made.describe() == "7 records (3 deals, 4 contacts) and 2 labels"
        assert sb.labels("deals", "contacts")["label"].tolist().count("Sponsor") == 1  # any case
        result = associate(pairs, client_for(sb), progress=False)
    assert result["status"].tolist() == ["success", "success", "success", "invalid", "invalid"]
    assert result["error_code"].tolist()[3:] == ["BAD_ID", "MISSING_VALUE"]  # as for real


def test_emails_become_records_with_that_email() -> None:
    pairs = read_pairs(
        pd.DataFrame(
            {"Deal ID": ["81000000001", "81000000002"],
             "Contact email": ["Ann@Example.com", "ann@example.com "]}
        )
    )  # fmt: skip
    with Sandbox.from_pairs(pairs) as sb:
        assert sb.rehearsal is not None and sb.rehearsal.records["contacts"] == 1  # one person
        result = associate(pairs, client_for(sb), progress=False)
        links = sb.associations("deals", "contacts")
    assert result["status"].tolist() == ["success", "success"]
    assert set(links["to_id"]) == {str(REHEARSAL_ID_START)}


def test_an_unknown_custom_object_becomes_one() -> None:
    pairs = read_pairs(
        pd.DataFrame({"From ID": ["11", "12"], "To ID": ["21", "22"], "Label": ["", "Site"]}),
        from_type="2-555",
        to_type="contacts",
    )
    with Sandbox.from_pairs(pairs) as sb:
        assert sb.rehearsal is not None and sb.rehearsal.custom_objects == ["2-555"]
        result = associate(pairs, client_for(sb), progress=False)
    assert result["status"].tolist() == ["success", "success"]


def test_a_limits_sheet_gets_its_labels_and_seed_demo_keeps_the_demo() -> None:
    limits = read_limits(
        pd.DataFrame({"From": ["deals", "deals"], "To": ["contacts"] * 2,
                      "Label": ["Decision maker", "Gatekeeper"], "Max": ["3", "4"]})
    )  # fmt: skip
    with Sandbox.from_pairs(limits, seed="demo") as sb:
        assert sb.rehearsal is not None
        assert sb.rehearsal.labels == [("deals", "contacts", "Gatekeeper")]  # demo has the other
        assert sb.rehearsal.records == {}
        assert len(sb.associations("deals", "contacts")) > 0  # the demo portal is there
        result = configure_limits(limits, client_for(sb), progress=False)
    assert result["status"].tolist() == ["success", "success"]


def test_a_demo_id_in_a_demo_seeded_rehearsal_is_not_made_twice() -> None:
    pairs = read_pairs(pd.DataFrame({"Deal ID": [str(DEAL_IDS[0])], "Contact ID": ["71000000009"]}))
    sb = Sandbox.from_pairs(pairs, seed="demo")
    assert sb.rehearsal is not None and sb.rehearsal.records == {"contacts": 1}


def test_a_sheet_added_twice_makes_nothing_new() -> None:
    sb = Sandbox(seed=None)
    first = sb.add_sheet(_sheet())
    again = sb.add_sheet(_sheet())
    assert first.records and first.labels
    assert again.records == {} and again.labels == []
    assert sb.rehearsal is not None and sb.rehearsal.records == first.records


def test_a_rehearsal_needs_a_read_sheet() -> None:
    with pytest.raises(TypeError, match="read_pairs"):
        Sandbox.from_pairs("pairs.csv")


# --- labels spelled several ways -----------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ("Decision maker", "Decision\u200b maker"),  # a zero-width space pasted in
        ("Caf\u00e9", "Cafe\u0301"),  # the same letters composed and decomposed
        ("Champion", " champion "),
    ],
)
def test_spellings_a_run_takes_for_one_label_make_one_label(spellings: tuple[str, str]) -> None:
    """The rehearsal made a label of each spelling, so both rows were AMBIGUOUS_LABEL there
    while a portal holding the label gave a success and a repeat."""
    sheet = pd.DataFrame(
        {"Deal ID": ["2040000010"] * 2, "Contact ID": ["1019360050"] * 2, "Label": spellings}
    )
    pairs = read_pairs(sheet)
    with Sandbox.from_pairs(pairs) as sb:
        made = sb.labels("deals", "contacts")["label"].dropna().tolist()
        result = associate(pairs, client_for(sb), progress=False)
    assert sum(normalize_label(m) == normalize_label(spellings[0]) for m in made) == 1, made
    assert result["status"].tolist() == ["success", "duplicate"], result


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_the_rehearsal_compares_labels_as_the_client_does(text: str) -> None:
    assert rehearse_module._label_key(text) == normalize_label(text)
