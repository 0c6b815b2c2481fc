"""``kill -9`` of the real server during a burst of writes loses no observation that got a 2xx.

A subprocess ``sepsiscope serve``, four writer threads, a real SIGKILL mid-burst, a restart on
the same database, then a count: every id acknowledged with a 2xx is stored, every stored hour
gets scored by the restarted scorer (what the killed one had queued or half done), and the
audit chain is still intact.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app as cli
from tests.live_server import live_server

pytestmark = pytest.mark.slow
WRITERS = 4


def _token(role: str, db_args: list[str]) -> str:
    out = CliRunner().invoke(cli, ["token", "create", "--role", role, *db_args])
    assert out.exit_code == 0, out.output
    return out.stdout.strip().splitlines()[-1]


def _request(url: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        conn.close()


def _writer(url: str, token: str, k: int, acked: list[str], stop: threading.Event) -> None:
    parts = urlparse(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        _burst(conn, token, k, acked, stop)
    finally:
        conn.close()  # also when the server died under us: no socket left for the collector


def _burst(conn: http.client.HTTPConnection, token: str, k: int, acked: list[str], stop: threading.Event) -> None:
    hour = 0
    while not stop.is_set():
        ids = [f"w{k}-h{hour}-{v}" for v in ("heart_rate", "resp_rate", "spo2")]
        t = f"2026-03-0{1 + hour // 24}T{hour % 24:02d}:00:00Z"
        batch = {"observations": [
            {"id": i, "patient_id": f"crash{k}", "time": t, "variable": v, "value": x}
            for i, v, x in zip(ids, ("heart_rate", "resp_rate", "spo2"), (80 + hour % 40, 18, 96), strict=True)
        ]}  # fmt: skip
        try:
            conn.request("POST", "/api/v1/observations", body=json.dumps(batch),
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
            r = conn.getresponse()
            r.read()
        except (OSError, http.client.HTTPException):
            return  # the server died under us: this batch was never acknowledged
        if 200 <= r.status < 300:
            acked.extend(ids)
        hour = (hour + 1) % 200


def _wait_until_scored(url: str, token: str, patient_id: str, hours: set[str]) -> None:
    """The restarted scorer scores what the killed one had queued (or claimed): every stored hour
    gets its timeline row, and nothing stays queued."""
    deadline = time.monotonic() + 60
    while True:
        status, body = _request(url, "GET", f"/api/v1/patients/{patient_id}/timeline", token)
        assert status == 200, body
        if body["scoring_since"] is None and {h["hour_start"][:13] for h in body["hours"]} == hours:
            return
        assert time.monotonic() < deadline, f"{patient_id}: not scored after restart: {body['scoring_since']}"
        time.sleep(0.2)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_mid_burst_loses_nothing_acknowledged(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        db_args = ["--data-dir", str(tmp_path / "data")]
    else:
        url = request.getfixturevalue("database_url_pg")
        db_args = ["--database-url", url]
    integration, nurse = _token("integration", db_args), _token("nurse", db_args)
    with live_server(tmp_path, args=db_args) as server:
        for k in range(WRITERS):
            status, body = _request(server.url, "PUT", f"/api/v1/patients/crash{k}", integration, {"age_years": 50})
            assert status == 200, body
        acked: list[str] = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=_writer, args=(server.url, integration, k, acked, stop)) for k in range(WRITERS)
        ]
        for t in threads:
            t.start()
        time.sleep(2.0)
        os.kill(server.process.pid, signal.SIGKILL)  # mid-burst, no warning
        server.process.wait()
        stop.set()
        for t in threads:
            t.join(timeout=15)
        assert len(acked) >= 30, f"the burst was too small to mean anything ({len(acked)} acknowledged)"
    with live_server(tmp_path, args=db_args) as server:  # restart on the same database
        stored: set[str] = set()
        for k in range(WRITERS):
            status, body = _request(server.url, "GET", f"/api/v1/patients/crash{k}/observations", nurse)
            assert status == 200, body
            stored |= {o["id"] for o in body["observations"]}
            hours = {o["time"][:13] for o in body["observations"]}
            _wait_until_scored(server.url, nurse, f"crash{k}", hours)
    lost = set(acked) - stored
    assert not lost, f"{len(lost)} acknowledged observations lost after kill -9, e.g. {sorted(lost)[:5]}"
    verify = CliRunner().invoke(cli, ["audit", "verify", *db_args])
    assert verify.exit_code == 0, verify.output
