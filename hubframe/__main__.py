"""``python -m hubframe``: the same command line as ``hubframe``."""

from __future__ import annotations

from hubframe.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
