"""Serve a notebook with Voilà on 127.0.0.1 and find the system chromium for Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_chromium() -> str:
    """The chromium path, or skip (outside CI) / fail (in CI) with a clear message."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = (
        f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) "
        "or run scripts/ci-browser.sh"
    )
    if in_ci():
        pytest.fail(f"browser check in CI: {message}", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Served:
    url: str
    log: Path


def _voila_command(notebook: Path, port: int) -> list[str]:
    voila = Path(sys.executable).with_name("voila")
    launcher = [str(voila)] if voila.exists() else [sys.executable, "-m", "voila"]
    return [
        *launcher,
        str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--MappingKernelManager.default_kernel_name=python3",
        "--VoilaConfiguration.show_tracebacks=False",
    ]


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "voila/static/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # the server answered (a 403/404 is still an answer)
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    raise TimeoutError(f"voila did not answer on {url} within {timeout:.0f} s")


@contextlib.contextmanager
def serve_voila(notebook: Path, *, timeout: float = 60.0) -> Iterator[Served]:
    """Run Voilà on a free loopback port with this interpreter's kernel; stop it after."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "voila.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            _voila_command(notebook, port),
            cwd=notebook.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_http(url, proc, timeout)
            yield Served(url=url, log=log)
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop voila, then anything left in the process group it led (its kernels)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def which_voila() -> bool:
    return Path(sys.executable).with_name("voila").exists() or shutil.which("voila") is not None
