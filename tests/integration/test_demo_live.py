"""``sepsiscope demo``: the live ward reaches its first alert within 60 s and stops cleanly.

Runs the real command in a subprocess with its defaults (speed, ward, seed) and
``--no-browser``, reads the two lines it prints for scripts, and watches the API with the
nurse token it printed, as a newcomer's browser would.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import REPO, free_port

pytestmark = pytest.mark.slow
FIRST_ALERT_S = 60.0


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())


def _read_line(process: subprocess.Popen[str], prefix: str, deadline: float) -> str:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line.removeprefix(prefix).strip()
    raise AssertionError(f"demo never printed {prefix!r}")


def test_demo_reaches_first_alert_within_a_minute_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    stderr = tmp_path / "demo.err"
    started = time.monotonic()
    with stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "sepsiscope", "demo", "--no-browser", "--port", str(port)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=err, text=True,
        )  # fmt: skip
    try:
        deadline = started + FIRST_ALERT_S
        dashboard = _read_line(process, "dashboard: ", deadline)
        token = _read_line(process, "nurse token: ", deadline)
        assert dashboard == f"http://127.0.0.1:{port}/ward"
        api = dashboard.removesuffix("/ward") + "/api/v1"
        alerts: list[dict[str, Any]] = []
        while not alerts and time.monotonic() < deadline:
            alerts = _get(f"{api}/alerts?state=open", token)["alerts"]
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        assert alerts, f"no alert within {FIRST_ALERT_S:.0f} s; demo said:\n{stderr.read_text()}"
        assert elapsed <= FIRST_ALERT_S
        ward = _get(f"{api}/patients", token)["patients"]
        assert ward[0]["open_alerts"], "the ward is ranked with the alerted patient first"
        with pytest.raises(urllib.error.HTTPError) as refused:  # the printed token is a nurse's: reads only
            request = urllib.request.Request(f"{api}/observations", data=b'{"observations": []}', method="POST",
                                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
        refused.value.close()
    finally:
        process.send_signal(signal.SIGINT)
        rc = process.wait(timeout=30)
        assert process.stdout is not None
        process.stdout.close()
    said = stderr.read_text()
    assert rc == 0, said
    folder = re.search(r"data in (\S+) \(removed on exit\)", said)
    assert folder is not None, said
    assert not Path(folder.group(1)).exists(), "the temporary data folder is removed on exit"
