"""A CSV file's lines are bounded before the engine reads it (``max_csv_lines``).

Every line is a row through the read (blank ones too, to keep the sheet's row numbers), some
100 bytes each whatever its own size: a header, one pair and 40 MB of line breaks took 2.5 GB,
100 MB would have taken about 10 GB.  Past the limit the read is refused naming the file and
the limit; the limit is raisable per call.
"""

from __future__ import annotations

import io
import resource
from pathlib import Path

import pytest

from hubframe.errors import InputError
from hubframe.io import ReadLimits, read_pairs

ARGS = {"from_type": "deals", "to_type": "contacts"}
HEAD = b"Deal ID,Contact ID\n2040000001,1019360001\n"


@pytest.mark.parametrize("breaks", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("given", ["bytes", "path"])
def test_a_file_of_more_lines_than_the_limit_is_refused_before_it_is_read(
    breaks: bytes, given: str, tmp_path: Path
) -> None:
    data = HEAD.replace(b"\n", breaks) + breaks * 2_000
    source: object = io.BytesIO(data)
    if given == "path":
        source = tmp_path / "pairs.csv"
        source.write_bytes(data)  # type: ignore[attr-defined]
    with pytest.raises(InputError, match=r"2,003 lines.*at most 1,000 lines.*max_csv_lines"):
        read_pairs(source, limits=ReadLimits(max_csv_lines=1_000), **ARGS)
    pairs = read_pairs(io.BytesIO(data), limits=ReadLimits(max_csv_lines=2_003), **ARGS)
    assert pairs["to_id"].tolist() == ["1019360001"]


def test_forty_megabytes_of_line_breaks_cost_no_gigabytes() -> None:
    """The default limit (10,000,000 lines) refuses 40 MB of line breaks at once, where the
    read used to grow by 2.5 GB."""
    data = HEAD + b"\n" * 40_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError, match="max_csv_lines"):
        read_pairs(io.BytesIO(data), **ARGS)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300_000  # KB


def test_blank_lines_within_the_limit_keep_the_rows_numbers() -> None:
    data = b"Deal ID,Contact ID\n\n\n2040000001,1019360001\n\n2040000002,1019360002\n"
    pairs = read_pairs(io.BytesIO(data), **ARGS)
    assert pairs["row"].tolist() == [4, 6]


@pytest.mark.parametrize("mass", [b"\r", b"\r\n\r", b"\n\r"])
def test_line_breaks_of_every_kind_count_in_one_file(mass: bytes) -> None:
    """LF lines beside lone CRs: counting LF alone (CR only where there was none) let a file
    of one LF and thousands of CRs through, every CR a row of the read."""
    data = HEAD + mass * 1_000
    with pytest.raises(InputError, match="max_csv_lines"):
        read_pairs(io.BytesIO(data), limits=ReadLimits(max_csv_lines=1_000), **ARGS)


def test_a_crlf_cut_between_two_blocks_is_one_line_break(tmp_path: Path) -> None:
    """A file read in 16 MB blocks: a CR LF whose CR ends a block counts once."""
    from hubframe.io.csv import _line_breaks
    from hubframe.io.sources import Loaded

    path = tmp_path / "pairs.csv"
    path.write_bytes(b"x" * ((1 << 24) - 1) + b"\r\n" + b"y\r\n")
    assert _line_breaks(Loaded("pairs.csv", path=path)) == 2
