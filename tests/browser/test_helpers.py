"""The browser check's own rules, checked without a browser: skip outside CI, fail in CI."""

from __future__ import annotations

import socket

import pytest

from . import helpers


def test_missing_chromium_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        helpers.require_chromium()


def test_missing_chromium_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(helpers, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="browser check in CI"):
        helpers.require_chromium()


def test_free_port_is_a_loopback_port_nobody_holds() -> None:
    port = helpers.free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))


def test_voila_is_served_on_loopback_with_this_interpreter() -> None:
    command = helpers._voila_command(helpers.ROOT / "notebooks" / "03_app.ipynb", 8123)
    assert "--Voila.ip=127.0.0.1" in command and "--port=8123" in command
    assert "--no-browser" in command
