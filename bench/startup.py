"""Start-up cost: ``import hubframe`` against ``import pandas``, and ``hubframe --help``.

Each command runs in a fresh interpreter (this venv's), the commands taking turns, ``--repeat``
times (default 7); min and median wall times are printed, and the ratios the targets use:

- ``import hubframe`` / ``import pandas`` (target <= 1.15): the public names are imported on
  first use, so ``import hubframe`` loads neither pandas nor anything heavier;
- the first use of the read path (``import hubframe; hf.read_pairs; hf.validate_pairs``) /
  ``import pandas`` (the same target): what hubframe adds on top of pandas once used;
- ``hubframe --help`` in seconds (target <= 0.15 s);
- the import ratio with the interpreter's own start (``python -c pass``) subtracted.

Every command runs once untimed first, with bytecode caching on (``PYTHONDONTWRITEBYTECODE``
is dropped from the children's environment): pandas' modules were compiled when it was
installed, so hubframe's are too, as an installed hubframe's would be.

``python -X importtime -c "import hubframe"`` shows where the time goes.
Run: ``.venv/bin/python bench/startup.py [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from functools import partial

from common import Timing, interleaved, ratio_line, timing_line

IMPORT_TARGET = 1.15
HELP_TARGET_S = 0.15
READ_PATH = "import hubframe as hf; hf.read_pairs; hf.validate_pairs"


#: The children's environment: bytecode cached, as for an installed package.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    commands = {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import pandas'": [py, "-c", "import pandas"],
        "python -c 'import hubframe'": [py, "-c", "import hubframe"],
        "hf.read_pairs, validate_pairs": [py, "-c", READ_PATH],
        "hubframe --help": [py, "-m", "hubframe", "--help"],
    }
    for argv in commands.values():
        _run(argv)  # writes the bytecode and warms the file cache
    times = interleaved({name: partial(_run, argv) for name, argv in commands.items()}, args.repeat)
    for name, timing in times.items():
        print(timing_line(name, timing, width=30))
    bare = times["python -c pass"]
    pandas, ours = times["python -c 'import pandas'"], times["python -c 'import hubframe'"]
    print(ratio_line("import hubframe / import pandas", ours, pandas, IMPORT_TARGET))
    net = Timing([o - bare.min for o in ours.turns]), Timing([p - bare.min for p in pandas.turns])
    print(ratio_line("the same, interpreter start subtracted", *net))
    read = times["hf.read_pairs, validate_pairs"]
    print(ratio_line("first use of the read path / import pandas", read, pandas, IMPORT_TARGET))
    helped = times["hubframe --help"]
    verdict = "OK" if helped.median <= HELP_TARGET_S else "OVER TARGET"
    print(
        f"  hubframe --help: median {helped.median:.3f} s (target <= {HELP_TARGET_S} s: {verdict})"
    )


if __name__ == "__main__":
    main()
