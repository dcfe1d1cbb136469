"""A run whose refused rows name pairs a stopped run of its journal applied says so.

A run stopped part-way (HubSpot stopped answering) applied some rows; a label was then
renamed in HubSpot ('Zeta' to 'Omega'), and the same sheet, run again with the journal, has
every row refused (``UNKNOWN_LABEL``): nothing is sent, so the stopped run is not resumed, and
before, its report said the rows were not applied with no word that the stopped run had
applied some of them.  The run now warns (``StoppedRunRowsRefused``), counting and naming
them, and so does a run that resumes the stopped one through its other rows.  Rows refused
for pairs the stopped run never applied, and a resume that refuses nothing, say nothing of the
kind.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import hubframe as hf
from hubframe.run.journal import ResumedRowsLeftOut, StoppedRunRowsRefused
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids, pairs_sheet
from tests.faultproxy import FaultProxy

DEALS, CONTACTS = demo_ids("deals"), demo_ids("contacts")
PAIRS = [(str(DEALS[20 + i]), str(CONTACTS[150 + i])) for i in range(40)]
KW: dict[str, Any] = {"batch_size": 10, "workers": 1, "progress": False}


def _held(sb: Sandbox, type_id: int) -> set[tuple[str, str]]:
    links = sb.associations("deals", "contacts")
    links = links.loc[links["type_id"].astype(int) == type_id]
    return set(zip(links["from_id"].astype(str), links["to_id"].astype(str), strict=True))


def _stop(sb: Sandbox, job: Any, rows: list[tuple[str, str, str]], journal: Path) -> None:
    with FaultProxy(sb, lose=2, then="refuse") as proxy:
        client = hf.HubSpotClient(
            token=sb.token, base_url=proxy.url, backoff_base=0.01, backoff_cap=0.05, max_retries=1
        )
        first = job(pairs_sheet(rows), client, journal=journal, **KW)
    assert (first["status"] == "success").any() and (first["status"] != "success").any()


def _caught(job: Any, rows: list[tuple[str, str, str]], sb: Sandbox, journal: Path) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = job(pairs_sheet(rows), client_for(sb), journal=journal, **KW)
    said = [str(w.message) for w in caught if issubclass(w.category, StoppedRunRowsRefused)]
    return result, said


def _names_applied(said: list[str], applied: set[tuple[str, str]], job: Any, type_id: int) -> None:
    """One warning, counting the rows ``applied`` and naming the first as the job left it."""
    assert len(said) == 1, said
    assert f"applied {len(applied):,} rows" in said[0], said[0]
    first = sorted(applied, key=PAIRS.index)[0]
    verb = "created" if job is hf.associate else "removed"
    shown = f"deal {first[0]} -> contact {first[1]} (its label of type id {type_id} {verb})"
    assert shown in said[0], said[0]


@pytest.mark.parametrize("job", [hf.associate, hf.remove_associations], ids=["add", "remove"])
def test_a_label_renamed_after_a_stopped_run_names_the_rows_it_applied(
    job: Any, tmp_path: Path
) -> None:
    journal = tmp_path / "run.sqlite"
    rows = [(d, c, "Zeta") for d, c in PAIRS]
    with Sandbox(seed="demo") as sb:
        client = client_for(sb)
        client.create_label("deals", "contacts", "zeta", "Zeta", "Zeta of")
        zeta = sb.type_id("deals", "contacts", "Zeta")
        if job is hf.remove_associations:
            hf.associate(pairs_sheet(rows), client, **KW)
        _stop(sb, job, rows, journal)
        held = _held(sb, zeta)
        applied = held if job is hf.associate else set(PAIRS) - held
        assert 0 < len(applied) < len(PAIRS)
        client.update_label("deals", "contacts", zeta, "Omega", "Omega of")
        result, said = _caught(job, rows, sb, journal)
        assert set(result["error_code"]) == {"UNKNOWN_LABEL"}, result
        _names_applied(said, applied, job, zeta)
        assert "renamed" in said[0] and "undo" in said[0]
        assert _held(sb, zeta) == held  # nothing sent


def test_refused_rows_of_pairs_the_stopped_run_left_alone_say_nothing(tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _stop(sb, hf.associate, [(d, c, "Champion") for d, c in PAIRS[:20]], journal)
        _, said = _caught(hf.associate, [(d, c, "Nope") for d, c in PAIRS[20:]], sb, journal)
        assert said == []


def test_a_resume_after_the_label_is_fixed_says_nothing_of_the_kind(tmp_path: Path) -> None:
    journal = tmp_path / "run.sqlite"
    rows = [(d, c, "Champion") for d, c in PAIRS]
    with Sandbox(seed="demo") as sb:
        _stop(sb, hf.associate, rows, journal)
        result, said = _caught(hf.associate, rows, sb, journal)
        assert said == [] and set(result["status"]) == {"success"}


@pytest.mark.parametrize("bad", ["abc", "", "1.2E+3", "12 34", None])
def test_a_sheet_written_the_other_way_with_bad_cells_names_the_pairs_and_keeps_every_row(
    bad: str | None, tmp_path: Path
) -> None:
    """The refused rows' pairs match the stopped run's in either direction (a contact -> deal
    sheet of the same pairs), and a refused row whose id cell is not an id neither breaks the
    check nor loses its row."""
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        _stop(sb, hf.associate, [(d, c, "Champion") for d, c in PAIRS], journal)
        champion = sb.type_id("deals", "contacts", "Champion")
        applied = _held(sb, champion) & set(PAIRS)
        flipped = pd.DataFrame(
            {
                "Contact ID": [c for _, c in PAIRS] + [bad],
                "Deal ID": [d for d, _ in PAIRS] + [PAIRS[0][0]],
                "Association label": ["Nope"] * (len(PAIRS) + 1),
            }
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = hf.associate(flipped, client_for(sb), journal=journal, **KW)
        said = [str(w.message) for w in caught if issubclass(w.category, StoppedRunRowsRefused)]
        assert len(result) == len(flipped) and set(result["status"]) == {"invalid"}, result
        assert len(said) == 1, said
        assert f"applied {len(applied):,} rows" in said[0], said[0]
        assert _held(sb, champion) & set(PAIRS) == applied  # nothing sent


@pytest.mark.parametrize("job", [hf.associate, hf.remove_associations], ids=["add", "remove"])
@pytest.mark.parametrize("refused", [range(0, 10), [*range(5, 8), *range(30, 36)], range(30, 40)])
def test_a_resume_whose_refused_rows_name_pairs_the_stopped_run_applied_says_so(
    job: Any, refused: range | list[int], tmp_path: Path
) -> None:
    """A run resuming the stopped one through its other rows (the same batches) refused some
    rows ('Champion' mistyped 'Nope'): the stopped run's 'Champion' on those pairs was said
    nowhere -- the resumed run's rows left out counted a refused row as naming its pair, and
    the refused-rows check looked only at runs not resumed."""
    journal = tmp_path / "run.sqlite"
    with Sandbox(seed="demo") as sb:
        champion = sb.type_id("deals", "contacts", "Champion")
        if job is hf.remove_associations:
            hf.associate(pairs_sheet([(d, c, "Champion") for d, c in PAIRS]), client_for(sb), **KW)
        _stop(sb, job, [(d, c, "Champion") for d, c in PAIRS], journal)
        held = _held(sb, champion) & set(PAIRS)
        applied = held if job is hf.associate else set(PAIRS) - held
        rows = [(d, c, "Nope" if i in refused else "Champion") for i, (d, c) in enumerate(PAIRS)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = job(pairs_sheet(rows), client_for(sb), journal=journal, **KW)
        said = [str(w.message) for w in caught if issubclass(w.category, StoppedRunRowsRefused)]
        left = [w for w in caught if issubclass(w.category, ResumedRowsLeftOut)]
        assert result["status"].tolist() == [
            "invalid" if i in refused else "success" for i in range(len(PAIRS))
        ], result
        named = {PAIRS[i] for i in refused} & applied
        assert left == []
        if not named:
            assert said == []
            return
        _names_applied(said, named, job, champion)


def test_the_warning_leaves_out_what_this_run_sends_again_on_a_refused_rows_pair(
    tmp_path: Path,
) -> None:
    """Each pair had two rows, 'Champion' and 'Decision maker'; the rerun's 'Champion' rows
    are mistyped (refused), its 'Decision maker' rows sent again and reported.  The warning
    counted the stopped run's 'Decision maker' rows too, which this report shows itself."""
    journal = tmp_path / "run.sqlite"
    rows = [(d, c, label) for d, c in PAIRS[:20] for label in ("Champion", "Decision maker")]
    with Sandbox(seed="demo") as sb:
        _stop(sb, hf.associate, rows, journal)
        champion = sb.type_id("deals", "contacts", "Champion")
        applied = _held(sb, champion) & set(PAIRS)
        maker = sb.type_id("deals", "contacts", "Decision maker")
        assert applied and _held(sb, maker)
        again = [(d, c, "Nope" if label == "Champion" else label) for d, c, label in rows]
        result, said = _caught(hf.associate, again, sb, journal)
        assert result["status"].tolist() == ["invalid", "success"] * 20, result
        _names_applied(said, applied, hf.associate, champion)
        assert f"type id {maker} created" not in said[0], said[0]
