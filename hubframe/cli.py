"""The ``hubframe`` command line: associate, limits, undo, remove, validate, sandbox, demo
(and export, sync, labels: :mod:`hubframe.cli_portal`).

Every command reads a sheet with :mod:`hubframe.io`, and ``associate`` / ``limits`` / ``remove``
run the same jobs as the Python API (:func:`hubframe.associate`,
:func:`hubframe.configure_limits`, :func:`hubframe.remove_associations`); ``undo``
reads a report or journal of an earlier run (:func:`hubframe.undo`).  All write reports with
:mod:`hubframe.report`.  Dry runs read the portal first (pre-flight: predicted refusals and
existing associations; ``--no-preflight`` turns it off), and real ``associate`` runs record which
associations existed before them, so their report can be undone.  Exit codes (docs/cli.md):

* 0 -- every row succeeded, was a duplicate, was skipped, or was planned (dry run);
* 1 -- a row failed or was invalid, or a stopped run left rows unsent (see the retry file);
* 2 -- a usage error or a whole-run error: unreadable file, missing column, no or bad token,
  hubframe itself failing (out of memory, no room for a thread: a run it stops still writes
  its report and retry file, ``RUN_FAILED``);
* 130 -- interrupted (Ctrl-C).  While a job sends, the first Ctrl-C stops it cleanly: no new
  batch starts, the requests in flight finish, and the report, retry file and summary are
  written as for any run (the rows not sent are ``skipped`` ``CANCELLED``, in the retry file);
  a second Ctrl-C quits at once, without them (:func:`_ctrl_c_stops`).  Ctrl-C before the
  sending (reading, validating, reading the portal, a dry run) quits at once.

Whole-run errors end with one line on stderr (``hubframe: error: ...``), never a traceback
(``$HUBFRAME_TRACEBACK`` set prints the traceback of a failure of hubframe itself, for a bug
report).
The access token is read from ``--token`` or ``HUBSPOT_ACCESS_TOKEN`` and printed nowhere.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn, TextIO, cast

from hubframe.argtypes import NotBlank, refuse_blank_values
from hubframe.constants import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    DEFAULT_BASE_URL,
    ENV_BASE_URL,
    ENV_TOKEN,
)
from hubframe.errors import (
    ConfigurationError,
    ErrorCode,
    HubframeError,
    InputError,
    failure_words,
)
from hubframe.stops import stopped_by, undone_rows
from hubframe.terminal import visible
from hubframe.vocab import first_few

if TYPE_CHECKING:  # pandas and the rest load in the command that runs, not for --help
    import threading
    from types import FrameType

    import pandas as pd

    from hubframe.errors import StopReason
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.run.journal import Journal
    from hubframe.sandbox import Sandbox

PROG: Final = "hubframe"
EXIT_OK: Final = 0
EXIT_ROWS: Final = 1
EXIT_ERROR: Final = 2
EXIT_INTERRUPTED: Final = 130  # as a shell reports a program ended by SIGINT (128 + 2)
_MAX_ISSUES: Final = 50

#: What every command that talks to HubSpot ends its help with.
_HUBSPOT_NOTES: Final = f"""\
token: --token or ${ENV_TOKEN} (prefer the variable: other users can see command lines)
base URL: --base-url or ${ENV_BASE_URL} (default https://api.hubapi.com)"""
_EXIT_NOTES: Final = (
    "exit codes: 0 all rows done, 1 rows failed, invalid or not undoable, 2 usage or whole-run "
    "error, "
    "130 interrupted\n"
    "Ctrl-C while sending: no new batch starts, the requests in flight finish, then the report "
    "and\nretry file are written (the rows not sent are in the retry file); Ctrl-C again quits "
    "at once"
)

EPILOG: Final = f"""\
examples:
  hubframe validate deals_contacts.xlsx
  hubframe associate deals_contacts.xlsx --dry-run --report plan.xlsx
  hubframe associate deals_contacts.xlsx --report report.xlsx --retry-file retry.xlsx
  hubframe limits limits.csv --dry-run
  hubframe undo report.xlsx --report undo_report.xlsx      # take that run back
  hubframe associate my_sheet.xlsx --sandbox rehearse      # rehearse with the sheet's own ids
  hubframe demo                                            # what `make demo` runs

`hubframe COMMAND --help` shows a command's options and examples.
{_HUBSPOT_NOTES}
{_EXIT_NOTES}
"""

#: Each command's own examples, shown by ``hubframe COMMAND --help`` (and only there).
EXAMPLES: Final[dict[str, str]] = {
    "associate": """\
  hubframe associate deals_contacts.xlsx --dry-run --report plan.xlsx
  hubframe associate deals_contacts.xlsx --report report.xlsx --retry-file retry.xlsx
  hubframe associate pairs.csv --from deals --to contacts --label "Decision maker"
  hubframe associate hubspot-crm-exports-all-deals-2026-11-29.csv --to contacts --dry-run
  hubframe associate deal_contact_emails.csv --to-id-property email --report report.xlsx
  hubframe associate retry.xlsx --journal run.sqlite --report report2.xlsx
  hubframe associate pairs.csv --skip-existing --report report.xlsx
  hubframe associate deals_contacts.xlsx --sandbox            # the demo sandbox
  hubframe associate my_sheet.xlsx --sandbox rehearse         # a sandbox with the sheet's ids""",
    "limits": """\
  hubframe limits limits.csv --dry-run                        # says what each row changes
  hubframe limits limits.csv --report limits_report.xlsx
  hubframe limits limits.xlsx --sheet Limits --from deals --to contacts
  hubframe limits limits.csv --remove-blank-limits --dry-run  # empty cells remove limits
  hubframe limits limits.csv --create-labels                  # labels first, then limits""",
    "undo": """\
  hubframe undo report.xlsx --dry-run                         # what would be taken back
  hubframe undo report.xlsx --report undo_report.xlsx
  hubframe undo run.sqlite --report undo_report.xlsx          # from the run's journal""",
    "remove": """\
  hubframe remove pairs_to_unlink.csv --dry-run
  hubframe remove pairs_to_unlink.csv --label "Champion" --report removed.xlsx""",
    "validate": """\
  hubframe validate deals_contacts.xlsx
  hubframe validate deal_contact_emails.csv --to-id-property email
  hubframe validate book.xlsx --sheet '*' --max-issues 200
  hubframe validate deals_contacts.xlsx --check-records        # in HubSpot, as a run checks
  hubframe validate limits.csv --kind limits""",
    "sandbox": """\
  hubframe sandbox --port 8765 --seed demo                    # the demo portal
  hubframe sandbox --records my_sheet.xlsx                    # the sheet's records and labels
  hubframe sandbox --port 0 --json                            # one JSON line: url, token
  hubframe sandbox --behaviour hostile --rate-limit 20/1""",
    "demo": """\
  hubframe demo                                               # what `make demo` runs
  hubframe demo --out /tmp/hubframe-demo --no-progress""",
}
#: What each command's help ends with after its examples.
_NOTES: Final[dict[str, str]] = {
    "associate": f"{_HUBSPOT_NOTES}\n{_EXIT_NOTES}",
    "limits": f"{_HUBSPOT_NOTES}\n{_EXIT_NOTES}",
    "undo": f"{_HUBSPOT_NOTES}\n{_EXIT_NOTES}",
    "remove": f"{_HUBSPOT_NOTES}\n{_EXIT_NOTES}",
    "validate": "exit codes: 0 no errors (warnings allowed), 1 errors found, 2 unreadable sheet",
}
#: ``--sandbox MODE``: the demo portal, or one made from the sheet (a rehearsal).
SANDBOX_MODES: Final = ("demo", "rehearse")


# --- Parser ---------------------------------------------------------------------------------------


def whole_number(minimum: int) -> Callable[[str], int]:
    """An option's type: a whole number of ``minimum`` or more (the parser names the option
    in its refusal)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more: {text!r}")
        return value

    return parse


_positive_int = whole_number(1)


def _add_reading(parser: argparse._ActionsContainer) -> None:
    """--sheet, --from, --to: how to read a sheet (every command that reads one)."""
    parser.add_argument(
        "--sheet",
        help="sheet name, or position counted from 0 (hidden sheets count; a sheet named like "
        "a number wins); '*' = every visible sheet with recognised columns (default: the "
        "first of them)",
    )
    parser.add_argument("--from", dest="from_type", metavar="TYPE", help="from object type")
    parser.add_argument("--to", dest="to_type", metavar="TYPE", help="to object type")


def _add_input(parser: argparse.ArgumentParser, *, label: bool) -> None:
    parser.add_argument("file", type=Path, help="the sheet: .xlsx, .xlsm, .csv, .tsv or .txt")
    _add_reading(parser)
    if label:
        parser.add_argument("--label", help="association label for every row")
        parser.add_argument(
            "--from-id-property",
            metavar="PROP",
            help="the from column holds this unique property (e.g. email), not record ids",
        )
        parser.add_argument(
            "--to-id-property",
            metavar="PROP",
            help="the to column holds this unique property (e.g. domain), not record ids",
        )


def _add_checks(parser: argparse.ArgumentParser, *, associate: bool) -> None:
    checks = parser.add_argument_group("portal checks")
    checks.add_argument(
        "--preflight",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read the portal first and predict refusals (default: for dry runs)",
    )
    if associate:
        checks.add_argument(
            "--skip-existing", action="store_true", help="do not send pairs that exist already"
        )
        checks.add_argument(
            "--send-predicted-failures",
            action="store_true",
            help="send rows pre-flight predicts HubSpot will refuse (default: not sent)",
        )


def _add_run(parser: argparse.ArgumentParser, *, sandbox: bool = True) -> None:
    """The run options and the HubSpot ones; ``sandbox=False`` leaves --sandbox out of the
    help (it is still read, so that the command can say why it refuses it)."""
    run = parser.add_argument_group("run")
    run.add_argument("--dry-run", action="store_true", help="plan and report; send nothing")
    run.add_argument("--report", type=Path, metavar="OUT", help="write a report (.xlsx or .csv)")
    run.add_argument(
        "--retry-file", type=Path, metavar="OUT", help="write rows still to do (.xlsx or .csv)"
    )
    run.add_argument("--journal", type=Path, metavar="PATH", help="resume journal (SQLite)")
    run.add_argument("--batch-size", type=_positive_int, metavar="N", help="inputs per request")
    run.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bars on stderr (default: when stderr is a terminal)",
    )
    _add_hubspot(parser, sandbox=sandbox)


def _add_hubspot(parser: argparse.ArgumentParser, *, sandbox: bool = True) -> None:
    hub = parser.add_argument_group("HubSpot")
    hub.add_argument(
        "--sandbox",
        nargs="?",
        const="demo",
        choices=SANDBOX_MODES,
        help=(
            "use a built-in sandbox instead of HubSpot: 'demo' (the default) is the demo "
            "portal of the sample sheets; 'rehearse' is made from this sheet: its records and "
            "labels exist, so a real sheet can be rehearsed"
        )
        if sandbox
        else argparse.SUPPRESS,
    )
    hub.add_argument(
        "--api-version", choices=API_VERSIONS, default=DEFAULT_API_VERSION, help="API version"
    )
    hub.add_argument(
        "--token",
        type=_given("--token", f"${ENV_TOKEN}"),
        help=f"private app access token (default: ${ENV_TOKEN})",
    )
    hub.add_argument(
        "--base-url",
        type=_given("--base-url", f"${ENV_BASE_URL} (else {DEFAULT_BASE_URL})"),
        metavar="URL",
        help=f"API base URL (default: ${ENV_BASE_URL})",
    )


#: What leaving an option out means, said when its value is empty (:class:`NotBlank`).
_LEFT_OUT: Final[dict[str, str]] = {
    "--label": "to use the sheet's label column (or no label)",
    "--sheet": "to read the first sheet with recognised columns",
    "--from-id-property": "for record ids (or the property a header names)",
    "--to-id-property": "for record ids (or the property a header names)",
}


def _given(option: str, default: str) -> Callable[[str], str]:
    """An option's type: text that is not empty (``default``: what leaving it out uses)."""
    return NotBlank(str, option, f"to use {default}")


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _epilog(name: str) -> str | None:
    parts = [f"examples:\n{EXAMPLES[name]}"] if name in EXAMPLES else []
    parts += [_NOTES[name]] if name in _NOTES else []
    return "\n\n".join(parts) or None


def _subparser(subs: Any, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subs.add_parser(
        name,
        help=help_text,
        description=description,
        epilog=_epilog(name),
        formatter_class=_formatter,
    )
    parser.set_defaults(usage_error=parser.error)  # a usage error shows this command's usage
    return parser


class _Parser(argparse.ArgumentParser):
    """The parser (and each command's): its usage errors go through the redaction, as every
    other line the command prints does.  argparse quotes the words it refuses (``unrecognized
    arguments: pat-na1-...``, ``invalid choice: ...``), and they were printed before the token
    was registered: a typo in ``--token``, or the token without its option, wrote it out
    (:func:`_hide_typed_tokens` registers what can be known before parsing)."""

    def error(self, message: str) -> NoReturn:
        from hubframe.redaction import redact

        self.print_usage(sys.stderr)
        said = redact(message)  # a word of the token's shape too: redaction.TOKEN_SHAPE
        self.exit(EXIT_ERROR, f"{self.prog}: error: {said}\n")


def _hide_typed_tokens(argv: Sequence[str], parser: argparse.ArgumentParser) -> None:
    """Register for redaction, before parsing, the tokens the command line may show in a usage
    error: ``$HUBSPOT_ACCESS_TOKEN``, and the value of each option spelled like ``--token``
    (``--tokn TOKEN``, ``--toekn=TOKEN``: a prefix of it, or a word no option starts with that
    is one or two letters from it)."""
    from hubframe.redaction import register_secret
    from hubframe.tokens import token_text

    register_secret(token_text(os.environ.get(ENV_TOKEN, "")))
    known = _option_words(parser)
    for at, word in enumerate(argv):
        name, joined, value = word.partition("=")
        if not _like_token_option(name, known):
            continue
        if joined:
            register_secret(token_text(value))
        elif at + 1 < len(argv):
            register_secret(token_text(argv[at + 1]))


def _option_words(parser: argparse.ArgumentParser) -> set[str]:
    words: set[str] = set()
    for action in parser._actions:
        words.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict(action.choices).values():
                words |= _option_words(sub)
    return words


def _like_token_option(name: str, known: set[str]) -> bool:
    """``--token``, a prefix of it (``--tok``), or a word starting with ``--`` that no option
    starts with and that is close to it (``--tokn``, ``--tkoen``, ``--otken``)."""
    import difflib

    if not name.startswith("--") or len(name) < 4:
        return False
    if "--token".startswith(name) and len(name) >= 5:
        return True
    if any(option.startswith(name) for option in known):  # --to, --to-id-property: others
        return False
    return difflib.SequenceMatcher(None, name.lower(), "--token").ratio() >= 0.6


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hubframe`` command."""
    from hubframe import __version__, cli_portal

    parser = _Parser(
        prog=PROG,
        description="Spreadsheets in, HubSpot CRM associations out.",
        epilog=EPILOG,
        formatter_class=_formatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"{PROG} {__version__}", help="show the version"
    )
    subs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = _subparser(
        subs, "associate", "associate the record pairs of a sheet", "Associate record pairs."
    )
    _add_input(p, label=True)
    _add_checks(p, associate=True)
    _add_run(p)
    p = _subparser(
        subs, "limits", "create, update or remove association limits", "Configure limits."
    )
    _add_input(p, label=False)
    _add_blank_limits(p)
    _add_checks(p, associate=False)
    _add_run(p)
    cli_portal.add_limits_options(p)
    _add_undo(subs)
    p = _subparser(
        subs, "remove", "remove the associations a sheet lists", "Remove record associations."
    )
    _add_input(p, label=True)
    _add_run(p)
    cli_portal.add_commands(subs)  # export, sync, labels
    _add_validate(subs)
    _add_sandbox(subs)
    _add_demo(subs)
    refuse_blank_values(parser, _LEFT_OUT)
    return parser


def _add_undo(subs: Any) -> None:
    p = _subparser(
        subs,
        "undo",
        "take back the associations an earlier run created",
        "Undo an associate run: remove exactly the associations it created, from its report\n"
        "(.xlsx or .csv) or its journal. Associations that are not there any more are\n"
        "reported as not there (NOT_ASSOCIATED), never as removed.",
    )
    p.add_argument("file", type=Path, help="the run's report (.xlsx, .csv) or journal (SQLite)")
    _add_run(p, sandbox=False)  # refused: a new sandbox holds nothing of the run


def _add_sandbox(subs: Any) -> None:
    from hubframe.sandbox import serve

    p = _subparser(subs, "sandbox", "serve the built-in HubSpot sandbox", "Serve the sandbox.")
    serve.add_arguments(p)
    _add_records(p)


def _add_demo(subs: Any) -> None:
    p = _subparser(
        subs,
        "demo",
        "run the sample sheets against the demo sandbox",
        "Run the demo job: the sample sheets shipped with hubframe, against the demo sandbox.",
    )
    p.add_argument(
        "--sample-data",
        type=Path,
        default=None,
        metavar="DIR",
        help="read the sample sheets from DIR (default: the copies shipped with hubframe)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="write the reports and retry files here (default: ./reports, created)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bars on stderr (default: when stderr is a terminal)",
    )


def _add_blank_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--remove-blank-limits",
        action="store_true",
        help="an empty limit cell removes that limit (default: the row is not sent, a "
        "BLANK_LIMIT warning; write 'remove' in a cell to remove its limit)",
    )


def _add_validate(subs: Any) -> None:
    p = _subparser(
        subs,
        "validate",
        "check a sheet without sending anything",
        "Check a sheet without sending anything. Offline by default; connected (--online,\n"
        "--check-records, --token, --base-url or --sandbox) it also checks what a run checks\n"
        "in HubSpot: labels exist, emails and domains are found, and with --check-records\n"
        "that every record exists.",
    )
    _add_input(p, label=True)
    p.add_argument(
        "--kind",
        choices=("auto", "pairs", "limits"),
        default="auto",
        help="what the sheet holds (default: pairs, else limits)",
    )
    p.add_argument(
        "--max-issues",
        type=_positive_int,
        default=_MAX_ISSUES,
        metavar="N",
        help=f"show at most N issues (default: {_MAX_ISSUES})",
    )
    _add_blank_limits(p)
    online = p.add_argument_group("checks in HubSpot")
    online.add_argument(
        "--online",
        action="store_true",
        help="check in HubSpot what a run would check: labels exist, emails and domains are "
        "found (implied by --check-records, --token, --base-url and --sandbox)",
    )
    online.add_argument(
        "--check-records",
        action="store_true",
        help="also check that every record id exists in HubSpot (objects batch read)",
    )
    _add_hubspot(p)


def _add_records(parser: argparse.ArgumentParser) -> None:
    records = parser.add_argument_group("your own records")
    records.add_argument(
        "--records",
        type=Path,
        metavar="FILE",
        help="also create the records and labels a pairs or limits sheet names, so a run of "
        "that sheet can be rehearsed here (the seed is then none unless --seed says demo)",
    )
    _add_reading(records)


# --- Reading and connecting ---------------------------------------------------------------------


def _sheet(args: argparse.Namespace) -> str | None:
    sheet = getattr(args, "sheet", None)
    return str(sheet) if sheet else None


def _read(kind: str, args: argparse.Namespace) -> pd.DataFrame:
    """Read the sheet (messages in the command line's syntax: ``--from deals``), then say
    which sheet was read, which were skipped (warnings) and what was inferred."""
    from hubframe.io import SheetsLeftOut

    with warnings.catch_warnings():  # said below, in the command line's words
        warnings.simplefilter("ignore", SheetsLeftOut)
        frame = _read_sheet(kind, args)
    if kind != "undo":
        _say_read_notes(frame, kind)
    return frame


def _read_sheet(kind: str, args: argparse.Namespace) -> pd.DataFrame:
    from hubframe.io import read_limits, read_pairs

    if kind == "undo":
        from hubframe.report import load_run

        return load_run(args.file)
    if kind == "labels":
        from hubframe.jobs.labels import read_label_sheet

        return read_label_sheet(
            args.file,
            sheet=_sheet(args),
            from_type=args.from_type,
            to_type=args.to_type,
            syntax="cli",
        )
    if kind == "limits":
        frame = read_limits(
            args.file,
            sheet=_sheet(args),
            from_type=args.from_type,
            to_type=args.to_type,
            syntax="cli",
            remove_blank=bool(getattr(args, "remove_blank_limits", False)),
        )
    else:
        frame = read_pairs(
            args.file,
            sheet=_sheet(args),
            from_type=args.from_type,
            to_type=args.to_type,
            label=getattr(args, "label", None),
            from_id_property=getattr(args, "from_id_property", None),
            to_id_property=getattr(args, "to_id_property", None),
            syntax="cli",
        )
    return frame


def _say_read_notes(frame: pd.DataFrame, kind: str | None = None) -> None:
    from hubframe.io import read_notes
    from hubframe.io.syntax import CLI

    for level, text in read_notes(frame).messages(CLI, job=kind):
        if level == "warning":
            print(f"{PROG}: warning: {text}", file=sys.stderr)
        else:
            print(text, file=sys.stdout)


def _validate(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    from hubframe.validate import validate_limits, validate_pairs

    return validate_limits(frame) if kind == "limits" else validate_pairs(frame)


@dataclass
class _Connection:
    client: HubSpotClient
    where: str  # shown in the report settings: a URL (reduced to its host there)


def _sandbox(args: argparse.Namespace, frame: pd.DataFrame | None) -> Sandbox:
    """The built-in sandbox --sandbox asks for: the demo portal, or one made from the sheet."""
    from hubframe.sandbox import Sandbox

    if args.sandbox != "rehearse":
        return Sandbox(seed="demo")
    if frame is None:  # the demo portal stood in, said on one line, its objects not the sheet's
        raise InputError(
            f"--sandbox rehearse makes a portal from the pairs or limits sheet a command sends, "
            f"and `hubframe {args.command}` reads none to make it from. Use --sandbox for the "
            "demo portal, or serve a sandbox holding what you need (hubframe sandbox) and give "
            "its base URL and token."
        )
    return Sandbox.from_pairs(frame)


@contextlib.contextmanager
def _connect(args: argparse.Namespace, frame: pd.DataFrame | None = None) -> Iterator[_Connection]:
    """A client for the run: the built-in sandbox with --sandbox (``rehearse``: one made from
    ``frame``, the sheet read), else token + base URL."""
    import os

    from hubframe.hubspot.client import HubSpotClient

    if args.sandbox:
        with _sandbox(args, frame) as sb:
            if sb.rehearsal is not None:
                made = sb.rehearsal.describe()
                where = f"a rehearsal sandbox with the sheet's {made}"
            else:
                where = "the built-in demo sandbox"
            print(f"hubframe: using {where} at {sb.url}", file=sys.stderr)
            with HubSpotClient(sb.token, sb.url, args.api_version) as client:
                yield _Connection(client, sb.url)
        return
    if args.token is None and not os.environ.get(ENV_TOKEN, "").strip():
        # an undo acts on the portal of the run it takes back: a new sandbox holds none of it
        hint = (
            f"(for a run made against a sandbox, give its base URL too: {ENV_BASE_URL})"
            if getattr(args, "command", None) == "undo"
            else "(or add --sandbox to try the built-in sandbox)"
        )
        raise ConfigurationError(
            f"no HubSpot access token: pass --token TOKEN or set {ENV_TOKEN} {hint}"
        )
    _check_base_url(args.base_url)
    with HubSpotClient(args.token, args.base_url, args.api_version) as client:
        yield _Connection(client, client.base_url)


def _check_base_url(given: str | None) -> None:
    """``--base-url`` (or ``$HUBSPOT_BASE_URL``), refused in the words typed: the client's
    own refusal names its parameter, ``base_url``."""
    from hubframe.hubspot.auth import base_url_of

    bad = base_url_of(given, "--base-url")[1]
    if bad is not None:
        raise ConfigurationError(bad)


# --- Running a job ------------------------------------------------------------------------------


def _progress(args: argparse.Namespace) -> bool:
    flag = getattr(args, "progress", None)
    return sys.stderr.isatty() if flag is None else bool(flag)


def _job(kind: str) -> Callable[..., pd.DataFrame]:
    from hubframe.jobs import associate, configure_limits, remove_associations, sync, undo

    jobs: dict[str, Callable[..., pd.DataFrame]] = {
        "associate": associate,
        "limits": configure_limits,
        "remove": remove_associations,
        "undo": undo,
        "sync": sync,
    }
    return jobs[kind]


def _options(kind: str, args: argparse.Namespace, issues: pd.DataFrame | None) -> dict[str, Any]:
    """The job's options beyond the run options: the sheet's issues (validated already),
    pre-flight (on for dry runs: the job's default, so a dry run's budget leaves out the reads
    only it makes), undo records (a dry run records nothing, and counts the reads of its real
    run's record in its budget)."""
    options: dict[str, Any] = {} if issues is None else {"issues": issues}
    if kind in ("associate", "limits"):
        flag = getattr(args, "preflight", None)
        options["preflight"] = None if flag is None else bool(flag)
    if kind == "associate":
        options["skip_existing"] = bool(args.skip_existing)
        options["send_predicted_failures"] = bool(args.send_predicted_failures)
        options["record_existing"] = True  # so the report can be undone
    if kind == "sync":
        from hubframe.cli_portal import sync_options

        options.update(sync_options(args))
    return options


def _stops(
    args: argparse.Namespace, cancel: threading.Event
) -> contextlib.AbstractContextManager[Callable[[int], None] | None]:
    """Ctrl-C once the job sends, until its report and retry file are written, sets ``cancel``
    (:func:`_ctrl_c_stops`); a dry run sends nothing: Ctrl-C quits at once."""
    if args.dry_run:
        return contextlib.nullcontext(None)
    return _ctrl_c_stops(cancel, _stopping_line(args), below_bar=_progress(args))


def _run(
    kind: str,
    args: argparse.Namespace,
    frame: pd.DataFrame,
    conn: _Connection,
    journal: Journal | None,
    issues: pd.DataFrame | None,
    cancel: threading.Event,
    on_start: Callable[[int], None] | None,
) -> Any:
    """Run the job; ``on_start`` and ``cancel``: the Ctrl-C handling of :func:`_stops`."""
    job = _job(kind)
    if kind == "limits" and getattr(args, "create_labels", False):
        import functools

        from hubframe.cli_portal import labels_first
        from hubframe.jobs.limits import limits_after_labels

        # a Ctrl-C while the labels are created cancels them and then the limits
        new = labels_first(args, frame, conn, issues, cancel=cancel, on_start=on_start)
        job = functools.partial(limits_after_labels, new_labels=new)
    return job(
        frame,
        conn.client,
        dry_run=args.dry_run,
        batch_size=args.batch_size,
        journal=journal,
        progress=_progress(args),
        on_start=on_start,
        cancel=cancel,
        **_options(kind, args, issues),
    )


def _check_outputs(args: argparse.Namespace) -> None:
    """The report, retry file and journal paths, checked before reading, connecting or
    sending (:func:`hubframe.report.outputs.check_outputs`)."""
    from hubframe.report.outputs import check_outputs

    check_outputs(
        report=args.report,
        retry_file=args.retry_file,
        journal=args.journal,
        sources=[args.file, getattr(args, "scope", None)],  # sync --scope is read too
    )


def _refuse_removals(args: argparse.Namespace, frame: pd.DataFrame) -> None:
    """An undo's or a remove's retry workbook (its sheet named "To remove") holds removals
    still to do: associating or syncing it would link its rows again, the opposite."""
    from hubframe.constants import REMOVALS_SHEET

    sheets: list[str] = (
        [str(s) for s in frame["sheet"].astype("string").dropna().unique()]
        if "sheet" in frame.columns
        else []
    )
    named = [s for s in sheets if str(s).casefold().startswith(REMOVALS_SHEET.casefold())]
    if named:
        raise InputError(
            f"{Path(args.file).name}: the sheet {named[0]!r} holds removals still to do (the "
            f"retry file of an undo or a remove): {args.command} would link its rows again. "
            f"Run hubframe remove {args.file} to remove them; to link them after all, rename "
            "the sheet. Nothing was sent."
        )


def _keep_run_reports(
    args: argparse.Namespace, outputs: tuple[str, ...] = ("report", "retry file")
) -> None:
    """No run writes its report or retry file over the report of a run that sent rows, the
    file ``undo`` reads: a dry run recalled from the shell's history, a run again with the
    same ``--report`` after fixing a row, or ``--retry-file`` given a report's name replaced
    it, and the earlier run could no longer be undone.  A dry run's report, a retry file, an
    undo's report, a report of rows none of which HubSpot applied, or any other file is written
    over; so is the report of the run a journal resumes (:func:`_resumed_journal`), and a run
    on a sandbox (the demo, a rehearsal) writes over
    the report of a run that sent to a sandbox (never over one that sent to HubSpot)."""
    from hubframe.report.outputs import keep_run_report

    dry = bool(getattr(args, "dry_run", False))
    run = "dry run" if dry else "run"
    sandbox = bool(getattr(args, "demo", False) or getattr(args, "sandbox", None))
    if not hasattr(args, "resumed_journal"):  # decided once, before sending: see _report_path
        args.resumed_journal = None if dry else _resumed_journal(args)
    resumed = args.resumed_journal
    for path, what in ((args.report, "report"), (getattr(args, "retry_file", None), "retry file")):
        if path and what in outputs:
            keep_run_report(
                path,
                f"a {run}",
                f"the {run}'s {what}",
                "sent",
                sandbox_reports=sandbox,
                resumed=resumed if what == "report" else None,
            )


def _resumed_journal(args: argparse.Namespace) -> Path | None:
    """The run's ``--journal`` when it holds a run that did not end: the same command again
    resumes it, and its report (which names the journal) is written over by the resumed
    run's, which reports the journal's rows too.  A journal whose runs all ended starts a new
    run: the earlier run's report is kept."""
    from hubframe.run.journal import has_open_run

    journal = getattr(args, "journal", None)
    if not journal or not has_open_run(journal):
        return None
    return Path(str(journal)).expanduser()


def _check_undo_outputs(args: argparse.Namespace, run: pd.DataFrame) -> None:
    """An undo's report and retry file, checked against the journal its report names too:
    the undo reads that journal and writes to it (``undo r.xlsx --report j.csv`` with the run's
    journal at ``j.csv`` replaced the journal by the undo's report)."""
    from hubframe.report.outputs import check_outputs
    from hubframe.report.reader import report_journal

    named = report_journal(run)
    if named is not None:
        check_outputs(report=args.report, retry_file=args.retry_file, sources=[named[0]])


def _check_width(args: argparse.Namespace, frame: pd.DataFrame) -> None:
    """An .xlsx report or retry file of a sheet too wide for an Excel sheet once the result's
    columns are added: refused before anything is sent (it could not be written after)."""
    from hubframe.report.columns import workbook_too_wide

    for path, retry in ((args.report, False), (args.retry_file, True)):
        wide = workbook_too_wide(frame, retry=retry)
        if wide and path and str(path).lower().endswith(".xlsx"):
            said = wide.removesuffix(".").replace("The sheet", "the sheet", 1)
            raise InputError(f"{path}: {said}; give a .csv path instead. Nothing was sent.")


@contextlib.contextmanager
def _open_journal(args: argparse.Namespace) -> Iterator[Journal | None]:
    """The --journal, opened before anything is sent (a bad path is a one-line error)."""
    if not args.journal:
        yield None
        return
    from hubframe.run.journal import Journal

    with Journal(args.journal) as journal:
        yield journal


def _settings(
    kind: str, args: argparse.Namespace, conn: _Connection, started: datetime
) -> dict[str, object]:
    return {
        "command": kind,
        "source": Path(args.file).name,
        "api_version": args.api_version,
        "dry_run": bool(args.dry_run),
        "base_url": conn.where,
        "sandbox": args.sandbox or False,
        "batch_size": args.batch_size or "API maximum",
        "journal": str(args.journal) if args.journal else None,
        "started": started,
        "finished": datetime.now().astimezone().replace(tzinfo=None),
    }


def _exit_code(result: pd.DataFrame) -> int:
    """EXIT_ROWS when rows are left to do: to retry, or an undo's rows it could not take back
    (NOT_UNDOABLE: their links stay in the portal until the analyst puts the cell back)."""
    from hubframe.report import retry_rows

    left = retry_rows(result)
    if "error_code" in result.columns:
        left |= (result["error_code"].astype("string") == ErrorCode.NOT_UNDOABLE).fillna(False)
    return EXIT_ROWS if bool(left.any()) else EXIT_OK


def _whole_run_failure(result: pd.DataFrame, where: str) -> str | None:
    """Why the run as a whole failed (exit 2): HubSpot refused the token, or was never reached."""
    from hubframe.run.pipeline import run_facts

    facts = run_facts(result)
    stop = facts.stop if facts is not None else None
    if stop is None:
        return None
    if stop.code is ErrorCode.RUN_FAILED:  # hubframe itself failed: said as such, exit 2
        return _run_failed_line(result, stop)
    return stopped_by(stop.code, result, undone_rows(result, stop), "row", where)


def _run_failed_line(result: pd.DataFrame, stop: StopReason) -> str:
    """The line of a run hubframe stopped (out of memory, no thread): why, what it left
    undone and what may have been applied (the report and retry file were said above)."""
    codes = result["error_code"].astype("string")
    unknown = int((codes == str(ErrorCode.UNKNOWN_OUTCOME)).fillna(False).sum())
    left = int((codes == str(ErrorCode.RUN_FAILED)).fillna(False).sum())
    said = stop.message.removeprefix("Not sent: ").rstrip(".")
    maybe = (
        f", {_plural(unknown, 'row')} may have been applied (UNKNOWN_OUTCOME)" if unknown else ""
    )
    return f"{said} ({_plural(left, 'row')} not sent (RUN_FAILED){maybe})"


def _print_summary(result: pd.DataFrame, title: str, out: TextIO) -> None:
    from hubframe.report import summarize

    table = summarize(result)
    rows = [("status", "error code", "rows")]
    rows += [(str(s), str(c or ""), str(n)) for s, c, n in table.itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print(title, file=out)
    for status, code, count in rows:
        line = f"{status:<{widths[0]}}  {code:<{widths[1]}}  {count:>{widths[2]}}"
        print(f"  {line.rstrip()}", file=out)


def _print_changes(result: pd.DataFrame, out: TextIO) -> None:
    """A limits dry run: what each row would do, in words (``limit_change``)."""
    if "limit_change" not in result.columns:
        return
    rows = result[result["limit_change"].notna()]
    if rows.empty:
        return
    print("what each row would do:", file=out)
    for record in rows.head(_MAX_ISSUES).itertuples(index=False):
        label = getattr(record, "label", None)
        named = f' "{label}"' if isinstance(label, str) and label else " (all associations)"
        what = f"{record.from_type} -> {record.to_type}{named}"
        print(f"  row {record.row}: {what}: {record.limit_change}", file=out)
    if len(rows) > _MAX_ISSUES:
        print(f"  ... and {len(rows) - _MAX_ISSUES} more (see the report)", file=out)


def _print_budget(result: pd.DataFrame, out: TextIO) -> None:
    """Say when the run needs more requests than HubSpot's daily limit has left."""
    from hubframe.run.pipeline import run_facts

    facts = run_facts(result)
    message = facts.budget.message() if facts is not None and facts.budget else None
    if message is not None:
        print(f"warning: {message}", file=out)


def _write_outputs(
    result: pd.DataFrame,
    issues: pd.DataFrame | None,
    args: argparse.Namespace,
    settings: dict[str, object],
    out: TextIO,
    done: list[str],
) -> list[Path]:
    """Write the report and the retry file asked for, each attempted whatever became of the
    other (a report that could not be written kept the retry file from being attempted: the
    failed rows were written nowhere), whatever stopped the other: a full disk, or out of
    memory (MemoryError, pyarrow's ArrowMemoryError) or any fault of a writer's own; then one
    error names what was and was not written.
    ``done`` gets "report" and "retry file" as each is written (what a second Ctrl-C left
    unwritten: :func:`_unwritten`)."""
    from hubframe.report import export_report

    written: dict[str, Path] = {}
    failed: dict[str, Exception] = {}
    if args.report:
        try:
            written["report"] = export_report(
                result, _report_path(args, out), validation=issues, settings=settings
            )
        except Exception as exc:  # InputError: its folder checked again, gone; out of memory
            failed["report"] = exc
        else:
            done.append("report")
            print(f"report: {written['report']}", file=out)
    if args.retry_file:
        _write_retry(result, args, out, written, failed)
        if "retry file" not in failed:
            done.append("retry file")
    if failed:
        raise InputError(_not_written(result, args, written, failed))
    return list(written.values())


def _report_path(args: argparse.Namespace, out: TextIO) -> Path:
    """Where the report goes: ``--report``, unless the report of another run that sent rows
    came there while this one ran (two runs given one ``--report`` at once: the check before
    sending passed for both, and the later one replaced the earlier's report, the one file
    that undoes it); then a free name beside it (``r (2).xlsx``), said."""
    from hubframe.report.outputs import free_name

    path = Path(str(args.report)).expanduser()
    try:
        _keep_run_reports(args, ("report",))
    except InputError:
        beside = free_name(path)
        print(
            f"report: {path} now holds the report of another run that sent rows, written while "
            f"this one ran: it is kept, and this run's report is {beside.name}",
            file=out,
        )
        return beside
    return path


def _write_retry(
    result: pd.DataFrame,
    args: argparse.Namespace,
    out: TextIO,
    written: dict[str, Path],
    failed: dict[str, Exception],
) -> None:
    """The retry file: the rows still to do; with none, an earlier run's file emptied (its rows
    must not be run again).  A dry run sent nothing: a file there (the real run's rows still to
    do) is left as it was."""
    from hubframe.report import export_retry, retry_rows

    todo = int(retry_rows(result).sum())
    path = Path(args.retry_file)
    if args.dry_run and path.exists():
        plan = f"; this plan leaves {_plural(todo, 'row')} to fix" if todo else ""
        print(f"retry file: {path} left as it was (dry run: nothing was sent){plan}", file=out)
        return
    unread = _rows_unread(result)
    if not todo and not path.exists():
        print(f"retry file: not written, {_none_to_retry(unread)}", file=out)
        return
    staged = _staging(path)
    try:
        if staged is not None:  # built first, then judged: see _placed
            export_retry(result, staged)
        target = _retry_path(args, path, todo, out)
        if target is None:
            return
        path = target
        if staged is None:
            written["retry file"] = export_retry(result, path)
        else:
            written["retry file"] = path = _placed(staged, path, args.retry_file, out)
    except Exception as exc:  # a full disk, out of memory: said with the report's failure
        failed["retry file"] = exc
        return
    finally:
        if staged is not None:
            with contextlib.suppress(OSError):  # its folder gone meanwhile: nothing to remove
                staged.unlink(missing_ok=True)
    said = _retry_words(args, todo, result, path) if todo else f"{_none_to_retry(unread)}: emptied"
    print(f"retry file: {written['retry file']} ({said})", file=out)


def _rows_unread(result: pd.DataFrame) -> list[str]:
    """The sheets of the input the read left out that hold rows (a later sheet of pairs, a
    hidden one): their rows are neither run nor in the retry file."""
    from hubframe.io import read_notes

    return [s.name for s in read_notes(result).skipped if s.holds_rows]


def _none_to_retry(unread: list[str]) -> str:
    """ "no rows to retry", unless sheets holding rows were not read: then the rows read alone
    are done, and the words say which sheets were not (before, "no rows to retry" was said of
    a workbook whose later sheets' rows were never sent)."""
    if not unread:
        return "no rows to retry"
    names = first_few([f"'{name}'" for name in unread], 3)
    said = (
        "sheet {} was not read and holds"
        if len(unread) == 1
        else "sheets {} were not read and hold"
    )
    unread_words = said.format(names)
    return f"no rows of the sheets read to retry, but {unread_words} rows (see the warning)"


def _staging(path: Path) -> Path | None:
    """A hidden file beside the retry file's real path to build it in before it is judged and
    moved into place (:func:`_placed`); None for a path that is no file to replace (a device:
    written in place, as before)."""
    import secrets

    real = Path(os.path.realpath(path.expanduser()))
    if real.exists() and not real.is_file():
        return None
    from hubframe.report.whole import hidden_beside

    return hidden_beside(real, real.stem, secrets.token_hex(6), f".staged{real.suffix}")


def _placed(staged: Path, target: Path, asked: object, out: TextIO) -> Path:
    """Move the built retry file into place, just after the path was judged again: over the
    file there (its permissions kept), or, when it goes beside another run's (``target`` is
    not the ``asked`` path), only where no file is (a hard link, which fails rather than
    replace one): a third run's file there meanwhile moves it to the next free name.  Before,
    the file was judged, then built, then written: two runs that ended within one build's time
    both judged the file unchanged, and the later replaced the earlier's rows."""
    import stat as stat_module

    from hubframe.report.outputs import free_name

    real = Path(os.path.realpath(target.expanduser()))
    if target == Path(str(asked)):
        with contextlib.suppress(OSError):
            os.chmod(staged, stat_module.S_IMODE(os.stat(real).st_mode))
        os.replace(staged, real)
        return target
    while True:
        try:
            os.link(staged, real)
            return target
        except FileExistsError:
            target = free_name(target)
            real = Path(os.path.realpath(target.expanduser()))
            print(
                f"retry file: that name was taken meanwhile; this run's is {target.name}", file=out
            )


def _retry_path(args: argparse.Namespace, path: Path, todo: int, out: TextIO) -> Path | None:
    """Where the retry file goes: ``--retry-file``, unless the file there changed since it was
    judged before sending (another run given the same ``--retry-file`` wrote its own there
    meanwhile, or the analyst saved it): that file is kept, and this run's rows go beside it
    (``r (2).xlsx``), said; with no row to retry, nothing is written (None).  Before, the run
    that ended last replaced the other's rows still to do, or emptied them."""
    from hubframe.io.sources import as_path
    from hubframe.report.outputs import file_stamp, free_name

    target = as_path(path)
    if not hasattr(args, "retry_stamp") or file_stamp(target) == args.retry_stamp:
        return path
    if file_stamp(target) is None:  # deleted meanwhile: nothing there to keep
        return path
    changed = f"retry file: {path} was written while this run ran (by another run?): it is kept"
    if not todo:
        print(f"{changed}; this run has no rows to retry", file=out)
        return None
    beside = free_name(target)
    print(f"{changed}, and this run's retry file is {beside.name}", file=out)
    return beside


def _retry_words(args: argparse.Namespace, todo: int, result: pd.DataFrame, path: Path) -> str:
    """What the rows of a retry file are, and what runs it: an undo's rows are taken back by
    the undo run again (``hubframe remove`` of its file would take only the labels of labeled
    rows, where the undo removes the pair whole); a remove's rows are removals still to do
    (``hubframe associate`` of either file would link them again)."""
    from hubframe.report import retry_rows
    from hubframe.report.columns import from_sheet

    if args.command == "undo":  # only undo knows what to take back (a pair whole, a label)
        listed = int((retry_rows(result) & from_sheet(result)).sum())
        lists = (
            "it lists them"
            if listed == todo
            else f"it lists {listed} of them (a sync's removals to create again are not rows "
            "of a sheet)"
        )
        return (
            f"{_plural(todo, 'row')} not taken back: run hubframe undo {args.file} again (it "
            f"takes back only what is still there); {lists}"
        )
    if args.command == "remove":
        it = "it" if todo == 1 else "them"
        return f"{_plural(todo, 'row')} not removed: fix {it} and run hubframe remove {path}"
    return f"{_plural(todo, 'row')} to fix and run again"


def _not_written(
    result: pd.DataFrame,
    args: argparse.Namespace,
    written: dict[str, Path],
    failed: dict[str, Exception],
) -> str:
    """One line: each output that could not be written and why, the ones that were, what was
    sent, and how to get the rest: the journal resumes the run; without one, the rows still to
    do that no file holds are named (the last place they are written)."""
    parts = [
        f"{_asked_path(args, what)}: the {what} could not be written "
        f"({_why_unwritten(_asked_path(args, what), exc)})"
        for what, exc in failed.items()
    ]
    said = "; ".join(parts) + "."
    if written:
        done = " and ".join(f"the {w} ({p}) was written" for w, p in written.items())
        said += f" {done[0].upper()}{done[1:]}."
    if not args.dry_run:
        said += " The run's rows were sent (the table above says how each went)."
    if args.journal and not args.dry_run:
        said += (
            f" The same command with --journal {args.journal} resumes the run and writes "
            "them without sending anything again."
        )
    elif not args.dry_run and not written:
        said += _rows_nowhere(result)
    return said


def _why_unwritten(path: Path, exc: Exception) -> str:
    """Why an output could not be written: the system's words, or the path check's (a folder
    removed or replaced by a file while the run was sending) without the path said before,
    or the failure's own (``MemoryError: out of memory``)."""
    if isinstance(exc, OSError):
        return str(exc.strerror or exc)
    if isinstance(exc, InputError):
        return str(exc).removeprefix(f"{path}: ")
    return failure_words(exc)


def _asked_path(args: argparse.Namespace, what: str) -> Path:
    return Path(args.report if what == "report" else args.retry_file)


def _rows_nowhere(result: pd.DataFrame) -> str:
    """ " Rows still to do, written nowhere: pairs.csv rows 8, 12-15", or "" when none is."""
    from hubframe.report import retry_rows

    left = result.loc[retry_rows(result)]
    if left.empty or "row" not in left.columns:
        return ""
    sheets = left["sheet"].astype("string").fillna("") if "sheet" in left.columns else None
    groups: dict[str, list[int]] = {}
    for at, row in enumerate(left["row"].tolist()):
        if row is None or row != row:  # a sync's removal: no row of the sheet
            continue
        name = str(sheets.iloc[at]) if sheets is not None else ""
        groups.setdefault(name, []).append(int(row))
    if not groups:
        return ""
    named = "; ".join(f"{name} {_row_ranges(rows)}".strip() for name, rows in groups.items())
    return f" Rows still to do, written nowhere: {named}."


def _row_ranges(rows: list[int]) -> str:
    """ "row 8", "rows 2-4, 9": the rows, runs of them as ranges."""
    ordered = sorted(set(rows))
    spans: list[tuple[int, int]] = []
    for row in ordered:
        if spans and row == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return f"row{'s' if len(ordered) > 1 else ''} {text}"


def _check_retry_target(args: argparse.Namespace, frame: pd.DataFrame) -> None:
    """A file already at the ``--retry-file`` path is written over, or emptied, only when it
    is a retry file of this sheet (:func:`hubframe.report.overwrite.check_retry_target`):
    judged once the sheet is read, before anything is sent."""
    if not args.retry_file:
        return
    from hubframe.io.sources import as_path
    from hubframe.report.outputs import file_stamp
    from hubframe.report.overwrite import check_retry_target
    from hubframe.report.retry import sheet_names, whole_layouts

    path = as_path(args.retry_file)
    check_retry_target(path, lambda: whole_layouts(frame), sheet_names(frame))
    args.retry_stamp = file_stamp(path)  # as judged: see _retry_path


@dataclass
class JobRun:
    """What one associate / limits run gave: its exit code, result table and files written."""

    code: int
    result: pd.DataFrame
    written: list[Path]


def run_job(
    kind: str, args: argparse.Namespace, *, conn: _Connection | None = None, out: TextIO
) -> JobRun:
    """Read, validate, run and report one sheet (``associate``, ``limits``, ``remove``), or
    undo a run from its report or journal (``undo``)."""
    import threading

    started = datetime.now().astimezone().replace(tzinfo=None)
    if kind == "undo" and conn is None and getattr(args, "sandbox", None):
        raise InputError(_SANDBOX_UNDO)
    _keep_run_reports(args)  # first: a real run's report named as an output says so
    _check_outputs(args)  # nothing is sent unless the run can write all it was asked to
    frame = _read(kind, args)  # then the sheet: its problems are the commonest
    if kind in ("associate", "sync"):
        _refuse_removals(args, frame)
    if kind == "undo":
        _check_undo_outputs(args, frame)
    _check_width(args, frame)
    _check_retry_target(args, frame)
    issues = None if kind == "undo" else _validate(kind, frame)  # a report was checked before
    cancel = threading.Event()  # set by the first Ctrl-C while the job sends
    done: list[str] = []
    began = threading.Event()  # set as the job starts sending
    try:
        with contextlib.ExitStack() as stack:
            journal = stack.enter_context(_open_journal(args))
            if journal is not None:  # finished once the report is out: a kill before resumes
                journal.defer_finish()
            if conn is None:
                conn = stack.enter_context(_connect(args, frame))
            # from the first batch sent until the files are written, as a first Ctrl-C while
            # writing them would leave rows sent and not reported
            on_start = _noting(began, stack.enter_context(_stops(args, cancel)))
            result = _run(kind, args, frame, conn, journal, issues, cancel, on_start)
            settings = _settings(kind, args, conn, started)
            mode = " (dry run: nothing sent)" if args.dry_run else ""
            _print_summary(result, f"{Path(args.file).name}: {settings['command']}{mode}", out)
            _print_changes(result, out)
            _print_budget(result, out)
            written = _write_outputs(result, issues, args, settings, out, done)
            _finish_journal(journal)
    except KeyboardInterrupt:
        if not cancel.is_set():
            raise  # Ctrl-C outside the sending: "interrupted", as ever
        raise _Interrupted(_unwritten(args, done)) from None
    except Exception as exc:  # hubframe itself failed (out of memory, a bug): one line
        if isinstance(exc, (HubframeError, OSError)):
            raise
        raise _RunBroke(_broke_line(exc, args, done, sent=began.is_set())) from exc
    failure = _whole_run_failure(result, conn.where)
    if failure is not None:
        raise _RunStopped(conn.client.redact(failure))
    if cancel.is_set():
        print(f"{PROG}: {_cancelled_line(result, args)}", file=sys.stderr)
        return JobRun(EXIT_INTERRUPTED, result, written)
    return JobRun(_exit_code(result), result, written)


#: Why ``undo --sandbox`` is refused: the run it would undo lived in another portal.
_SANDBOX_UNDO: Final = (
    "--sandbox starts a new demo portal for this command alone, so it holds nothing of "
    "the run to undo (a run made with --sandbox lived in a portal of its own, gone with it). "
    "To rehearse a run and its undo, serve one sandbox with `hubframe sandbox` and give both "
    f"commands its base URL and token ({ENV_BASE_URL}, {ENV_TOKEN})."
)


def _finish_journal(journal: Journal | None) -> None:
    """Mark the run finished in its journal, now that its report and retry file are written
    (a full disk then only warns: the rows are reported, and a re-run resumes the run)."""
    if journal is None:
        return
    try:
        journal.finish_deferred()
    except InputError as exc:
        print(
            f"{PROG}: warning: {exc}; the rows are reported, and the same command with the "
            "journal resumes the run",
            file=sys.stderr,
        )


class _RunStopped(HubframeError):
    """HubSpot refused the token or could not be reached: rows were reported, the run failed."""


class _RunBroke(HubframeError):
    """hubframe itself failed during a run, outside what the run reports (out of memory
    building the result table, a bug): the line says what was sent and written."""


def _noting(
    began: threading.Event, on_start: Callable[[int], None] | None
) -> Callable[[int], None]:
    """``on_start`` (may be None), setting ``began`` first: the job starts sending."""

    def start(rows: int) -> None:
        began.set()
        if on_start is not None:
            on_start(rows)

    return start


def _broke_line(exc: Exception, args: argparse.Namespace, done: list[str], *, sent: bool) -> str:
    """What a command says when hubframe itself failed (``exc``) outside what a run reports:
    before sending, that nothing was sent; after, which files were and were not written and
    what records the rows HubSpot applied (the journal, or nothing)."""
    words = failure_words(exc)
    if not sent:
        return f"hubframe failed before sending ({words}); nothing was sent"
    said = f"hubframe failed after the run began sending ({words})"
    wrote = [
        f"the {what} ({path}) was written" for what, path in _outputs_asked(args) if what in done
    ]
    left = [f"the {what} ({path})" for what, path in _outputs_asked(args) if what not in done]
    if wrote:
        said += "; " + " and ".join(wrote)
    if left:
        said += f"; {' and '.join(left)} {'was' if len(left) == 1 else 'were'} not written"
    if args.journal:
        return (
            f"{said}; the journal {args.journal} records the batches sent: the same command "
            f"with --journal {args.journal} resumes the run without sending them again, and "
            f"hubframe undo {args.journal} takes them back"
        )
    if "report" in done:
        return said
    return (
        f"{said}; without --journal nothing records which rows HubSpot applied: run the sheet "
        "again (creating an association again is safe) with --report to see"
    )


class _Interrupted(KeyboardInterrupt):
    """A second Ctrl-C, after the first asked the run to stop: it says what it left unwritten."""


# --- Ctrl-C while a job sends ------------------------------------------------------------------


#: The line a signal that stops a run says at once, given the signal's name ("Ctrl-C",
#: "SIGTERM"): how to quit at once is to send it again.
Said = Callable[[str], str]


@contextlib.contextmanager
def _ctrl_c_stops(
    cancel: threading.Event, said: Said, *, below_bar: bool = False
) -> Iterator[Callable[[int], None] | None]:
    """Ctrl-C (SIGINT) while the job sends stops it cleanly: the first sets ``cancel`` (no new
    batch starts, the requests in flight finish, the job returns its table, so the report and
    retry file are written) and says ``said`` on stderr at once (``below_bar``: on a line of
    its own below the progress bar's); a second one, or one before the sending starts (while
    the job reads the portal), is the KeyboardInterrupt of the handler that was there.
    SIGTERM and SIGHUP (``timeout``, a CI job cancelled, a terminal closed) stop it the same
    way (:class:`_SignalStop`): before, they ended the process at once, and a run without a
    journal left no record of the rows HubSpot had applied.

    Yields the job's ``on_start``: the sending starts when the job calls it (None when no
    handler was set).  The handlers that were there are put back on leaving.  Only the main
    thread can set a handler, and a SIGINT handler that is not Python's (SIGINT ignored, as a
    shell ignores it in a job it starts in the background, or the default action) is left
    alone, as is an ignored SIGTERM or SIGHUP: then nothing changes for that signal; the others
    still stop the run cleanly (before, an ignored SIGINT left SIGTERM and SIGHUP ending the
    process at once, with no report, no retry file and no word of the rows HubSpot applied).
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    sending = threading.Event()
    kept: dict[int, Any] = {}
    for signum, stop in _signal_stops(sending, cancel, said, below_bar).items():
        kept[signum] = stop.before
        signal.signal(signum, stop)
    previous = signal.getsignal(signal.SIGINT)
    if callable(previous):
        line = said("Ctrl-C")

        def interrupt(signum: int, frame: FrameType | None) -> None:
            if not sending.is_set() or cancel.is_set():
                previous(signum, frame)  # KeyboardInterrupt, normally
                return
            cancel.set()
            _say_now(f"\n{line}" if below_bar else line)

        kept[signal.SIGINT] = previous
        signal.signal(signal.SIGINT, interrupt)
    if not kept:
        yield None
        return
    try:
        yield lambda rows: sending.set()
    finally:
        for signum, handler in kept.items():
            signal.signal(signum, handler)


@dataclass
class _SignalStop:
    """A SIGTERM or SIGHUP handler: while the run sends, the first stops it as a first Ctrl-C
    does and says ``line``; a second one, or one before the sending starts, is what the
    signal did before (``before``: the default action ends the process at once)."""

    before: Any
    sending: threading.Event
    cancel: threading.Event
    line: str

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.sending.is_set() and not self.cancel.is_set():
            self.cancel.set()
            _say_now(self.line)
            return
        if callable(self.before):
            self.before(signum, frame)
            return
        import signal

        signal.signal(signum, self.before)
        signal.raise_signal(signum)


def _signal_stops(
    sending: threading.Event, cancel: threading.Event, said: Said, below_bar: bool
) -> dict[int, _SignalStop]:
    """A :class:`_SignalStop` for SIGTERM and SIGHUP, where the system has them and they are
    not ignored (``nohup``)."""
    import signal

    stops: dict[int, _SignalStop] = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        before = signal.getsignal(signum) if signum is not None else None
        if signum is None or before in (signal.SIG_IGN, None):
            continue
        line = said(name)
        stops[signum] = _SignalStop(before, sending, cancel, f"\n{line}" if below_bar else line)
    return stops


def _say_now(line: str) -> None:
    """One line on stderr from a signal handler, which may have interrupted a write to stderr
    (a progress bar's): the buffered stream refuses to be entered again, the descriptor not.
    Nothing it meets is raised: an error here would surface wherever the run was."""
    text = f"{line}\n"
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except RuntimeError:  # "reentrant call": stderr was being written when the signal came
        import os

        with contextlib.suppress(OSError):
            os.write(2, text.encode("utf-8", "replace"))
    except (OSError, ValueError):  # stderr closed or gone: the run stops all the same
        pass


def _outputs_asked(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The report and retry file the command line asked for: (what, path)."""
    asked = [("report", args.report), ("retry file", args.retry_file)]
    return [(what, Path(path)) for what, path in asked if path]


def _stopping_line(args: argparse.Namespace) -> Said:
    """What the first Ctrl-C (or SIGTERM, SIGHUP) says at once."""
    files = " and ".join(f"the {what}" for what, _ in _outputs_asked(args)) or "the summary"
    return lambda by: (
        f"{PROG}: stopping{signal_named(by)}: no new batch is sent; finishing the requests in "
        f"flight, then writing {files}; {by} again to quit at once (without them)"
    )


def signal_named(by: str) -> str:
    """ " (SIGTERM)" after "stopping" for a signal other than Ctrl-C; "" for Ctrl-C."""
    return "" if by == "Ctrl-C" else f" ({by})"


def _unwritten(args: argparse.Namespace, done: list[str]) -> str:
    """What a second Ctrl-C says: what it left unwritten, and how to pick the run up again."""
    left = [f"the {what} ({path})" for what, path in _outputs_asked(args) if what not in done]
    said = "interrupted again: stopped at once"
    if left:
        said += f"; {' and '.join(left)} {'was' if len(left) == 1 else 'were'} not written"
    if args.journal:
        said += f"; the same command with --journal {args.journal} resumes the run"
    return said


def _cancelled_line(result: pd.DataFrame, args: argparse.Namespace) -> str:
    """What a run stopped by Ctrl-C says last: how many rows it did not send, and where they are."""
    codes = result["error_code"].astype("string")
    left = int((codes == str(ErrorCode.CANCELLED)).fillna(False).sum())
    if not left:
        return "interrupted: every row was sent before the stop"
    where = "; the retry file holds them" if args.retry_file else ""
    return f"interrupted: {_plural(left, 'row')} not sent (skipped, CANCELLED){where}"


# --- validate -----------------------------------------------------------------------------------


def _read_any(args: argparse.Namespace) -> tuple[str, pd.DataFrame]:
    """The sheet read as pairs, else as limits; refused by both, the pairs reader's refusal,
    or the limits reader's when the pairs reader found a limits sheet (its refusal says so,
    ``HeaderError.looks_like``): a limits sheet's own problem is the one to act on."""
    if args.kind != "auto":
        return args.kind, _read(args.kind, args)
    try:
        return "pairs", _read("pairs", args)
    except InputError as pairs_error:
        try:
            return "limits", _read("limits", args)
        except InputError as limits_error:
            from hubframe.io.columns import looks_like

            if looks_like(pairs_error) == "limits":
                raise limits_error from None
            raise pairs_error from None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _online(args: argparse.Namespace) -> bool:
    """validate checks in HubSpot when asked to, or when told where HubSpot is."""
    return bool(args.online or args.check_records or args.sandbox or args.token or args.base_url)


def _issues(kind: str, frame: pd.DataFrame, args: argparse.Namespace, out: TextIO) -> pd.DataFrame:
    """The sheet's issues; connected, also what a run would find in HubSpot."""
    from hubframe.jobs import check
    from hubframe.run.lookup import id_properties

    if not _online(args):
        for side, prop in id_properties(frame).items() if kind == "pairs" else ():
            print(
                f"{Path(args.file).name}: the {side} side names records by {prop}: HubSpot "
                "is asked when the run starts (--online asks now)",
                file=out,
            )
        return _validate(kind, frame)
    with _connect(args, frame) as conn:
        if kind == "limits":
            return check.validate_limits(frame, conn.client)
        return check.validate_pairs(frame, conn.client, check_records=args.check_records)


#: What an offline validate leaves to the run, said beside its verdict.
_OFFLINE: Final = {
    "pairs": "checked offline (the sheet alone): its labels and records were not looked up "
    "in HubSpot",
    "limits": "checked offline (the sheet alone): its labels and HubSpot's limits were not read",
}


def run_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Print the issues of a sheet; exit 1 when any is an error."""
    kind, frame = _read_any(args)
    issues = _issues(kind, frame, args, out)
    name = Path(args.file).name
    checked = ""
    if _online(args):
        records = ", every record id included" if args.check_records and kind == "pairs" else ""
        checked = f" (checked in HubSpot too{records})"
    if not _online(args):  # "no problems" must not read as "HubSpot agrees"
        print(f"{name}: {_OFFLINE[kind]} (--online checks them too)", file=out)
    if issues.empty:
        print(f"{name}: {len(frame)} rows of {kind}{checked}, no problems found.", file=out)
        return EXIT_OK
    errors = int((issues["severity"] == "error").sum())
    warnings = len(issues) - errors
    print(
        f"{name}: {len(frame)} rows of {kind}{checked}, {_plural(errors, 'error')}, "
        f"{_plural(warnings, 'warning')}",
        file=out,
    )
    for issue in issues.head(args.max_issues).itertuples(index=False):
        where = f"{issue.sheet} row {issue.row}"
        print(f"  {where}: {issue.severity} {issue.code}: {issue.message}", file=out)
    if len(issues) > args.max_issues:
        more = len(issues) - args.max_issues
        print(f"  ... and {more} more (--max-issues N shows more)", file=out)
    return EXIT_ROWS if errors else EXIT_OK


# --- demo ---------------------------------------------------------------------------------------

DEMO_JOBS: Final = (
    ("associate", "deals_contacts.xlsx", "deals <-> contacts with labels (Excel, title block)"),
    ("associate", "contacts_companies.csv", "contacts <-> companies (CSV)"),
    ("limits", "limits.csv", "association limits: create, update, remove"),
    ("associate", "messy_deals_contacts.xlsx", "a messy export: what errors look like"),
)
#: The sample sheets shipped with the package (``sample_data/generate.py`` writes them, and the
#: same files into ``sample_data/``), so the demo runs from an installed package too.
SAMPLES: Final = Path(__file__).resolve().parent / "sandbox" / "data" / "samples"


def _sample_dir(given: Path | None) -> Path:
    """--sample-data, else the sample sheets shipped with hubframe."""
    return SAMPLES if given is None else given


def _demo_argv(command: str, sample: Path, out_dir: Path, progress: bool | None) -> list[str]:
    stem = sample.stem
    argv = [command, str(sample), "--report", str(out_dir / f"{stem}_report.xlsx")]
    argv += ["--retry-file", str(out_dir / f"{stem}_retry.xlsx")]
    if progress is not None:
        argv.append("--progress" if progress else "--no-progress")
    return argv


def _recap(runs: list[tuple[str, JobRun]], out: TextIO) -> None:
    header = ("sheet", "rows", "success", "failed", "invalid", "other")
    rows: list[tuple[str, ...]] = [header]
    for name, run in runs:
        counts = run.result["status"].astype("string").value_counts()
        main = [int(counts.get(s, 0)) for s in ("success", "failed", "invalid")]
        other = len(run.result) - sum(main)
        rows.append((name, str(len(run.result)), *map(str, main), str(other)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    print("demo summary (other = duplicate, skipped or planned)", file=out)
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  " + "  ".join(cells), file=out)


def run_demo(args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO) -> int:
    """Run the sample sheets against one demo sandbox, through the same path as the CLI."""
    from hubframe.hubspot.client import HubSpotClient
    from hubframe.sandbox import Sandbox

    sample_dir = _sample_dir(args.sample_data)
    missing = [name for _, name, _ in DEMO_JOBS if not (sample_dir / name).is_file()]
    if missing:
        raise InputError(
            f"sample data not found: {', '.join(str(sample_dir / m) for m in missing)}; "
            "pass --sample-data DIR with the sample sheets, or leave it out to use the ones "
            "shipped with hubframe (make demo does)"
        )
    out_dir: Path = args.out
    runs: list[tuple[str, JobRun]] = []
    with Sandbox(seed="demo") as sb, HubSpotClient(sb.token, sb.url) as client:
        print(f"hubframe demo: the built-in HubSpot sandbox at {sb.url}", file=out)
        conn = _Connection(client, sb.url)
        for command, name, what in DEMO_JOBS:
            print(f"\n== {what}", file=out)
            argv = _demo_argv(command, sample_dir / name, out_dir, args.progress)
            job_args = parser.parse_args(argv)
            job_args.sandbox = "demo"
            job_args.demo = True  # writes over its own reports (:func:`_keep_run_reports`)
            runs.append((name, run_job(command, job_args, conn=conn, out=out)))
            if runs[-1][1].code == EXIT_INTERRUPTED:  # Ctrl-C: no further sheet
                return EXIT_INTERRUPTED
    print(file=out)
    _recap(runs, out)
    print(f"\nreports and retry files written under {out_dir}/ (open them in Excel):", file=out)
    for _, run in runs:
        for path in run.written:
            print(f"  {path}", file=out)
    return EXIT_OK


# --- main ---------------------------------------------------------------------------------------


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, OSError) and error.filename and str(error.filename) not in text:
        text = f"{error.filename}: {text}"
    return text


def _hide_token(args: argparse.Namespace) -> None:
    """Keep --token masked from here on: ``args.token`` becomes a :class:`Secret` (or None).
    The token the command uses -- ``--token``, else ``$HUBSPOT_ACCESS_TOKEN``, without the
    ``Bearer`` word a copied header brings -- is registered for redaction
    (:mod:`hubframe.redaction`): every line the command prints has it redacted
    (:class:`_Stdout`), as reports have.  (Only the command's own lines did, and only a
    ``--token`` given as typed: a file or a cell named after the token showed it.)"""
    from hubframe.hubspot.auth import Secret
    from hubframe.redaction import register_secret
    from hubframe.tokens import token_text

    token = getattr(args, "token", None)
    secret = Secret(token.strip()) if isinstance(token, str) and token.strip() else None
    del token
    if getattr(args, "command", None) == "sandbox":  # the token a sandbox is to accept: its own
        return
    args.token = secret
    used = secret.reveal() if secret is not None else os.environ.get(ENV_TOKEN, "")
    register_secret(token_text(used))


def _dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from hubframe import cli_portal

    out = sys.stdout
    if getattr(args, "sandbox", None) and (args.token or args.base_url):
        args.usage_error("--sandbox cannot be combined with --token or --base-url")
    if args.command in cli_portal.COMMANDS:
        return cli_portal.dispatch(args, out)
    if args.command in ("associate", "limits", "undo", "remove"):
        return run_job(args.command, args, out=out).code
    if args.command == "validate":
        return run_validate(args, out)
    if args.command == "demo":
        return run_demo(args, parser, out)
    from hubframe.sandbox import serve

    records = _records_sheet(args)
    return int(serve.run(args, records=records))


def _records_sheet(args: argparse.Namespace) -> pd.DataFrame | None:
    """``hubframe sandbox --records FILE``: the sheet whose records the sandbox makes."""
    if args.records is None:
        return None
    reading = argparse.Namespace(**{**vars(args), "file": args.records, "kind": "auto"})
    reading.label = reading.from_id_property = reading.to_id_property = None
    with contextlib.redirect_stdout(sys.stderr):  # stdout is the URL and token (--json)
        return _read_any(reading)[1]


def _sandbox_mode_first(argv: list[str]) -> list[str]:
    """``--sandbox FILE`` keeps meaning "the demo sandbox, and FILE": ``--sandbox`` takes a mode
    (``--sandbox rehearse``), so a following word that is no mode is not taken as one."""
    out = list(argv)
    for i, word in enumerate(out[:-1]):
        following = out[i + 1]
        if word == "--sandbox" and following not in SANDBOX_MODES and not following.startswith("-"):
            out[i] = "--sandbox=demo"
    return out


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning of the library (a sheet left out by a read the command line does not make
    itself) as one line in the command line's words."""
    print(f"{PROG}: warning: {message}", file=sys.stderr)


class _Stdout(io.TextIOBase):
    """stdout (or stderr) that a reader gone (``hubframe ... | head``) or a full disk cannot
    stop: a run that had sent its rows stopped at its summary with ``[Errno 32] Broken pipe``,
    before its report and retry file were written.  The first write that fails is kept in
    ``lost``; what follows goes nowhere (the descriptor too, so Python's own flush at exit
    cannot fail).  What is written shows the characters that would steer a terminal
    (:func:`hubframe.terminal.visible`): the lines quote cells, names and HubSpot's words; and,
    ``redacting``, has the secrets registered (the access token: :func:`_hide_token`)
    redacted, as reports have them (:func:`hubframe.redaction.redact`): a cell, a file name or
    a message holding the token shows ``<redacted>``, whatever line quotes it."""

    def __init__(self, stream: TextIO | None, *, redacting: bool = True) -> None:
        super().__init__()
        from hubframe.redaction import redact

        self._stream = cast("TextIO", stream)
        self._redact: Callable[[str], str] | None = redact if redacting else None
        self.lost: OSError | None = None
        if stream is None:  # started with the descriptor closed (``hubframe ... >&-``)
            self.lost = OSError(errno.EBADF, os.strerror(errno.EBADF))

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.lost is None and self._stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    def fileno(self) -> int:
        if self._stream is None:
            raise io.UnsupportedOperation("the stream was closed when the command started")
        return self._stream.fileno()  # a progress bar asks the terminal's width

    def write(self, text: str) -> int:
        if self.lost is None:
            shown = visible(text if self._redact is None else self._redact(text), redraw=True)
            try:
                try:
                    self._stream.write(shown)
                except UnicodeEncodeError:  # a file name or cell the stream cannot encode
                    self._stream.write(self._encodable(shown))
            except OSError as exc:
                self._lose(exc)
        return len(text)

    def _encodable(self, text: str) -> str:
        """``text`` with what the stream's encoding lacks (``é`` or ``→`` on a Windows console
        redirected to a file, in cp1252; any non-ASCII under ``PYTHONIOENCODING=ascii``)
        written as Python escapes (``\\xe9``): a run whose summary named such a file stopped
        there with a UnicodeEncodeError, before its report and retry file were written."""
        encoding = self.encoding
        return text.encode(encoding, "backslashreplace").decode(encoding)

    def flush(self) -> None:
        if self.lost is None:
            try:
                self._stream.flush()
            except OSError as exc:
                self._lose(exc)

    def _lose(self, exc: OSError) -> None:
        self.lost = exc
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            fd = self._stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hubframe`` and ``python -m hubframe`` (:mod:`hubframe.__main__`);
    returns the exit code.  A Ctrl-C from the first line on -- while the parser is built, the
    token hidden, the command loads -- is ``hubframe: interrupted``, exit 130, as later: it
    was a traceback, and the process died of the signal."""
    in_process, hook = argv is not None, sys.unraisablehook
    try:
        parser = build_parser()
        words = _sandbox_mode_first(sys.argv[1:] if argv is None else list(argv))
        _hide_typed_tokens(words, parser)
        args = parser.parse_args(words)
        del words
        del argv  # it may hold --token: no frame below keeps it
        _hide_token(args)
        return _with_streams(args, parser)
    except KeyboardInterrupt:
        return _interrupted(f"{PROG}: interrupted")
    finally:
        if in_process:  # a caller's own hook is its own again (the program keeps quiet)
            sys.unraisablehook = hook


def _interrupted(said: str) -> int:
    """Say ``said`` on stderr (a stream closed or gone says nothing) and give the exit code of
    an interrupted command; what the Ctrl-C tore apart says nothing as it is freed."""
    sys.unraisablehook = _torn_by_the_interrupt
    with contextlib.suppress(AttributeError, OSError, ValueError):
        print(said, file=sys.stderr)
    return EXIT_INTERRUPTED


def _with_streams(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The command with stdout and stderr that a reader gone cannot stop and that redact the
    token (:class:`_Stdout`; ``hubframe sandbox`` prints its own token: not redacted)."""
    redacting = args.command != "sandbox"
    stdout = _Stdout(sys.stdout, redacting=redacting)
    stderr = _Stdout(sys.stderr, redacting=redacting)
    try:
        with (
            contextlib.redirect_stdout(cast("TextIO", stdout)),
            contextlib.redirect_stderr(cast("TextIO", stderr)),
        ):
            return _guarded_dispatch(args, parser)
    finally:
        stderr.flush()
        stdout.flush()  # a pipe's reader gone shows here, as a short summary's lines wait
        if stdout.lost is not None:
            reason = stdout.lost.strerror or type(stdout.lost).__name__
            print(
                f"{PROG}: warning: could not write to stdout ({reason}): what followed there "
                "is lost; the command went on regardless (its files, if any, are written)",
                file=sys.stderr,
            )


def _guarded_dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The command, and its errors as one line on stderr (:func:`main`)."""
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return _dispatch(args, parser)
    except (HubframeError, OSError) as error:
        hint = _traceback_if_asked(error) if isinstance(error, _RunBroke) else ""
        print(f"{PROG}: error: {_one_line(error)}{hint}", file=sys.stderr)
    except _Interrupted as again:
        return _interrupted(f"{PROG}: {again}")
    except KeyboardInterrupt:
        return _interrupted(f"{PROG}: interrupted")
    except Exception as error:  # a failure of hubframe itself: one line, never a traceback
        hint = _traceback_if_asked(error)
        print(f"{PROG}: error: hubframe failed ({failure_words(error)}){hint}", file=sys.stderr)
    return EXIT_ERROR


#: Set (to anything but empty or 0), a failure of hubframe itself also prints its traceback,
#: for a bug report.
ENV_TRACEBACK: Final = "HUBFRAME_TRACEBACK"


def _traceback_if_asked(error: BaseException) -> str:
    """The traceback of a failure of hubframe itself, printed on stderr when
    ``$HUBFRAME_TRACEBACK`` asks for it (then ""); else the hint that ends the error line."""
    if os.environ.get(ENV_TRACEBACK, "").strip() in ("", "0"):
        return f" (set {ENV_TRACEBACK}=1 to see where, for a bug report)"
    import traceback

    traceback.print_exception(error, file=sys.stderr)
    return ""


def _torn_by_the_interrupt(unraisable: Any) -> None:
    """Say nothing of an object a Ctrl-C cut short that fails as it is freed: Python printed
    "Exception ignored in ... ZipFile.__del__" and a traceback after "hubframe: interrupted"
    when the Ctrl-C landed inside zipfile's constructor (its files are already whole or
    gone: :mod:`hubframe.report.whole`)."""
