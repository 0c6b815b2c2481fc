"""Start the real ``sepsiscope serve`` on a free port for a test, with its output captured.

Shared by the browser tests and the server privacy test (as datasette's
``tests/test_playwright.py`` does: a failure to start includes the server's output).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A running ``sepsiscope serve``; :meth:`output` is everything it printed so far."""

    def __init__(self, url: str, log: Path, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.log = log
        self.process = process

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def live_server(folder: Path, timeout_s: float = 30, args: Sequence[str] = ()) -> Iterator[Server]:
    """Run the server until the block ends; fail with its output if it does not answer.

    Its database lives in ``folder/data`` unless ``args`` give another (``--database-url``).
    """
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sepsiscope",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(folder / "data"),
                *args,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    server = Server(f"http://127.0.0.1:{port}", log, process)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"sepsiscope serve did not come up on port {port}. Its output:\n{server.output()}")
        time.sleep(0.2)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()


def cli_token(data: Path, role: str) -> str:
    """A token for ``role`` made by the real ``sepsiscope token create`` in ``data`` (its last line)."""
    out = subprocess.run(
        [sys.executable, "-m", "sepsiscope", "token", "create", "--role", role, "--data-dir", str(data)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]
