"""``hubframe sandbox`` / ``python -m hubframe.sandbox``: serve a sandbox until Ctrl-C.

Prints the URL and the token (a sandbox token, not a HubSpot one) so another process can use
them; ``--json`` prints them as one JSON line instead, for scripts.  ``--behaviour hostile``
(and ``--behaviour-set KEY=VALUE``) pick what the sandbox does where HubSpot does not document
its behaviour (docs/sandbox.md).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hubframe.argtypes import MAX_SECONDS, is_seconds, is_whole
from hubframe.sandbox.behaviour import PRESETS, Behaviour
from hubframe.sandbox.faults import FaultPlan, fault_options
from hubframe.tokens import token_problem, token_text

if TYPE_CHECKING:
    from hubframe.sandbox.core import Sandbox

EXAMPLES = """examples:
  python -m hubframe.sandbox --port 8765 --seed demo
  python -m hubframe.sandbox --port 0 --rate-limit 20/1 --latency 0.25,0.0001 --json
  python -m hubframe.sandbox --faults server_error_rate=0.05,reset_rate=0.02,seed=7
  python -m hubframe.sandbox --behaviour hostile --port 8765
  python -m hubframe.sandbox --behaviour-set type_ids=per_pair,created_status=200
"""


def _rate(text: str) -> tuple[int, float]:
    """``--rate-limit MAX[/WINDOW_S]``: held here to what :class:`Sandbox` takes, so the
    refusal names the option (the constructor's names its parameter, ``rate_limit``)."""
    max_text, _, window_text = text.partition("/")
    try:
        most, window = int(max_text), float(window_text or 10.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected MAX[/WINDOW_S], got {text!r}") from None
    if not is_whole(most, minimum=1) or not is_seconds(window):
        raise argparse.ArgumentTypeError(
            f"MAX must be 1 or more, and WINDOW_S above 0 and at most {MAX_SECONDS} seconds: "
            f"{text!r}"
        )
    return most, window


def _token(text: str) -> str:
    """``--token``: not empty (``--token "$TOKEN"`` with the variable unset was taken as no
    token, and the sandbox made a random one the caller's tools did not have), taken as the
    clients take one (without spaces around it, or a ``Bearer`` word), and one a client can
    send (a token with a space inside was served, and every client refused it)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "is empty (a shell variable that is not set?): give the token, or leave --token "
            "out for a random one"
        )
    token = token_text(text)
    problem = token_problem(token)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return token


def _latency(text: str) -> tuple[float, float]:
    """``--latency BASE_S[,PER_INPUT_S]``: each 0 to a day's seconds, refused by the option's
    name (the constructor's refusal names its parameter, ``latency``)."""
    base, _, per_input = text.partition(",")
    try:
        seconds = float(base), float(per_input or 0.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected BASE_S[,PER_INPUT_S], got {text!r}") from None
    if not all(is_seconds(s, zero=True) for s in seconds):
        raise argparse.ArgumentTypeError(
            f"BASE_S and PER_INPUT_S must each be 0 to {MAX_SECONDS} seconds: {text!r}"
        )
    return seconds


def _faults(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {part!r}")
        key, value = key.strip(), value.strip()
        if key == "processing_status":
            out[key] = value.upper()
            continue
        if key in ("writes_only", "schema_paths"):
            if value.lower() not in ("true", "false"):
                raise argparse.ArgumentTypeError(f"not true or false: {part!r}")
            out[key] = value.lower() == "true"
            continue
        try:
            whole = key in ("seed", "migration_retry_after")
            out[key] = int(value) if whole else float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {part!r}") from None
    try:  # unknown keys and rates out of range: refused by the option's name
        FaultPlan.from_dict(out)
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return out


def _switches(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"expected SWITCH=VALUE, got {part!r}")
        out[key.strip()] = value.strip()
    Behaviour().with_overrides(out)  # unknown switches and values fail here, with the choices
    return out


def _switches_or_error(text: str) -> dict[str, str]:
    try:
        return _switches(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def behaviour_of(args: argparse.Namespace) -> Behaviour:
    """The preset ``--behaviour`` names, with every ``--behaviour-set`` applied in order."""
    behaviour = PRESETS[args.behaviour]
    for overrides in args.behaviour_set or ():
        behaviour = behaviour.with_overrides(overrides)
    return behaviour


def _port(text: str) -> int:
    """``--port``: 0 to 65535 (a port past them raised OverflowError from bind, a traceback)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535 (0 = any free): {text!r}")
    return port


def _daily_limit(text: str) -> int:
    """``--daily-limit``: a whole number, 0 or more (a negative one was taken, and every
    request was then refused as over the day's quota)."""
    try:
        limit = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if limit < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (0: the quota is used up): {text!r}")
    return limit


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox options to ``parser`` (used by ``hubframe sandbox`` too)."""
    parser.add_argument("--port", type=_port, default=8765, help="port on 127.0.0.1 (0 = any free)")
    parser.add_argument(
        "--seed",
        choices=("demo", "none"),
        default=None,
        help="demo portal or an empty one (default: demo; none when records are given)",
    )
    parser.add_argument(
        "--token", type=_token, default=None, help="use this token instead of a random one"
    )
    parser.add_argument(
        "--rate-limit", type=_rate, default=None, metavar="MAX[/WINDOW_S]",
        help="refuse requests beyond MAX per rolling window (429 TEN_SECONDLY_ROLLING)",
    )  # fmt: skip
    parser.add_argument(
        "--daily-limit", type=_daily_limit, default=None, metavar="N",
        help="daily request quota: 429 DAILY once N requests were made (0: used up already)",
    )  # fmt: skip
    parser.add_argument(
        "--latency", type=_latency, default=None, metavar="BASE_S[,PER_INPUT_S]",
        help="answer each request BASE_S plus PER_INPUT_S per batch input after it arrived",
    )  # fmt: skip
    parser.add_argument(
        "--faults", type=_faults, default=None, metavar="KEY=RATE,...",
        help=", ".join(fault_options()),
    )  # fmt: skip
    parser.add_argument(
        "--behaviour", choices=tuple(PRESETS), default="default",
        help="what to do where HubSpot does not document it: the sandbox's own guesses "
        "(default), the least convenient choice of every switch (hostile), or what quoted "
        "responses show (observed); see docs/sandbox.md",
    )  # fmt: skip
    parser.add_argument(
        "--behaviour-set", type=_switches_or_error, action="append", metavar="SWITCH=VALUE,...",
        help="change single switches of the preset, e.g. type_ids=per_pair,strict_inputs=true",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print url and token as JSON")


@contextlib.contextmanager
def serving_process(stop: threading.Event) -> Iterator[None]:
    """While serving: the garbage collector kept off the long-lived heap (imports, the portal),
    which roughly halves the CPU a 2,000-input batch costs, and SIGTERM stops the server.

    Both are process-wide, so both are put back as they were when serving ends (``hubframe
    sandbox`` may run inside another program, a test or a notebook).
    """
    thresholds = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # someone froze objects already: leave theirs alone
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(20_000, 50, 50)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


def build(args: argparse.Namespace, records: Any = None) -> Sandbox:
    """The sandbox the options describe; with ``records`` (a frame of ``read_pairs`` or
    ``read_limits``), also the records and labels it names (:meth:`Sandbox.from_pairs`)."""
    from hubframe.sandbox.core import Sandbox  # the server and portal: not for --help

    seed = args.seed or ("none" if records is not None else "demo")
    options: dict[str, Any] = dict(
        seed=None if seed == "none" else seed,
        token=args.token,
        rate_limit=args.rate_limit,
        daily_limit=args.daily_limit,
        latency=args.latency,
        faults=args.faults,
        port=args.port,
        behaviour=behaviour_of(args),
    )
    if records is not None:
        return Sandbox.from_pairs(records, **options)
    return Sandbox(**options)


def run(args: argparse.Namespace, *, records: Any = None) -> int:
    """Serve until Ctrl-C (or SIGTERM); returns the exit code.  ``records``: a sheet read with
    ``read_pairs`` / ``read_limits`` whose records and labels the sandbox also holds."""
    try:
        sb = build(args, records).start()
    except (ValueError, OSError) as exc:
        print(f"hubframe: error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    with serving_process(stop):
        return _serve(sb, args, stop)


def _serve(sb: Sandbox, args: argparse.Namespace, stop: threading.Event) -> int:
    if args.json:
        info: dict[str, Any] = {
            "url": sb.url,
            "token": sb.token,
            "behaviour": sb.behaviour.as_dict(),
        }
        if sb.rehearsal is not None:
            info["records"] = sb.rehearsal.records
            info["labels"] = [list(label) for label in sb.rehearsal.labels]
        print(json.dumps(info), flush=True)
    else:
        name = sb.behaviour.name() or "custom"
        print(f"hubframe sandbox (seed={sb.seed}, behaviour={name}) listening on {sb.url}")
        if name != "default":
            switches = ", ".join(
                f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                for k, v in sb.behaviour.as_dict().items()
            )
            print(f"Behaviour: {switches}")
        if sb.rehearsal is not None:
            print(f"Records: {sb.rehearsal.describe()}, from your sheet")
        print(f"URL:   {sb.url}")
        print(f"Token: {sb.token}")
        print("Press Ctrl-C to stop.", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hubframe.sandbox",
        description="Serve a local fake of HubSpot's associations APIs.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    from hubframe.argtypes import refuse_blank_values  # as `hubframe sandbox` does

    refuse_blank_values(parser)
    return run(parser.parse_args(argv))
