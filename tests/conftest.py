"""Shared test set-up: the sandbox fixtures of hubframe.testing, and the spec checker."""

from __future__ import annotations

import os
import signal
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import openapi_check
import pandas as pd
import pytest
from hypothesis import settings
from openapi_check import CheckedApi, SpecChecker, get_checker

from hubframe import redaction
from hubframe.io.text import arrow_text_dtype
from hubframe.sandbox import Sandbox

pytest_plugins = ["hubframe.testing"]

#: No Hypothesis deadline: an example's time is no test of it on a shared machine (a sync
#: property's example took 251 ms once, past the default 200 ms, and 14 ms when run again,
#: failing make test as flaky); speed is measured by the bench scripts.
settings.register_profile("hubframe", deadline=None)
settings.load_profile("hubframe")

#: The sandbox behaviours the engine's end-to-end tests run under (modules marked
#: ``pytestmark = pytest.mark.profiles``): the same sheet and portal must give every row the same
#: status and code under each, and the portal must equal what was reported.  "hostile" holds the
#: least convenient value of every switch (the "observed" preset's values included);
#: tests/test_profiles.py runs core scenarios under each switch on its own.
PROFILES = ("default", "hostile")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "profiles: run the module's tests under every sandbox behaviour profile"
    )
    _take_ctrl_c()


def _take_ctrl_c() -> None:
    """Ctrl-C as a terminal gives it, whatever started the suite: a shell runs a background
    job (``make test &``, a CI step sent to the background) with SIGINT ignored, its children
    inherit that, and the Ctrl-C tests' child processes then never saw the SIGINT they were
    sent (their runs went on to the end and the tests failed).  A handled signal is reset to
    the default in a child, which Python turns into KeyboardInterrupt."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("profiles") is not None:
        metafunc.fixturenames.append("profile")
        metafunc.parametrize("profile", PROFILES)


#: The parameters a family of tests takes in turn (see pytest_collection_modifyitems), each
#: with the test modules it is taken in (None: every module): the HubSpot API version
#: (2026-03, 2026-09, v4), the sandbox behaviour profile, a report's file format (.csv,
#: .xlsx); and in the primary company's modules, where contacts, deals and tickets differ by
#: their type ids only, the record kind, the side a row is written from, and the undo's source.
_PRIMARY = ("primary", "sync_agreement", "undo_moved_primary", "report_portal")
_TURNS: tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...] = (
    (("version", "api_version"), None),
    (("profile",), None),
    (("suffix",), None),
    (("kind",), _PRIMARY),
    (("side",), _PRIMARY),
    (("old_side",), _PRIMARY),
    (("source",), _PRIMARY),
)

Case = tuple[tuple[str, str], tuple[tuple[str, str], ...]]  # (test function, other values)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test parametrized over API versions (or behaviour profiles, :data:`_TURNS`) and
    other values runs each case of the other values under one version (one profile), taken
    in turn: every version and profile still runs a share of the family's cases.  Versions
    and profiles multiplied some 3,000 tests, 29 % of the suite's time against its 10
    minutes (the other parameters of :data:`_TURNS` some 6 % more).  A family
    of fewer cases than values runs them all under each, and ``HUBFRAME_EVERY_CASE=1`` runs
    every case under every value (a campaign, as ``HUBFRAME_FUZZ_SEEDS``).  The choice
    follows the collection order, the same in every pytest-xdist worker."""
    if os.environ.get("HUBFRAME_EVERY_CASE"):
        return
    dropped: list[pytest.Item] = []
    for names, modules in _TURNS:
        kept = _in_turn(items, names, modules)
        dropped += [item for item in items if item not in kept]
        items[:] = [item for item in items if item in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)


def _in_turn(
    items: list[pytest.Item], names: tuple[str, ...], modules: tuple[str, ...] | None
) -> set[pytest.Item]:
    """The items kept when each case of a family (of a module whose name holds one of
    ``modules``, any module when None) takes the next value of ``names``."""
    found = [(item, _case(item, names) if _in(item, modules) else None) for item in items]
    cases: dict[tuple[str, str], dict[Case, int]] = {}
    values: dict[tuple[str, str], dict[str, int]] = {}
    for _, key in found:
        if key is not None:
            case, value = key
            cases.setdefault(case[0], {}).setdefault(case, len(cases.get(case[0], {})))
            values.setdefault(case[0], {}).setdefault(value, len(values.get(case[0], {})))
    kept: set[pytest.Item] = set()
    for item, key in found:
        if key is None:
            kept.add(item)
            continue
        case, value = key
        family, count = case[0], len(values[case[0]])
        turn = cases[family][case]
        if len(cases[family]) < count or turn % count == values[family][value]:
            kept.add(item)
    return kept


def _in(item: pytest.Item, modules: tuple[str, ...] | None) -> bool:
    return modules is None or any(m in item.path.name for m in modules)


def _case(item: pytest.Item, names: tuple[str, ...]) -> tuple[Case, str] | None:
    """((its test function, its other parameters' values), its value of ``names``) for a test
    parametrized over one of ``names``; None for any other."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    name = next((n for n in names if n in callspec.params), None)
    if name is None:
        return None
    family = (str(item.path), getattr(item, "originalname", item.name))
    others = tuple(sorted((k, repr(v)) for k, v in callspec.params.items() if k != name))
    return (family, others), repr(callspec.params[name])


def _profile(request: pytest.FixtureRequest) -> str:
    callspec = getattr(request.node, "callspec", None)
    return str(callspec.params.get("profile", "default")) if callspec is not None else "default"


def _done_with(sb: Sandbox) -> None:
    """hubframe.testing.done_with, imported when first needed: importing the plugin here,
    before pytest loads it, would keep pytest from rewriting its asserts."""
    from hubframe.testing import done_with

    done_with(sb)


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """``Sandbox(seed="demo")`` under the test's behaviour profile (default: "default")."""
    sb = Sandbox(seed="demo", behaviour=_profile(request)).start()
    try:
        yield sb
    finally:
        _done_with(sb)


@pytest.fixture
def sandbox_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., Sandbox]]:
    """As hubframe.testing's, under the test's behaviour profile unless ``behaviour=`` given."""
    made: list[Sandbox] = []
    profile = _profile(request)

    def make(**kwargs: Any) -> Sandbox:
        kwargs.setdefault("behaviour", profile)
        sb = Sandbox(**kwargs).start()
        made.append(sb)
        return sb

    yield make
    for sb in made:
        _done_with(sb)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Tokens a test's body registers are forgotten when it ends, as a process that is done
    with them would.  Every sandbox makes a new token, so a worker process otherwise ends up
    redacting hundreds of them: each report export then searched every column for thousands
    of spellings (2 s instead of 0.1 s a report with 500 tokens registered), and each new
    client compiled them all into one pattern again."""
    before = set(redaction.spellings())
    try:
        return (yield)
    finally:
        redaction.forget_spellings(set(redaction.spellings()) - before)


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker:
    """HubSpot's OpenAPI specs (tests/openapi, committed), loaded once."""
    return get_checker()


def _checked_here() -> int:
    checker = openapi_check._CHECKER
    return checker.checked if checker is not None else 0


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its count to the controller (``workeroutput``)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["openapi_checked"] = _checked_here()


_FROM_WORKERS: list[int] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller collects each worker's count (a pytest-xdist hook)."""
    _FROM_WORKERS.append(int(getattr(node, "workeroutput", {}).get("openapi_checked", 0)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many responses were checked against HubSpot's specs."""
    checked = _checked_here() + sum(_FROM_WORKERS)
    terminalreporter.write_line(f"OpenAPI schema checks run: {checked:,} responses")


@pytest.fixture
def api(sandbox: Sandbox, spec_checker: SpecChecker) -> Iterator[CheckedApi]:
    """``api.call(method, path, body)`` against the demo sandbox, every response spec-checked."""
    caller = CheckedApi(sandbox, spec_checker)
    yield caller
    caller.close()


@pytest.fixture
def api_for(spec_checker: SpecChecker) -> Iterator[Callable[..., CheckedApi]]:
    """Make spec-checked callers for other sandboxes (or tokens)."""
    made: list[CheckedApi] = []

    def make(sb: Sandbox, token: Any = None) -> CheckedApi:
        caller = CheckedApi(sb, spec_checker, token)
        made.append(caller)
        return caller

    yield make
    for caller in made:
        caller.close()


@pytest.fixture(scope="module", params=["default", "flipped"])
def text_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test in both pandas text representations: the default one, then the other one
    (future.infer_string flipped: object text on pandas 3, Arrow text on pandas 2.2)."""
    if request.param == "default":
        yield "object" if arrow_text_dtype() is None else "arrow"
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pandas 3 deprecates the option
        try:
            inferring = bool(pd.get_option("future.infer_string"))
        except (KeyError, pd.errors.OptionError):
            pytest.skip("this pandas has no future.infer_string option")
        with pd.option_context("future.infer_string", not inferring):
            yield "object" if arrow_text_dtype() is None else "arrow"


@pytest.fixture
def app() -> Iterator[Any]:
    """A notebook app (:class:`hubframe.widgets.HubframeApp`), closed after the test; the
    widgets are imported only by the tests that use one."""
    from hubframe.widgets import HubframeApp

    made = HubframeApp()
    yield made
    made.close()


@pytest.fixture(autouse=True)
def _short_settle_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that may have been applied and is not there is read again after pauses of
    7.5 s in all (``send.SETTLE_WAITS``: HubSpot may apply it late); the sandbox applies
    nothing late, so in tests the pauses are short.  Tests of late applies set their own."""
    from hubframe.run import send

    monkeypatch.setattr(send, "SETTLE_WAITS", (0.01, 0.02))
