"""The worked notebooks run top to bottom against the built-in sandbox, with no edits.

Each notebook is executed with nbclient in a kernel of this interpreter (the venv), with a
time limit per cell.  A last "probe" cell, added to the in-memory copy only, reveals the
sandbox token the notebook used, so the test can check that no saved output and no saved
widget state contains it.  The committed notebooks must carry no outputs.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient", reason="the notebook extra (nbclient) is not installed")
pytest.importorskip("ipykernel", reason="the notebook extra (ipykernel) is not installed")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120
PROBE = "HUBFRAME-PROBE"

PROBES = {
    "01_associate_records.ipynb": f'print("{PROBE}", sandbox.token)',
    "02_association_limits.ipynb": f'print("{PROBE}", sandbox.token)',
    "04_sync.ipynb": f'print("{PROBE}", sandbox.token)',
    # Connect the app with a typed token, load the sample sheet by path and run it, so the
    # saved widget state is that of a used app.
    "03_app.ipynb": f"""
import sys
from hubframe.sandbox import Sandbox
_sb = Sandbox(seed="demo").start()
hf_app.mode.value = "hubspot"
hf_app.token.value, hf_app.base_url.value = _sb.token, _sb.url
hf_app.connect_button.click()
assert hf_app.wait(60)
hf_app.path.value = str(Path.cwd().parent / "sample_data" / "deals_contacts.xlsx")
hf_app.load_button.click()
assert hf_app.wait(60)
hf_app.run_button.click()
assert hf_app.wait(120)
assert hf_app.result is not None, hf_app.message.value
print("{PROBE}", _sb.token, int((hf_app.result["status"] == "success").sum()), sys.executable)
""",
}


def _execute(name: str) -> tuple[nbformat.NotebookNode, str]:
    """Run the notebook plus its probe cell; return it and the probe's output text."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    probe = PROBES[name]
    if name == "03_app.ipynb":
        probe = "from pathlib import Path\n" + probe
    notebook.cells.append(nbformat.v4.new_code_cell(probe))
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        store_widget_state=True,
    )
    client.execute()
    probe_cell = notebook.cells.pop()
    text = "".join(o.get("text", "") for o in probe_cell.outputs if o.output_type == "stream")
    assert PROBE in text, f"the probe cell printed nothing: {probe_cell.outputs}"
    return notebook, text


@pytest.mark.parametrize("name", sorted(PROBES))
def test_notebook_is_committed_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name
    assert "widgets" not in notebook.metadata, f"{name} carries saved widget state"
    assert notebook.metadata.kernelspec.name == "python3"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROBES))
def test_notebook_runs_top_to_bottom_without_leaking_the_token(name: str) -> None:
    notebook, probe = _execute(name)
    token = probe.split()[1]
    assert re.fullmatch(r"pat-[\w-]+", token), probe
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            assert output.get("name") != "stderr" or "Traceback" not in output.get("text", "")
    saved = json.dumps(nbformat.from_dict(notebook))
    assert token not in saved, f"{name}: the access token appears in the saved notebook"
    if name == "03_app.ipynb":
        words = probe.split()
        assert int(words[2]) > 0, "the app ran the sample sheet without a single success"
        assert words[3] == sys.executable, "the kernel is not this interpreter (the venv)"
        assert "application/vnd.jupyter.widget-view+json" in saved
