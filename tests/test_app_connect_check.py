"""Connect's check of a HubSpot account is bounded; the run's client gets a run's patience.

A server that took the connection and never answered held every box of the app disabled for
about 14 minutes (a run's 120 s read timeout, 7 attempts), the mode toggle too: the check is
one cheap read, and now has its own short timeout and one retry.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from hubframe.errors import HubframeError
from hubframe.hubspot.client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from hubframe.widgets import backend


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port whose connections are taken and never answered."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_a_server_that_never_answers_fails_the_check_soon(
    silent_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend, "CHECK_TIMEOUT", (1.0, 1.0))
    started = time.monotonic()
    with pytest.raises(HubframeError):
        backend.connect(
            "account", token="pat-na1-" + "0" * 36, base_url=silent_server, api_version="2026-03"
        )
    assert time.monotonic() - started < 30


def test_the_connected_client_has_a_runs_timeout_and_retries() -> None:
    assert backend.CHECK_RETRIES < DEFAULT_MAX_RETRIES
    connection = backend.connect("sandbox", token=None, base_url=None, api_version="2026-03")
    try:
        assert connection.client.timeout == DEFAULT_TIMEOUT
        assert connection.client.max_retries == DEFAULT_MAX_RETRIES
    finally:
        connection.client.close()
        if connection.sandbox is not None:
            connection.sandbox.stop()
