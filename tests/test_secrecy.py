"""The access token appears nowhere: not in any frame's locals of a failing request (what Sentry,
IPython's verbose tracebacks or ``pytest --showlocals`` capture), logs, messages, reprs, result
tables, journals, reports or the command line's output, even when HubSpot echoes it back."""

from __future__ import annotations

import _thread
import contextlib
import json
import logging
import socket
import subprocess
import sys
import threading
import traceback
import types
import urllib.parse
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from faultproxy import FaultProxy

import hubframe as hf
from hubframe.errors import (
    AuthError,
    ConfigurationError,
    HubframeError,
    HubframeWarning,
    NetworkError,
    ServerError,
    UsageError,
)
from hubframe.hubspot.client import HubSpotClient
from hubframe.jobs import associate
from hubframe.redaction import register_secret
from hubframe.run.journal import Journal
from hubframe.sandbox import Sandbox

Factory = Callable[..., Sandbox]
DEAL, CONTACT, MISSING_CONTACT = "2040000001", "1019360001", "1019369999"
SECRET = "pat-na1-11111111-2222-3333-4444-555555555555"
HERE = str(Path(__file__).resolve())
_SKIP = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type, types.CodeType)


def _text(value: Any) -> str:
    try:
        return repr(value)
    except Exception as exc:
        return f"<repr failed: {type(exc).__name__}>"


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*list(value.keys())[:200], *list(value.values())[:200]]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)[:200]
    found: list[Any] = []
    if isinstance(value, BaseException):
        found += [value.__context__, value.__cause__, *value.args]
    if hasattr(value, "__dict__") and not isinstance(value, _SKIP):
        with contextlib.suppress(TypeError):
            found += list(vars(value).values())
    for cls in type(value).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if isinstance(name, str) and hasattr(value, name):
                found.append(getattr(value, name, None))
    return found


def reachable_text(value: Any, depth: int = 4) -> Iterator[str]:
    """repr of ``value`` and of everything reachable from it, ``depth`` levels deep."""
    seen: set[int] = set()
    todo = [(value, depth)]
    while todo:
        item, left = todo.pop()
        if id(item) in seen or item is None or isinstance(item, _SKIP):
            continue
        seen.add(id(item))
        if isinstance(item, (str, bytes)):
            yield item if isinstance(item, str) else item.decode("latin-1")
            continue
        if isinstance(item, pd.DataFrame):
            yield item.to_csv()
            continue
        yield _text(item)
        if left > 0:
            todo.extend((child, left - 1) for child in _children(item))


def frames_text(error: BaseException) -> Iterator[str]:
    """Every frame local of the error's traceback and of the errors it chains to, deeply."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for exc in chain:
        yield str(exc)
        yield repr(exc)
        yield from reachable_text(vars(exc))
        tb = exc.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if frame.f_code.co_filename != HERE:  # the test's own locals hold the token
                where = frame.f_code.co_name
                for name, value in frame.f_locals.items():
                    yield from (f"{where}.{name}: {t}" for t in reachable_text(value))
            tb = tb.tb_next


def leaks(texts: Iterator[str], secret: str = SECRET) -> list[str]:
    """Texts holding ``secret`` in any case (an upper-cased token gives it away too)."""
    folded = secret.casefold()
    return [t[:300] for t in texts if folded in t.casefold()][:3]


def holds(data: bytes, secret: str = SECRET) -> bool:
    """True when ``data`` holds ``secret`` in any case."""
    return secret.lower().encode() in data.lower()


def failing(call: Callable[[], object]) -> BaseException:
    try:
        call()
    except BaseException as exc:
        return exc
    raise AssertionError("expected the call to fail")


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def client(url: str, token: str = SECRET, **kw: Any) -> HubSpotClient:
    kw.setdefault("max_retries", 1)
    return HubSpotClient(token, url, backoff_base=0.01, backoff_cap=0.05, **kw)


@pytest.fixture
def secret_sandbox(sandbox_factory: Factory) -> Sandbox:
    return sandbox_factory(token=SECRET)


# --- frames of failing requests ---------------------------------------------------------------


PAIR = [{"from": {"id": DEAL}, "to": {"id": CONTACT}}]


#: Answers that end a request in the middle of its body, or that are not read (fault proxy).
BODY_CASES = {
    "flood": "flood:3000000",
    "trickle": "trickle",
    "cut_body": "cut_body",
    "slow_head": "slow_head",  # the head past the deadline: AnswerLate (hubspot/wire)
    "continues": "continues",  # '100 Continue' without end: AnswerLate too
    "redirect": "redirect:302 http://127.0.0.1:9/elsewhere",
    "deep": "replace:" + '{"results": ' + "[" * 100_000 + "]" * 100_000 + "}",
}


@pytest.mark.parametrize(
    "case",
    ["server_error", "refused", "lost", "unauthorized", "echo_401", "page", "foreign", *BODY_CASES],
)
def test_no_frame_of_a_failing_request_holds_the_token(
    secret_sandbox: Sandbox, sandbox_factory: Factory, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sb = secret_sandbox
    if case == "server_error":
        sb.set_faults(server_error_rate=1.0)
    if case == "lost":
        sb.set_faults(lost_response_rate=1.0)
    with FaultProxy(sb, lose=0, then="token:pat-na1-revoked", echo_token=True) as proxy:
        proxy.cued = case in ("echo_401", "page", "foreign")  # from the first request
        if case in ("page", "foreign"):  # a 2xx that is not HubSpot's answer
            proxy.then = case
        if case in BODY_CASES:
            proxy.then, proxy.cued = BODY_CASES[case], True
        url = {"refused": closed_url()}.get(case, proxy.url if proxy.cued else sb.url)
        other = sandbox_factory() if case == "unauthorized" else None  # does not know SECRET
        if other is not None:
            url = other.url
        api = client(url)
        api.max_answer_bytes, api.answer_deadline_s = 1 << 20, 1.0
        error = failing(lambda: api.batch_associate_default("deals", "contacts", PAIR).json())
    assert isinstance(error, HubframeError)
    assert not leaks(frames_text(error))
    assert not leaks(reachable_text(api))
    assert not leaks(iter([caplog.text]))


def test_ctrl_c_inside_requests_leaves_no_token_in_its_frames(sandbox_factory: Factory) -> None:
    """An interrupt while urllib3 waits for the answer: its frames held the request headers."""
    sb = sandbox_factory(token=SECRET, latency=(1.0, 0.0))
    api = client(sb.url)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        error = failing(lambda: api.batch_associate_default("deals", "contacts", PAIR))
    finally:
        timer.cancel()
    assert isinstance(error, KeyboardInterrupt)
    assert not leaks(frames_text(error))


def test_a_misconfigured_client_keeps_the_token_out_of_its_traceback() -> None:
    error = failing(lambda: HubSpotClient(SECRET, "http://127.0.0.1:9", api_version="v3"))
    assert isinstance(error, ConfigurationError)
    assert not leaks(frames_text(error))


@pytest.mark.parametrize(
    "token",
    [SECRET.encode(), bytearray(SECRET.encode()), [SECRET], {"token": SECRET}, (SECRET,)],
    ids=["bytes", "bytearray", "list", "dict", "tuple"],
)
def test_a_token_that_is_not_text_is_refused_without_it_in_the_traceback(token: Any) -> None:
    """A token given as bytes (read from a file in binary mode) or any other object: refused
    with a UsageError saying what kind it is.  Bytes passed the copy clean-up and failed inside
    the masking with an AttributeError whose frames held the token."""
    error = failing(lambda: HubSpotClient(token, "http://127.0.0.1:9"))
    assert isinstance(error, UsageError) and type(token).__name__ in str(error)
    assert not leaks(frames_text(error)) and not leaks(iter([str(error)]))
    assert "redacted" in repr(HubSpotClient.__new__(HubSpotClient))  # a half-made client's repr


@pytest.mark.parametrize(
    "inside", ["\n", "\r\n", "\t", " ", "\x00", "\x7f", "\u2028", "é", "\u200b"]
)
@pytest.mark.parametrize("at", [8, 16, -8])
def test_a_token_holding_what_no_header_may_carry_is_refused_without_it(
    sandbox: Sandbox, inside: str, at: int
) -> None:
    """A token with a line break inside (two lines of a file read at once, a paste of a header
    and more) was sent: requests refused the header with an error quoting it whole, token
    included, into the notebook's saved output."""
    token = sandbox.token[:at] + inside + sandbox.token[at:]
    error = failing(lambda: HubSpotClient(token, sandbox.url))
    assert isinstance(error, ConfigurationError) and "paste the token alone" in str(error)
    for part in (sandbox.token[:at], sandbox.token[at:]):
        assert not leaks(frames_text(error), part)


def test_a_token_with_spaces_and_a_line_end_around_it_still_works(sandbox: Sandbox) -> None:
    """What a copy brings along around the token is taken off, as before."""
    for token in (f" {sandbox.token}\n", f"Bearer {sandbox.token}\r\n", f"\t{sandbox.token} "):
        found = associate(
            pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]}),
            HubSpotClient(token, sandbox.url),
            progress=False,
        )
        assert found["status"].tolist() == ["success"]


@pytest.mark.parametrize(
    "url",
    [
        "http://api.hubapi.com",
        "http://example.com:8080",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://10.0.0.5",
        "HTTP://api.hubapi.com",
    ],
)
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    """The token would cross the network unencrypted."""
    error = failing(lambda: HubSpotClient(SECRET, url))
    assert isinstance(error, ConfigurationError) and "unencrypted" in str(error)
    assert not leaks(frames_text(error))


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "http://127.8.0.1"]
)
def test_plain_http_to_this_machine_is_a_sandbox(url: str) -> None:
    assert HubSpotClient(SECRET, url).base_url == url


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("timeout", 0),
        ("timeout", -1),
        ("timeout", "5"),
        ("timeout", (5, 0)),
        ("timeout", None),
        ("max_retries", "3"),
        ("max_retries", 1.5),
        ("backoff_base", -1),
        ("backoff_cap", "30"),
        ("rate_limit", ("100", 10)),
        ("rate_limit", 100),
        ("rate_limit", (100,)),
        ("rate_limit", (True, 10)),
        ("rate_limit", (1.5, 10)),
    ],
)
def test_client_settings_of_another_type_are_refused_at_once(option: str, value: Any) -> None:
    """They raised from requests or time.sleep at the first request, in the middle of a run."""
    error = failing(lambda: HubSpotClient(SECRET, "http://127.0.0.1:9", **{option: value}))
    assert isinstance(error, ConfigurationError) and option in str(error)
    assert not leaks(frames_text(error))  # raised after the token was taken, it holds none


@pytest.mark.parametrize(
    "job",
    [
        lambda c: associate(pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]}), c),
        lambda c: hf.sync(pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]}), c),
        lambda c: hf.configure_limits(
            pd.DataFrame({"From": ["deals"], "To": ["contacts"], "Max": [2]}), c
        ),
        lambda c: hf.validate_pairs(pd.DataFrame({"Deal ID": [DEAL], "Contact ID": [CONTACT]}), c),
        lambda c: hf.configure_labels(
            pd.DataFrame({"From type": ["deals"], "To type": ["contacts"], "Label": ["X"]}), c
        ),
        lambda c: hf.read_associations(c, "deals", "contacts", [DEAL]),
    ],
    ids=["associate", "sync", "limits", "validate", "labels", "export"],
)
def test_a_token_passed_as_the_client_is_refused_without_showing_it(job: Any) -> None:
    """The token given where the client goes (a common slip) stopped the run with an
    AttributeError from deep inside; it is refused at once, naming what was given, not its
    value."""
    error = failing(lambda: job(SECRET))
    assert isinstance(error, UsageError) and "hf.HubSpotClient(token=...)" in str(error)
    assert not leaks(iter([str(error), repr(error)]))


def test_base_url_with_credentials_is_refused_without_showing_them() -> None:
    error = failing(lambda: HubSpotClient(SECRET, "https://analyst:hunter2@api.hubapi.com"))
    assert isinstance(error, ConfigurationError)
    assert not leaks(frames_text(error), "hunter2")
    assert "api.hubapi.com" in str(error)


def test_client_repr_vars_and_responses_hold_no_token(secret_sandbox: Sandbox) -> None:
    api = client(secret_sandbox.url)
    resp = api.batch_associate_default("deals", "contacts", PAIR)
    api.list_labels("deals", "contacts")
    assert not leaks(reachable_text(api, depth=6))
    assert not leaks(reachable_text(resp, depth=6))


# --- what HubSpot echoes back is redacted by value --------------------------------------------


@pytest.mark.parametrize("spelling", [True, "escaped", "dashes", "upper"])
def test_echoed_token_in_item_errors_is_redacted_everywhere(
    secret_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture, spelling: bool | str
) -> None:
    """Echoed as it is, or with JSON escapes that reading the answer undoes (before, those
    reached the result table's ``error_message``: only exports redacted it)."""
    caplog.set_level(logging.DEBUG)
    rows = pd.DataFrame(
        {"Deal ID": [DEAL, DEAL], "Contact ID": [CONTACT, MISSING_CONTACT], "Notes": ["a", "b"]}
    )
    with FaultProxy(secret_sandbox, echo_token=spelling) as proxy:
        api = client(proxy.url)
        echoed = api.batch_associate_default(
            "deals", "contacts", [{"from": {"id": DEAL}, "to": {"id": MISSING_CONTACT}}]
        )
        result = associate(rows, api, journal=tmp_path / "run.sqlite", progress=False)
    assert "request token" in echoed.content.decode()  # the proxy did echo (and it was redacted)
    assert not leaks(reachable_text(echoed, depth=4))
    assert result["status"].tolist() == ["success", "failed"]
    assert not leaks(iter([result.to_csv(), caplog.text]))
    with Journal(tmp_path / "run.sqlite") as journal:
        assert len(journal) >= 1
    for path in tmp_path.iterdir():
        assert not holds(path.read_bytes()), path.name


@pytest.mark.parametrize("spelling", [True, "escaped", "dashes", "upper"])
def test_a_message_quoting_hubspot_holds_no_echoed_token(
    secret_sandbox: Sandbox, spelling: bool | str
) -> None:
    """A refusal whose message the result quotes (a label limit reached): the token HubSpot
    echoed in it, in any JSON spelling, is redacted in the result table itself, not only in
    what is exported from it (a notebook shows and saves the table)."""
    deal = "2040000077"
    for contact in ("1019360001", "1019360002"):  # Decision maker: at its limit of 2
        secret_sandbox.associate("deals", deal, "contacts", contact, type_id=1001)
    rows = pd.DataFrame(
        {"Deal ID": [deal], "Contact ID": ["1019360101"], "Association label": ["Decision maker"]}
    )
    with FaultProxy(secret_sandbox, echo_token=spelling) as proxy:
        result = associate(rows, client(proxy.url), progress=False)
    assert result.loc[0, "error_code"] == "LIMIT_EXCEEDED"
    assert "<redacted>" in str(result.loc[0, "error_message"])  # the echo reached the table
    assert not leaks(iter([result.to_csv(), repr(result), result.to_html()]))


@pytest.mark.parametrize("spelling", [True, "escaped", "dashes", "upper"])
def test_a_read_refused_with_an_echoed_token_raises_no_token(
    secret_sandbox: Sandbox, spelling: bool | str
) -> None:
    """A batch read answered 2xx with an item error refusing a record, its message echoing the
    token in JSON escapes: the bytes of a success answer were redacted, not what reading them
    decodes, and the read's error quoted HubSpot's message -- a notebook showed the token in the
    traceback and saved it."""
    with FaultProxy(
        secret_sandbox, echo_token=spelling, drop_reads=f'"{DEAL}"', drop_reads_as="INTERNAL_ERROR"
    ) as proxy:
        api = client(proxy.url, max_retries=2)
        error = failing(
            lambda: hf.read_associations(api, "deals", "contacts", ids=[DEAL], progress=False)
        )
    assert isinstance(error, HubframeError), repr(error)
    assert "request token" in str(error)  # HubSpot's message is quoted, the token redacted
    assert not leaks(iter(["".join(traceback.format_exception(error))]))
    assert not leaks(reachable_text(error, depth=3))
    # Nor in what a crash reporter captures: the locals of every frame the error went through
    # (the answer's parsed body among them, decoded from its escapes).
    assert not leaks(frames_text(error))


@pytest.mark.parametrize(
    "kind", [HubframeError, UsageError, ConfigurationError, AuthError, ServerError, NetworkError]
)
@pytest.mark.parametrize("form", ["plain", "upper", "url", "json"])
def test_no_hubframe_error_or_warning_holds_a_registered_token(kind: type, form: str) -> None:
    """Whatever raises it, whatever message it quotes: the token is redacted in the error."""
    register_secret(SECRET)
    spelled = {
        "plain": SECRET,
        "upper": SECRET.upper(),
        "url": urllib.parse.quote(SECRET, safe=""),
        "json": json.dumps(SECRET)[1:-1],
    }[form]
    message = f"HubSpot said: bad request (token {spelled}), row 2"
    error = kind(message)
    assert not leaks(iter([str(error), repr(error), *map(str, error.args)]))
    assert "row 2" in str(error)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(HubframeWarning(message), stacklevel=1)
    assert caught and not leaks(iter([str(w.message) for w in caught]))


@pytest.mark.parametrize("spelling", [True, "upper"])
def test_cli_artefacts_hold_no_token_when_hubspot_echoes_it(
    secret_sandbox: Sandbox, tmp_path: Path, spelling: bool | str
) -> None:
    """HubSpot's refusal quoted in the result (a label at its limit) echoes the token: not in
    the command's output nor in any file it writes."""
    deal = "2040000077"
    for contact in ("1019360001", "1019360002"):  # Decision maker: at its limit of 2
        secret_sandbox.associate("deals", deal, "contacts", contact, type_id=1001)
    sheet = tmp_path / "pairs.csv"
    sheet.write_text(
        f"Deal ID,Contact ID,Association label\n{DEAL},{CONTACT},\n{DEAL},{MISSING_CONTACT},\n"
        f"{DEAL},1019360002,Nope label\n{deal},1019360101,Decision maker\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    with FaultProxy(secret_sandbox, echo_token=spelling) as proxy:
        proc = subprocess.run(
            [sys.executable, "-m", "hubframe", "associate", str(sheet), "--token", SECRET,
             "--base-url", proxy.url, "--report", str(out / "r.xlsx"), "--retry-file",
             str(out / "retry.csv"), "--journal", str(out / "j.sqlite")],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert not leaks(iter([proc.stdout + proc.stderr]))
    assert "LIMIT_EXCEEDED" in proc.stdout, proc.stdout + proc.stderr  # sent, and echoed
    with zipfile.ZipFile(out / "r.xlsx") as book:  # the echo reached the report, redacted
        assert any(b"redacted" in book.read(n) for n in book.namelist())
    for path in out.iterdir():
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                data = b"".join(zf.read(n) for n in zf.namelist())
        assert not holds(data), path.name


def test_a_clients_token_is_redacted_from_reports_it_never_saw(
    secret_sandbox: Sandbox, tmp_path: Path
) -> None:
    """Making a client registers its token: a report of cells that happen to hold it (a note,
    a pasted message) has it redacted by value, in every spelling, case and format."""
    import base64

    from hubframe.report import export_report, export_retry

    token = "pat-na1-" + "f00dfeed" * 4
    made = HubSpotClient(token=token, base_url=secret_sandbox.url)
    made.close()
    pairs = pd.DataFrame(
        {
            "Deal ID": ["1", "2", "5", "6"],
            "Contact ID": ["3", "4", "7", "8"],
            "Notes": [token, f"see {token}", token.upper(), f"see {token.swapcase()}"],
        }
    )
    result = associate(
        pairs.assign(from_type="deals", to_type="contacts"),
        client(secret_sandbox.url),
        dry_run=True,
        progress=False,
    )
    result["error_message"] = f"HubSpot said: {token}"
    written = [
        export_report(result, tmp_path / "r.xlsx"),
        export_report(result, tmp_path / "r.csv"),
        export_retry(result.assign(status="failed"), tmp_path / "retry.csv"),
    ]
    encoded = base64.b64encode(token.encode()).decode().rstrip("=")
    for path in written:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                blob = b"".join(book.read(name) for name in book.namelist())
        else:
            blob = path.read_bytes()
        assert not holds(blob, token), path.name
        assert encoded.encode() not in blob, path.name


@pytest.mark.parametrize("cased", [str.upper, str.title, str.swapcase])
def test_a_cli_error_holds_no_token_in_another_case(
    tmp_path: Path, cased: Callable[[str], str]
) -> None:
    """A message naming a file called after the token (pasted in the wrong box), in another
    case: the one line the command prints does not give the token away."""
    missing = tmp_path / f"{cased(SECRET)}.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "hubframe", "associate", str(missing), "--token", SECRET,
         "--from", "deals", "--to", "contacts"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "<redacted>" in proc.stderr
    assert not leaks(iter([proc.stdout + proc.stderr]))


#: Each way a command gets its token: argument vector and environment.
TOKEN_ARRIVALS = {
    "--token": (["--token", SECRET], {}),
    "--token Bearer": (["--token", f"Bearer {SECRET}"], {}),
    "--token= with spaces": ([f"--token=  {SECRET}\n"], {}),
    "$HUBSPOT_ACCESS_TOKEN": ([], {"HUBSPOT_ACCESS_TOKEN": SECRET}),
    "$HUBSPOT_ACCESS_TOKEN Bearer": ([], {"HUBSPOT_ACCESS_TOKEN": f"bearer {SECRET}\n"}),
}


def _command(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m hubframe ARGS`` with ``env`` and no other HubSpot setting: its own process,
    so nothing this one registered for redaction helps it."""
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    return subprocess.run(
        [sys.executable, "-m", "hubframe", *args],
        capture_output=True, text=True, timeout=120, check=False, env=clean | (env or {}),
        cwd=cwd,
    )  # fmt: skip


@pytest.mark.parametrize("arrival", TOKEN_ARRIVALS)
def test_a_cli_error_holds_no_token_however_the_token_came(tmp_path: Path, arrival: str) -> None:
    """Before: the error line was redacted only for a ``--token`` given as typed; with the
    variable (the way the help recommends) or ``--token "Bearer ..."`` a file named after the
    token showed it."""
    argv, env = TOKEN_ARRIVALS[arrival]
    missing = tmp_path / f"{SECRET.upper()}.csv"
    proc = _command(["associate", str(missing), "--from", "deals", "--to", "contacts", *argv], env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("hubframe: error: <redacted>.csv: no such file")
    assert not leaks(iter([proc.stdout + proc.stderr]))


def _token_cells(tmp_path: Path, command: str) -> list[str]:
    """A sheet whose cells hold the token, and the command that quotes them."""
    sheet = tmp_path / "sheet.csv"
    if command == "validate":  # offline: no client ever sees the token
        sheet.write_text(f"Deal ID,Contact ID\n{DEAL},{SECRET}\n")
        return ["validate", str(sheet)]
    if command == "limits --create-labels":  # the labels' lines, then each row's change
        sheet.write_text(f"From object,To object,Label,Limit\ndeals,contacts,{SECRET},5\n")
        return ["limits", str(sheet), "--create-labels", "--dry-run"]
    sheet.write_text(f"From type,To type,Deal ID,Contact ID,Label\ndeals,contacts,{DEAL},"
                     f"{CONTACT},{SECRET}\n")  # fmt: skip
    return [*command.split(), str(sheet), "--dry-run" if command == "labels" else "--online"]


@pytest.mark.parametrize(
    "command", ["validate", "validate --online", "labels", "limits --create-labels"]
)
def test_cli_lines_quoting_the_token_redact_it_as_reports_do(
    secret_sandbox: Sandbox, tmp_path: Path, command: str
) -> None:
    """A sheet cell holding the token: the command's lines showed it (the reports and the app
    redact it); with the token from the variable, as the help recommends."""
    args = _token_cells(tmp_path, command)
    env = {"HUBSPOT_ACCESS_TOKEN": SECRET, "HUBSPOT_BASE_URL": secret_sandbox.url}
    proc = _command(args, env)
    assert proc.returncode in (0, 1), proc.stderr
    assert '"<redacted>"' in proc.stdout or "'<redacted>'" in proc.stdout, proc.stdout
    assert not leaks(iter([proc.stdout + proc.stderr]))


def test_the_sandbox_command_still_prints_its_own_token(tmp_path: Path) -> None:
    """``hubframe sandbox`` prints the token its clients are to use: not redacted."""
    import json

    proc = subprocess.Popen(
        [sys.executable, "-m", "hubframe", "sandbox", "--port", "0", "--json", "--token", SECRET],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["token"] == SECRET
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
