"""Start-up cost: ``import hubframe`` against ``import pandas``, and ``hubframe --help``.

Each command runs in a fresh interpreter (this venv's), the commands taking turns, ``--repeat``
times (default 7); min and median wall times are printed, and the ratios the targets use:

- ``import hubframe`` / ``import pandas`` (target <= 1.15): hubframe needs pandas, so this is
  what hubframe adds on top of it;
- ``hubframe --help`` in seconds (target <= 0.15 s);
- the same with the interpreter's own start (``python -c pass``) subtracted, for reference.

``python -X importtime -c "import hubframe"`` shows where the time goes.
Run: ``.venv/bin/python bench/startup.py [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from functools import partial

from common import Timing, interleaved, ratio_line, timing_line

IMPORT_TARGET = 1.15
HELP_TARGET_S = 0.15


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import pandas'": [py, "-c", "import pandas"],
        "python -c 'import hubframe'": [py, "-c", "import hubframe"],
        "hubframe --help": [py, "-m", "hubframe", "--help"],
    }
    times = interleaved({name: partial(_run, argv) for name, argv in commands.items()}, args.repeat)
    for name, timing in times.items():
        print(timing_line(name, timing, width=30))
    bare = times["python -c pass"]
    pandas, ours = times["python -c 'import pandas'"], times["python -c 'import hubframe'"]
    print(ratio_line("import hubframe / import pandas", ours, pandas, IMPORT_TARGET))
    net = Timing([o - bare.min for o in ours.turns]), Timing([p - bare.min for p in pandas.turns])
    print(ratio_line("the same, interpreter start subtracted", *net))
    helped = times["hubframe --help"]
    verdict = "OK" if helped.median <= HELP_TARGET_S else "OVER TARGET"
    print(
        f"  hubframe --help: median {helped.median:.3f} s (target <= {HELP_TARGET_S} s: {verdict})"
    )


if __name__ == "__main__":
    main()
