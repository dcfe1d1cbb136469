"""``python -m hubframe`` and the ``hubframe`` command (:func:`main`).

The command's entry point lives here, not in :mod:`hubframe.cli`, so that a Ctrl-C while the
command line loads (its imports take a good part of the start) is caught too: ``hubframe:
interrupted``, exit 130, as for a Ctrl-C later (:func:`hubframe.cli.main`).  This module
imports nothing but :mod:`sys` before it is inside that guard.
"""

from __future__ import annotations

import sys

#: What :func:`hubframe.cli.main` says and gives for a Ctrl-C (``PROG``, ``EXIT_INTERRUPTED``).
INTERRUPTED = "hubframe: interrupted"
EXIT_INTERRUPTED = 130


def main() -> int:
    """Run the ``hubframe`` command; the exit code."""
    try:
        from hubframe.cli import main as command
    except KeyboardInterrupt:
        import contextlib

        with contextlib.suppress(AttributeError, OSError, ValueError):  # stderr closed or gone
            print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    return command()


if __name__ == "__main__":
    raise SystemExit(main())
