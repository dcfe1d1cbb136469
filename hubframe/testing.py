"""pytest fixtures for hubframe and for users' own tests: a started sandbox per test.

Enable with ``pytest_plugins = ["hubframe.testing"]`` in a ``conftest.py``::

    def test_link(sandbox):
        client = hubframe.HubSpotClient(token=sandbox.token, base_url=sandbox.url)
        ...

    def test_throttled(sandbox_factory):
        sb = sandbox_factory(rate_limit=(5, 1.0), seed=None)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hubframe.sandbox import Sandbox

SandboxFactory = Callable[..., Sandbox]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A started ``Sandbox(seed="demo")``, stopped after the test."""
    with Sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    """Call with ``Sandbox`` keyword arguments; every sandbox made is started, then stopped."""
    made: list[Sandbox] = []

    def make(**kwargs: Any) -> Sandbox:
        sb = Sandbox(**kwargs).start()
        made.append(sb)
        return sb

    yield make
    for sb in made:
        sb.stop()
