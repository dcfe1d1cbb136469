"""Start-up: what ``import hubframe``, ``hubframe --help`` and the light paths load.

Structural checks only (which modules a fresh interpreter holds afterwards); the times are
``bench/startup.py``'s.  Each check runs in its own interpreter, since this one has imported
everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import hubframe

#: What no path below may load unless it uses it: Excel engines, HTTP, widgets, journal, bars.
HEAVY = ("openpyxl", "python_calamine", "requests", "urllib3", "ipywidgets", "sqlite3", "tqdm")
#: What the command line's parser may not load: the data stack and the sandbox's server.
DATA = ("pandas", "numpy", "pyarrow", "hubframe.sandbox.core", "http.server")


def _loaded(code: str, *watched: str) -> list[str]:
    """The modules of ``watched`` a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(set(sys.modules))))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    return [name for name in watched if name in modules]


def test_import_hubframe_loads_nothing_heavy() -> None:
    assert _loaded("import hubframe", *HEAVY, *DATA) == []


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["associate", "--help"], ["sync", "--help"], ["sandbox", "--help"]],
    ids=" ".join,
)
def test_help_loads_no_pandas(argv: list[str]) -> None:
    code = (
        "import contextlib, io, sys\n"
        "from hubframe.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main({argv!r})"
    )
    assert _loaded(code, *HEAVY, *DATA) == []


def test_python_m_hubframe_help_loads_no_pandas() -> None:
    code = (
        "import contextlib, io, runpy, sys\n"
        "sys.argv = ['hubframe', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    runpy.run_module('hubframe', run_name='__main__')"
    )
    assert _loaded(code, *HEAVY, *DATA) == []


def test_the_command_loads_nothing_of_its_own_before_it_catches_a_ctrl_c() -> None:
    """``hubframe.__main__.main`` catches a Ctrl-C from its first line: what the package loads
    before (``import hubframe``) is a window where a Ctrl-C was a traceback."""
    code = (
        "import sys\n"
        "from hubframe.__main__ import main\n"
        "print(sorted(m for m in sys.modules if m.startswith('hubframe')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "['hubframe', 'hubframe.__main__']"


def test_reading_and_checking_a_csv_offline_loads_no_http_excel_or_widgets(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "pairs.csv"
    sheet.write_text("from_type,from_id,to_type,to_id\ndeals,1,contacts,2\n", encoding="utf-8")
    code = (
        "import hubframe as hf\n"
        f"issues = hf.validate_pairs(hf.read_pairs({str(sheet)!r}))\n"
        "assert issues.empty, issues"
    )
    assert _loaded(code, *HEAVY) == []


#: What reading and checking a DataFrame offline needs none of: the file readers and the modules
#: a validation with a client (or a run) uses.
FILE_AND_RUN = (
    "hubframe.io.excel",
    "hubframe.io.csv",
    "hubframe.io.guard",
    "argparse",
    "difflib",
    "html",
    "hubframe.jobs.online",
    "hubframe.run.labels",
    "hubframe.run.lookup",
    "hubframe.hubspot",
)


def test_reading_and_checking_a_frame_offline_loads_no_file_reader_or_run_module() -> None:
    code = (
        "import pandas as pd\n"
        "import hubframe as hf\n"
        "pairs = hf.read_pairs(pd.DataFrame({'Deal ID': ['1'], 'Contact ID': ['2']}))\n"
        "assert hf.validate_pairs(pairs).empty\n"
    )
    assert _loaded(code, *HEAVY, *FILE_AND_RUN) == []


def test_a_file_loads_its_own_reader_only(tmp_path: Path) -> None:
    sheet = tmp_path / "pairs.csv"
    sheet.write_text("Deal ID,Contact ID\n1,2\n", encoding="utf-8")
    code = f"import hubframe as hf\nhf.read_pairs({str(sheet)!r})\n"
    assert _loaded(code, *FILE_AND_RUN) == ["hubframe.io.csv"]
    import hubframe.io
    from hubframe.io.excel import SheetInfo

    assert hubframe.io.SheetInfo is SheetInfo  # loaded on first use
    with pytest.raises(AttributeError):
        _ = hubframe.io.Nothing  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", hubframe.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(hubframe, name) is not None
    assert name in dir(hubframe)


def test_the_jobs_package_keeps_sync_for_the_job() -> None:
    """``hubframe.jobs.sync`` is a module and a job; the package's name is the job's, whichever
    is imported first (as it was when the package imported its jobs eagerly)."""
    code = (
        "import hubframe.jobs.sync_rules, hubframe.jobs.sync\n"
        "from hubframe.jobs import sync\n"
        "assert callable(sync) and sync.__module__ == 'hubframe.jobs.sync', sync"
    )
    _loaded(code)
    import hubframe.jobs as jobs

    for name in jobs.__all__:
        assert callable(getattr(jobs, name)), name
        assert name in dir(jobs)


def test_the_sandbox_package_names_resolve() -> None:
    import hubframe.sandbox as sandbox
    from hubframe.sandbox.core import Sandbox

    assert sandbox.Sandbox is Sandbox
    assert set(sandbox.__all__) <= set(dir(sandbox))
    with pytest.raises(AttributeError):
        _ = sandbox.Nothing  # type: ignore[attr-defined]


def test_a_run_without_a_bar_loads_no_tqdm_widgets_or_excel() -> None:
    code = (
        "import pandas as pd\n"
        "import hubframe as hf\n"
        "from hubframe.sandbox import Sandbox\n"
        "from hubframe.testing import client_for, demo_ids\n"
        "with Sandbox(seed='demo') as sb:\n"
        "    sheet = hf.read_pairs(pd.DataFrame(\n"
        "        [{'from_type': 'deals', 'from_id': str(demo_ids('deals')[5]),\n"
        "          'to_type': 'contacts', 'to_id': str(demo_ids('contacts')[7])}]))\n"
        "    result = hf.associate(sheet, client_for(sb), progress=False)\n"
        "    assert result['status'].tolist() == ['success'], result\n"
    )
    assert _loaded(code, "tqdm", "asyncio", "ipywidgets", "openpyxl", "python_calamine") == []
