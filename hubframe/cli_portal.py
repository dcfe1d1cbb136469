"""The commands that read the portal first: ``export``, ``sync`` and ``labels``.

* ``hubframe export --from deals --to contacts [--ids deals.xlsx] -o links.xlsx``: the
  associations of records, in the upload layout (:func:`hubframe.read_associations`);
* ``hubframe sync FILE [--delete] [--max-removals N] [--dry-run]``: make the portal equal the
  sheet for the records it names (:func:`hubframe.sync`), with reports, retry files and
  journals as ``associate`` has them; the diff is printed;
* ``hubframe labels FILE [--rename]``: create the labels a sheet names
  (:func:`hubframe.configure_labels`); ``hubframe limits FILE --create-labels`` does it before
  configuring the limits.

Exit codes as for the other commands (0 done, 1 rows failed or invalid, 2 usage or whole-run
error).  The parser and the dispatch live here so :mod:`hubframe.cli` only hands over.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

if TYPE_CHECKING:
    import threading

    import pandas as pd

    from hubframe.cli import _Connection
    from hubframe.jobs.new_labels import NewLabels

COMMANDS: Final = ("export", "sync", "labels")
#: Rows of a sync's diff printed on the terminal (the report has all of them).
SHOWN_CHANGES: Final = 20

EXPORT_EPILOG: Final = """\
examples:
  hubframe export --from deals --to contacts -o links.xlsx           # every deal
  hubframe export --from deals --to contacts --ids deals.xlsx -o links.csv
  hubframe export --from deals --to contacts --ids deals.csv --keep-empty -o links.xlsx

The file reads back with read_pairs (hubframe sync links.xlsx after an edit): one row per
deal, contact and label; a pair without labels has one row with an empty label.
"""
SYNC_EPILOG: Final = """\
examples:
  hubframe sync links.xlsx --dry-run --report plan.xlsx     # the diff, nothing sent
  hubframe sync links.xlsx --report report.xlsx             # add what the sheet has
  hubframe sync links.xlsx --delete --report report.xlsx    # ... and remove what it lacks
  hubframe sync links.xlsx --delete --max-removals 120      # allow more removals

hubframe undo report.xlsx takes a sync back (the removed associations are created again).

Removals need --delete; more than 10 % of the associations in scope (at least 10, at most
500) also need --max-removals N. HubSpot-defined primary associations are kept unless
--allow-primary-removal.

--label L gives every row the label L, as a label column would: with --delete, each pair the
sheet lists keeps L and loses its other labels (the pair stays). To add a label and keep the
others, leave out --delete (or use hubframe associate FILE --label L).
"""
LABELS_EPILOG: Final = """\
examples:
  hubframe labels labels.xlsx --dry-run      # From type, To type, Label, Inverse label
  hubframe labels deals_contacts.xlsx        # the labels a pairs sheet names
"""


# --- parser ---------------------------------------------------------------------------------------


def add_commands(subs: Any) -> None:
    """Add ``export``, ``sync`` and ``labels`` to the ``hubframe`` parser."""
    from hubframe import cli

    p = _parser(subs, "export", "read the portal's associations into a sheet", EXPORT_EPILOG)
    p.add_argument(
        "--from", dest="from_type", metavar="TYPE", required=True, help="the records' object type"
    )
    p.add_argument(
        "--to", dest="to_type", metavar="TYPE", required=True, help="the associated object type"
    )
    p.add_argument(
        "--ids", type=Path, metavar="FILE", help="a sheet of the records to read (default: all)"
    )
    p.add_argument("--ids-column", metavar="HEADER", help="the column of --ids holding the ids")
    p.add_argument("--sheet", help="the sheet of --ids (name, or position from 0)")
    p.add_argument("--keep-empty", action="store_true", help="a row for records without any")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="OUT", help=".xlsx or .csv")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    _hub(p)
    p = _parser(subs, "sync", "make the portal's associations equal a sheet's", SYNC_EPILOG)
    cli._add_input(p, label=True)
    rules = p.add_argument_group("sync")
    rules.add_argument("--delete", action="store_true", help="remove what the sheet lacks")
    rules.add_argument(
        "--max-removals",
        type=cli.whole_number(0),
        metavar="N",
        help="allow up to N removals (0: none)",
    )
    rules.add_argument(
        "--allow-primary-removal",
        action="store_true",
        help="also remove HubSpot-defined primary associations the sheet lacks (kept otherwise)",
    )
    rules.add_argument("--scope", type=Path, metavar="FILE", help="a sheet of the from ids to sync")
    rules.add_argument(
        "--scope-column", metavar="HEADER", help="the column of --scope holding the ids"
    )
    rules.add_argument(
        "--send-predicted-failures",
        action="store_true",
        help="send rows the pre-flight predicts HubSpot will refuse (default: not sent)",
    )
    cli._add_run(p)
    p = _parser(subs, "labels", "create the labels a sheet names", LABELS_EPILOG)
    p.add_argument("file", type=Path, help="a labels, pairs or limits sheet")
    p.add_argument("--sheet", help="sheet name, or position counted from 0")
    p.add_argument("--from", dest="from_type", metavar="TYPE", help="from object type")
    p.add_argument("--to", dest="to_type", metavar="TYPE", help="to object type")
    p.add_argument("--rename", action="store_true", help="rename labels whose type id is given")
    p.add_argument(
        "--dry-run", action="store_true", help="say what would be created; create nothing"
    )
    p.add_argument("--report", type=Path, metavar="OUT", help="write a report (.xlsx or .csv)")
    _hub(p)


def add_limits_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--create-labels",
        action="store_true",
        help="create first the missing labels of the rows it will send",
    )


def _parser(subs: Any, name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
    from hubframe import cli

    parser: argparse.ArgumentParser = subs.add_parser(
        name,
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog=epilog,
        formatter_class=cli._formatter,
    )
    return parser


def _hub(parser: argparse.ArgumentParser) -> None:
    from hubframe import cli

    cli._add_hubspot(parser)  # the same --sandbox, --api-version, --token, --base-url


# --- dispatch -------------------------------------------------------------------------------------


def dispatch(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``export``, ``sync`` or ``labels``; the exit code."""
    commands: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
        "export": run_export,
        "sync": run_sync,
        "labels": run_labels,
    }
    return commands[str(args.command)](args, out)


def run_export(args: argparse.Namespace, out: TextIO) -> int:
    from hubframe import cli
    from hubframe.jobs import read_associations
    from hubframe.report import write_pairs
    from hubframe.report.outputs import check_outputs, keep_run_report

    check_outputs(export=args.out, sources=[args.ids])  # before anything is read
    keep_run_report(args.out, "an export", "the export", "read")
    with cli._connect(args) as conn:
        frame = read_associations(
            conn.client,
            args.from_type,
            args.to_type,
            args.ids,
            keep_empty=args.keep_empty,
            sheet=args.sheet,
            column=args.ids_column,
            progress=cli._progress(args),
            syntax="cli",
        )
    written = write_pairs(frame, args.out)
    info = frame.attrs["hubframe"]
    linked = int(frame["to_id"].notna().sum())
    calls = _plural(info["read_calls"], "batch read")
    used = sorted(set((info.get("id_columns") or {}).values()))
    column = f"ids from the column{'s' if len(used) > 1 else ''} {', '.join(map(repr, used))}; "
    print(
        f"{written}: {_plural(linked, 'association')} of {info['linked_records']:,} of the "
        f"{info['records']:,} {info['from_type']} read ({column if used else ''}{calls})",
        file=out,
    )
    if written.suffix.lower() == ".csv":  # it cannot keep the records read (.xlsx does)
        from hubframe.io.scope import LAST_ROW_HINT

        print(f"{written}: {LAST_ROW_HINT} (an .xlsx export keeps them)", file=out)
    sheets, per_sheet = _sheets_written(written, frame)
    if sheets > 1:
        print(
            f"{written}: {sheets} sheets (an Excel sheet holds {per_sheet:,} rows below its "
            "header); read or sync the file with --sheet '*' to take every sheet",
            file=out,
        )
    return cli.EXIT_OK


def _sheets_written(path: Path, frame: pd.DataFrame) -> tuple[int, int]:
    """How many sheets :func:`~hubframe.report.write_pairs` wrote ``frame`` in (the writer's
    own split, :func:`~hubframe.report.excel.sheet_parts`), and the rows a sheet holds."""
    from hubframe.report import excel

    if path.suffix.lower() != ".xlsx":
        return 1, excel.SHEET_ROWS - 1
    return len(excel.sheet_parts(excel.Table("", frame))), excel.SHEET_ROWS - 1


def run_sync(args: argparse.Namespace, out: TextIO) -> int:
    from hubframe import cli

    refuse_idle_rules(args)
    job = cli.run_job("sync", args, out=out)
    print_diff(job.result, out)
    return job.code


def sync_options(args: argparse.Namespace) -> dict[str, Any]:
    """The sync's options from its command line (beyond the run options)."""
    return {
        "allow_removals": bool(args.delete),
        "max_removals": args.max_removals,
        "allow_primary_removal": bool(args.allow_primary_removal),
        "scope": scope_ids(args.scope, args.scope_column),
        "send_predicted_failures": bool(args.send_predicted_failures),
    }


def refuse_idle_rules(args: argparse.Namespace) -> None:
    """A removal rule without ``--delete`` is refused (before anything is read): it would
    change nothing, and the analyst who gave it expects removals."""
    from hubframe.errors import ConfigurationError

    rules = [
        flag
        for flag, given in (
            (f"--max-removals {args.max_removals}", args.max_removals is not None),
            ("--allow-primary-removal", bool(args.allow_primary_removal)),
        )
        if given
    ]
    if rules and not args.delete:
        raise ConfigurationError(
            f"{' and '.join(rules)} {'set' if len(rules) > 1 else 'sets'} what --delete may "
            "remove, but --delete is not given, so nothing would be removed: add --delete, "
            "or leave the removal rules out"
        )


def scope_ids(scope: Path | None, column: str | None) -> list[str] | None:
    """The ids of ``--scope FILE``, from its column ``--scope-column`` names (else the one
    the reader picks, as ``export --ids`` does); its messages name ``--scope-column``."""
    from hubframe.errors import ConfigurationError, InputError
    from hubframe.io.ids import read_ids
    from hubframe.io.syntax import CLI

    if scope is None:
        if column is not None:
            raise ConfigurationError(
                f"--scope-column {column!r} names the id column of a --scope FILE: give "
                "--scope too, or leave --scope-column out"
            )
        return None
    ids = read_ids(scope, column=column, syntax=CLI.with_flag("column", "--scope-column"))
    if not ids:
        raise InputError(
            f"{scope.name}: --scope names no record (the file holds no ids), so every row "
            "would be skipped OUT_OF_SCOPE and nothing synced: give a file of the from ids "
            "to sync, or leave --scope out to sync the records the sheet lists."
        )
    return ids


def print_diff(result: pd.DataFrame, out: TextIO) -> None:
    """The diff of a sync: counts per change, then its first additions and removals."""
    from hubframe.jobs.sync import change_counts, sync_facts

    counts = change_counts(result)
    if not counts:
        return
    print(
        "changes: " + ", ".join(f"{c} {n}" for c, n in counts.items()),
        file=out,
    )
    facts = sync_facts(result)
    if facts is not None and not facts.allow_removals and facts.not_in_sheet:
        print(
            f"  {_plural(facts.not_in_sheet, 'association')} in the portal not in the sheet: "
            "kept (--delete removes them)",
            file=out,
        )
    if facts is not None and facts.guard:
        allowed = (
            f"--max-removals {facts.allowance} allows"
            if facts.allowance_given
            else "allowed without --max-removals N"
        )
        print(
            f"{cli_prog()}: warning: more removals than the {facts.allowance} {allowed}: a "
            "real run refuses to start",
            file=sys.stderr,
        )
    changed = result.loc[result["change"].isin(["add", "remove"]).fillna(False)]
    for row in _records(changed.head(SHOWN_CHANGES)):
        sign = "+" if row["change"] == "add" else "-"
        label = f' "{row["label"]}"' if row["label"] else ""
        print(
            f"  {sign} {row['from_type']} {row['from_id']} -> {row['to_type']} {row['to_id']}"
            f"{label}  [{row['status']}]",
            file=out,
        )
    if len(changed) > SHOWN_CHANGES:
        print(f"  ... and {len(changed) - SHOWN_CHANGES} more (--report writes them all)", file=out)


def cli_prog() -> str:
    from hubframe.cli import PROG

    return PROG


def run_labels(args: argparse.Namespace, out: TextIO) -> int:
    """``hubframe labels``: the first Ctrl-C while labels are created stops it cleanly -- no
    further label is created, the request out finishes, the lines and the report are written
    as for any run (the rows left ``skipped``, ``CANCELLED``), exit 130; a second quits at
    once (:func:`hubframe.cli._ctrl_c_stops`).  A dry run quits at once."""
    import threading

    from hubframe import cli
    from hubframe.jobs import configure_labels
    from hubframe.report.outputs import check_outputs

    check_outputs(report=args.report, sources=[args.file])  # before any label is created
    cli._keep_run_reports(args)  # never over the report of a run that sent rows
    sheet = cli._read("labels", args)  # the sheet --sheet names, and which was read, said
    cancel = threading.Event()
    done: list[str] = []
    try:
        with cli._connect(args) as conn, _stops(args, cancel) as on_start:
            result = configure_labels(
                sheet,
                conn.client,
                renames=args.rename,
                dry_run=args.dry_run,
                cancel=cancel,
                on_start=on_start,
            )
        mode = " (dry run: nothing created)" if args.dry_run else ""
        print_labels(result, f"{Path(args.file).name}: labels{mode}", out)
        if args.report:
            from hubframe.report import export_report

            print(f"report: {export_report(result, args.report)}", file=out)
            done.append("report")
    except KeyboardInterrupt:
        if not cancel.is_set():
            raise  # Ctrl-C before any label was sent: "interrupted", as ever
        left = "" if done or not args.report else f"; the report ({args.report}) was not written"
        raise cli._Interrupted(f"interrupted again: stopped at once{left}") from None
    if cancel.is_set():
        print(f"{cli.PROG}: {cancelled_labels(result)}", file=sys.stderr)
        return cli.EXIT_INTERRUPTED
    failure = _labels_stopped(result, conn.where)
    if failure is not None:  # a refused token, no HubSpot: exit 2, as for any run
        raise cli._RunStopped(failure)
    return cli.EXIT_ROWS if bool(labels_left(result).any()) else cli.EXIT_OK


def labels_left(result: pd.DataFrame) -> pd.Series:
    """The labels a run left to do: failed or invalid, or not sent because it stopped (the
    daily limit: ``skipped``, ``RATE_LIMITED``); the command then exits 1, as for any run."""
    from hubframe.errors import STOPPING_CODES

    status = result["status"].astype("string")
    stopped = result["error_code"].astype("string").isin([str(c) for c in STOPPING_CODES])
    left = status.isin(["failed", "invalid"]) | ((status == "skipped") & stopped)
    return left.fillna(False).astype(bool)


def _labels_stopped(result: pd.DataFrame, where: str) -> str | None:
    """Why a labels run failed as a whole: HubSpot refused the token or was never reached
    (its labels were reported ``skipped`` or ``failed`` and it exited 0 or 1)."""
    from hubframe.stops import WHOLE_RUN_STOPS, stopped_by

    codes = result["error_code"].astype("string")
    for code in WHOLE_RUN_STOPS:  # in a fixed order: the token first
        undone = int((codes == str(code)).fillna(False).sum())
        said = stopped_by(code, result, undone, "label", where) if undone else None
        if said is not None:
            return said
    return _labels_broke(result)


def _labels_broke(result: pd.DataFrame) -> str | None:
    """Why a labels run hubframe itself stopped (``RUN_FAILED``: out of memory) failed, in
    one line (exit 2), or None when it did not."""
    from hubframe.errors import ErrorCode
    from hubframe.jobs.labels import LABELS_STOP

    if (result.attrs.get("hubframe") or {}).get(LABELS_STOP) != str(ErrorCode.RUN_FAILED):
        return None  # (a row's RUN_FAILED is no test: the one label it failed on may be the last)
    codes = result["error_code"].astype("string")
    messages = result["error_message"].astype("string")
    broke = (codes == str(ErrorCode.RUN_FAILED)).fillna(False)
    unknown_rows = (codes == str(ErrorCode.UNKNOWN_OUTCOME)).fillna(False)
    unknown = int(unknown_rows.sum())
    last = str(messages[broke if broke.any() else unknown_rows].iloc[-1])
    said = last.removeprefix("Not sent: ").split(", so the run stopped")[0].rstrip(".")
    maybe = f", {unknown} may have been made (UNKNOWN_OUTCOME)" if unknown else ""
    return f"{said} ({int(broke.sum())} labels not done (RUN_FAILED){maybe})"


def _stops(
    args: argparse.Namespace, cancel: threading.Event
) -> AbstractContextManager[Callable[[int], None] | None]:
    """Ctrl-C while labels are created sets ``cancel`` (a dry run creates none: it quits)."""
    import contextlib

    from hubframe import cli

    if args.dry_run:
        return contextlib.nullcontext(None)
    then = "writing the report" if getattr(args, "report", None) else "listing the labels"
    return cli._ctrl_c_stops(
        cancel,
        lambda by: (
            f"{cli.PROG}: stopping{cli.signal_named(by)}: no further label is created; "
            f"finishing the request out, then {then}; {by} again to quit at once"
        ),
    )


def cancelled_labels(result: pd.DataFrame) -> str:
    """What a labels run stopped by Ctrl-C says last: the labels it left."""
    from hubframe.errors import ErrorCode

    codes = result["error_code"].astype("string")
    left = int((codes == str(ErrorCode.CANCELLED)).fillna(False).sum())
    if not left:
        return "interrupted: every label was done before the stop"
    return f"interrupted: {_plural(left, 'label')} not created or renamed (skipped, CANCELLED)"


def print_labels(
    result: pd.DataFrame, title: str, out: TextIO, *, none: str = "the sheet names no labels"
) -> None:
    """One line a label: the sheet row it comes from, the pair, the label as written (an empty
    cell said so, never as "None", which is a label's name) and what became of it; ``none``
    when there is no label."""
    print(title, file=out)
    sheets = {r.get("sheet") for r in _records(result)}
    for row in _records(result):
        said = [row["change"], row["status"], row["error_code"]]
        note = f": {row['error_message']}" if row["error_message"] else ""
        label = "(no label)" if row["label"] is None else f'"{row["label"]}"'
        print(
            f"  {_where(row, several=len(sheets) > 1)}{row['from_type'] or '(empty)'} -> "
            f"{row['to_type'] or '(empty)'} "
            f"{label}: {' '.join(str(s) for s in said if s)}{note}",
            file=out,
        )
    if result.empty:
        print(f"  {none}", file=out)


def labels_first(
    args: argparse.Namespace,
    frame: pd.DataFrame,
    conn: _Connection,
    issues: pd.DataFrame | None = None,
    *,
    cancel: threading.Event | None = None,
    on_start: Callable[[int], None] | None = None,
) -> NewLabels:
    """``limits --create-labels``: create the labels of the limits rows the run will send
    (:mod:`hubframe.jobs.new_labels`; say what became of each), and return the plan the limits
    run is judged with.  ``issues``: the sheet's, as the limits run gets them; ``cancel`` /
    ``on_start``: the limits run's (a Ctrl-C here cancels the limits too)."""
    from hubframe.jobs.new_labels import create_new_labels, plan_new_labels

    new = plan_new_labels(frame, conn.client, issues=issues)
    result = create_new_labels(
        new, conn.client, dry_run=args.dry_run, cancel=cancel, on_start=on_start
    )
    mode = " (dry run: nothing created)" if args.dry_run else ""
    # Only the labels of rows that set a limit are created: a removal's or an empty limit
    # cell's label is not, so "the sheet names no labels" would be untrue of such a sheet.
    none = "no row that sets a limit names a label"
    print_labels(result, f"{Path(args.file).name}: labels{mode}", sys.stdout, none=none)
    _refuse_after_failure(result)
    return new


def _refuse_after_failure(result: pd.DataFrame) -> None:
    """A labels step hubframe itself failed in (``RUN_FAILED``: out of memory) said "the run
    stopped": no limit is sent after it (one line, exit 2).  Before, the limits run went on and
    the command could end with exit 0 after that line.  (A stop of HubSpot's -- the daily
    limit, a refused token -- stops the limits run by itself.)"""
    from hubframe.cli import _RunBroke
    from hubframe.errors import ErrorCode
    from hubframe.jobs.labels import LABELS_STOP

    if (result.attrs.get("hubframe") or {}).get(LABELS_STOP) == str(ErrorCode.RUN_FAILED):
        raise _RunBroke(
            "hubframe failed while the labels were created (their lines above say which were "
            "made: RUN_FAILED), so no limit was sent; free memory, then run the same command "
            "again (a label made is not made twice)"
        )


def _where(row: dict[str, Any], *, several: bool) -> str:
    """ "row 3: " (with "of sheet X" when the labels come from several sheets), or nothing for
    a row that names none."""
    if row.get("row") is None:
        return ""
    sheet = f" of sheet {row['sheet']}" if several and row.get("sheet") else ""
    return f"row {row['row']}{sheet}: "


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts of plain values (None for every kind of missing)."""
    from hubframe.run.rows import value

    return [{str(k): value(v) for k, v in r.items()} for r in frame.to_dict("records")]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


__all__ = ["COMMANDS", "add_commands", "add_limits_options", "dispatch", "sync_options"]
