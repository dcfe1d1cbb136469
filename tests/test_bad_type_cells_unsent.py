"""A type cell that names no object is never put in a request.

Before, a row whose from type cell held any text the run refuses offline (``BAD_OBJECT_TYPE``)
still had its pair's labels read: the cell went into the request's path (``..`` unescaped,
``a/b`` and ``deals?x=1`` percent-encoded, a pasted token into the path and so into the debug
log), in a dry run too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pandas as pd
import pytest
from fuzzseeds import examples
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hubframe as hf
from hubframe.sandbox import Sandbox
from hubframe.testing import client_for, demo_ids

DEAL, CONTACT = str(demo_ids("deals")[0]), str(demo_ids("contacts")[0])


@pytest.fixture(scope="module")
def portal() -> Any:
    with Sandbox(seed="demo") as sb:
        yield sb


def _paths_after(sb: Sandbox, cell: str) -> tuple[str, list[str]]:
    sb.reset_request_log()
    sheet = pd.DataFrame(
        {"From Type": [cell], "From ID": [DEAL], "Contact ID": [CONTACT], "Label": ["Champion"]}
    )
    result = hf.associate(sheet, client_for(sb), dry_run=True, progress=False)
    return str(result.loc[0, "error_code"]), sb.request_log()["path"].tolist()


cells = st.one_of(
    st.sampled_from(["..", ".", "a/b", "deals?x=1", "%2e%2e", "contacts/../deals", "0-999"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12),
)


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cell=cells)
@example(cell="..")
@example(cell="a/b")
@example(cell="deals?x=1")
def test_a_refused_type_cell_is_in_no_request(portal: Sandbox, cell: str) -> None:
    code, paths = _paths_after(portal, cell)
    if code != "BAD_OBJECT_TYPE":
        return  # a type the reader knows ('Deal', 'deals#'), or an empty cell
    stripped = cell.strip()
    for path in paths:
        assert stripped not in path and quote(stripped, safe="") not in path, (cell, path)
    assert not [p for p in paths if p.endswith("/labels")], paths  # the row is refused


def test_a_token_pasted_in_a_type_cell_is_in_no_request(portal: Sandbox) -> None:
    code, paths = _paths_after(portal, portal.token)
    assert code == "BAD_OBJECT_TYPE"
    assert not [p for p in paths if portal.token in p], paths
