"""hubframe.report.outputs: every output path checked before a run sends anything."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hubframe.errors import InputError
from hubframe.report import export_report
from hubframe.report.outputs import check_output, check_outputs


def test_good_paths_pass_and_leave_nothing_behind(tmp_path: Path) -> None:
    check_outputs(
        report=tmp_path / "a" / "b" / "report.xlsx",  # missing folders are created later
        retry_file=tmp_path / "retry.CSV",
        journal=tmp_path / "run.sqlite",
        sources=[tmp_path / "pairs.csv"],
    )
    assert list(tmp_path.iterdir()) == []  # no probe file left, no folder made


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"report": "r.pdf"}, "must end in .xlsx or .csv (this path has '.pdf')"),
        ({"retry_file": "retry"}, "retry file must end in .xlsx or .csv (this path has no"),
        ({"journal": "missing/run.sqlite"}, "does not exist"),
    ],
)
def test_bad_paths_say_what_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, str], named: str
) -> None:
    monkeypatch.chdir(tmp_path)
    # message text checked on purpose: the analyst must learn what to change
    with pytest.raises(InputError, match=named.replace("(", r"\(").replace(")", r"\)")):
        check_outputs(**kwargs)  # type: ignore[arg-type]


def test_a_folder_is_never_written_into(tmp_path: Path) -> None:
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        check_output(folder, "report")
    result = pd.DataFrame({"status": ["success"], "error_code": [None]})
    with pytest.raises(InputError, match="is a folder"):
        export_report(result, folder)
    assert list(folder.iterdir()) == []


def test_an_output_may_not_be_an_input_or_another_output(tmp_path: Path) -> None:
    sheet = tmp_path / "pairs.csv"
    sheet.write_text("Deal ID,Contact ID\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="is the file being read"):
        check_outputs(retry_file=tmp_path / "." / "pairs.csv", sources=[sheet])
    with pytest.raises(InputError, match="report and the journal cannot be one file"):
        check_outputs(report=tmp_path / "x.csv", journal=tmp_path / "x.csv")


def _hard_link(target: Path, name: str) -> Path:
    os.link(target, target.with_name(name))
    return target.with_name(name)


def _symlink(target: Path, name: str) -> Path:
    target.with_name(name).symlink_to(target)
    return target.with_name(name)


@pytest.mark.parametrize("second_name", [_hard_link, _symlink])
def test_one_file_under_two_names_is_one_file(
    tmp_path: Path, second_name: Callable[[Path, str], Path]
) -> None:
    """Compared by identity, not by path: a hard link resolves to a path of its own."""
    sheet = tmp_path / "pairs.csv"
    sheet.write_text("Deal ID,Contact ID\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="is the file being read"):
        check_outputs(report=second_name(sheet, "report.csv"), sources=[sheet])
    earlier = tmp_path / "old_report.csv"
    earlier.write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match="the report and the retry file cannot be one file"):
        check_outputs(report=earlier, retry_file=second_name(earlier, "retry.csv"))


@pytest.mark.parametrize("exists", [False, True])
def test_names_that_differ_only_in_capitals_are_refused(tmp_path: Path, exists: bool) -> None:
    """macOS's and Windows's usual disks take them for one file; Linux's do not, and whether a
    disk does cannot be known for files not written yet: refused everywhere."""
    sheet = tmp_path / "Pairs.csv"
    sheet.write_text("Deal ID,Contact ID\n1,2\n", encoding="utf-8")
    for path in (tmp_path / "Out.csv", tmp_path / "out.CSV"):
        if exists:  # empty: a file that holds no report is now refused for what it holds
            path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"differs from the report .* only in capital letters"):
        check_outputs(report=tmp_path / "Out.csv", retry_file=tmp_path / "out.CSV")
    with pytest.raises(InputError, match=r"differs from the sheet being read .* capital letters"):
        check_outputs(report=tmp_path / "PAIRS.csv", sources=[sheet])
    with pytest.raises(InputError, match="capital letters"):
        check_outputs(report=tmp_path / "x.csv", journal=tmp_path / "X.csv")
    check_outputs(report=tmp_path / "Out.csv", retry_file=tmp_path / "Out2.csv", sources=[sheet])


def test_an_export_is_checked_like_a_report(tmp_path: Path) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text("Deal ID\n1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"an export must end in \.xlsx or \.csv"):
        check_outputs(export=tmp_path / "deals.txt")
    with pytest.raises(InputError, match="is the file being read; write the export"):
        check_outputs(export=ids, sources=[ids, None])


def test_a_home_folder_path_is_written_in_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``export_report(result, "~/report.xlsx")`` wrote ./~/report.xlsx, a folder named "~"
    in the working directory, where no analyst looks; pandas' writers, and hubframe's
    readers, take ``~`` for the home folder, and so do the writers and the journal now."""
    import hubframe as hf
    from hubframe.run.journal import Journal

    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    result = pd.DataFrame(
        {"from_id": ["101"], "to_id": ["201"], "status": ["failed"], "error_code": ["X"]}
    )
    check_output("~/checked.xlsx", "report")
    export_report(result, "~/report.xlsx")
    hf.export_retry(result, "~/retry.csv")
    hf.write_pairs(pd.DataFrame({"from_id": ["101"], "to_id": ["201"]}), "~/pairs.csv")
    with Journal("~/run.sqlite"):
        pass
    assert sorted(p.name for p in home.iterdir()) == [
        "pairs.csv",
        "report.xlsx",
        "retry.csv",
        "run.sqlite",
    ]
    assert list(work.iterdir()) == []


NO_USER = "~no_such_user_hubframe"


@pytest.mark.parametrize(
    "use",
    ["read_pairs", "read_limits", "load_run", "export_report", "export_retry", "write_pairs",
     "journal", "check_output"],
)  # fmt: skip
def test_a_home_folder_of_no_user_is_a_message_naming_it(
    use: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``~analyst/deals.csv`` of a user this machine does not know raised Python's
    RuntimeError ("Could not determine home directory") out of every reader and writer (the
    command line printed a traceback); so did ``~`` with no home folder.  It is now a path
    an InputError saying why ``~name`` is not a home folder, and nothing is written (a writer
    wrote a folder named ``~name`` in the working folder)."""
    import hubframe as hf
    from hubframe.errors import HubframeError
    from hubframe.jobs import load_run
    from hubframe.run.journal import Journal

    result = pd.DataFrame({"from_id": ["101"], "to_id": ["201"], "status": ["failed"]})
    path = f"{NO_USER}/sheet.xlsx"
    calls = {
        "read_pairs": lambda: hf.read_pairs(path),
        "read_limits": lambda: hf.read_limits(path),
        "load_run": lambda: load_run(path),
        "export_report": lambda: export_report(result, path),
        "export_retry": lambda: hf.export_retry(result, path),
        "write_pairs": lambda: hf.write_pairs(result, path),
        "journal": lambda: Journal(f"{NO_USER}/run.sqlite"),
        "check_output": lambda: check_output(path, "report"),
    }
    monkeypatch.chdir(tmp_path)
    with pytest.raises(HubframeError) as refused:
        calls[use]()
    assert f"'{NO_USER}' is not a home folder" in str(refused.value), refused.value
    assert list(tmp_path.iterdir()) == []


# --- the Python writers check their path as the command line does ---------------------------
# Before, export_report / export_retry / write_pairs to a path whose folder is a file raised a
# bare FileExistsError naming the folder ("File exists"); a name too long or holding a NUL
# raised OSError / ValueError; a link pointing into a folder that does not exist made that
# folder and wrote there (an open for writing fails).


def _writers() -> dict[str, Any]:
    import hubframe as hf
    from hubframe.sandbox import Sandbox
    from hubframe.testing import client_for, demo_ids

    deal, contact = demo_ids("deals")[0], 1  # contact 1 does not exist: a failed row
    result = pd.DataFrame({"Deal ID": [str(deal)], "Contact ID": [str(contact)]})
    with Sandbox(seed="demo") as sb:
        pairs = hf.read_pairs(result, from_type="deals", to_type="contacts")
        table = hf.associate(pairs, client_for(sb), progress=False)
    assert (table["status"] == "failed").all()
    return {
        "export_report": lambda p: hf.export_report(table, p),
        "export_retry": lambda p: hf.export_retry(table, p),
        "write_pairs": lambda p: hf.write_pairs(result, p),
    }


def _folder_a_file(tmp: Path) -> Path:
    (tmp / "notafolder").write_text("")
    return tmp / "notafolder" / "out.xlsx"


def _dangling(tmp: Path) -> Path:
    (tmp / "link.csv").symlink_to(tmp / "gone" / "deeper" / "x.csv")
    return tmp / "link.csv"


BAD_PATHS: dict[str, tuple[Any, str]] = {
    "its folder a file": (_folder_a_file, "notafolder is a file, not a folder"),
    "a folder's folder a file": (
        lambda t: _folder_a_file(t).parent / "sub" / "out.csv",
        "notafolder is a file, not a folder",
    ),
    "a name too long": (lambda t: t / ("n" * 300 + ".csv"), "the file name is 304 bytes long"),
    "a NUL": (lambda t: t / "a\0b.csv", "cannot hold a NUL character"),
    "a link into no folder": (_dangling, "whose folder does not exist"),
}


@pytest.mark.parametrize("writer", ["export_report", "export_retry", "write_pairs"])
@pytest.mark.parametrize("case", list(BAD_PATHS))
def test_every_writer_refuses_a_path_no_file_can_have(
    writer: str, case: str, tmp_path: Path
) -> None:
    make, said = BAD_PATHS[case]
    path = make(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(InputError, match=re.escape(said)):
        _writers()[writer](path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert not (tmp_path / "gone").exists()
