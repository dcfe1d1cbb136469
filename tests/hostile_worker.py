"""Reads files for tests/test_hostile_inputs.py in a process of its own, under an address-space
limit so that a runaway allocation fails this process (and the test), never the machine.

Usage: ``python tests/hostile_worker.py LIMIT_MB FILE...``; prints one JSON line per file
(outcome, seconds) and a last line with the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    limit_mb, paths = int(sys.argv[1]), sys.argv[2:]
    from hubframe.errors import InputError
    from hubframe.io import read_pairs, sheet_headers
    from hubframe.validate import validate_pairs

    budget = (_status("VmSize") + limit_mb) << 20  # what is mapped now, plus the budget
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    for path in paths:
        start = time.perf_counter()
        try:
            sheet_headers(path)
            validate_pairs(read_pairs(path, from_type="deals", to_type="contacts"))
            outcome = "ok"
        except InputError:
            outcome = "InputError"
        except BaseException as exc:  # the test fails on any of these
            outcome = f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:300]
        seconds = time.perf_counter() - start
        print(json.dumps({"file": Path(path).name, "outcome": outcome, "seconds": seconds}))
        sys.stdout.flush()
    print(json.dumps({"peak_rss_mb": _status("VmHWM")}))


if __name__ == "__main__":
    main()
