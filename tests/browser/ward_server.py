"""A running ``sepsiscope serve`` with a synthetic ward and one token per role, for the ward's browser tests.

The ward is the seeded synthetic one, sent through the real ingest API by ``sepsiscope replay``
(so scores, risk and alerts come from the service as in production). ``Api`` is a tiny JSON
client for the test's own calls (post an observation, read alerts and the audit trail).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.live_server import REPO, Server, live_server

ROLES = ("integration", "nurse", "clinician", "admin")


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sepsiscope", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"sepsiscope {' '.join(args[:2])} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


@dataclass
class Api:
    """JSON calls to the server with one role's token."""

    url: str
    tokens: dict[str, str]

    def call(self, method: str, path: str, role: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/api/v1{path}", data=data, method=method, headers={
            "Authorization": f"Bearer {self.tokens[role]}", "Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def wait_scored(self, timeout_s: float = 120) -> list[dict[str, Any]]:
        """The ward once every patient has a scored hour (the scorer runs after the writes)."""
        deadline = time.monotonic() + timeout_s
        while True:
            rows = self.call("GET", "/patients", "nurse")["patients"]
            if rows and all(r["as_of"] is not None for r in rows):
                return list(rows)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the ward was not scored in {timeout_s} s: {rows}")
            time.sleep(0.5)


@dataclass
class WardServer:
    """The server, its tokens and an API client."""

    server: Server
    tokens: dict[str, str]
    api: Api

    @property
    def url(self) -> str:
        return self.server.url


@contextmanager
def ward_server(folder: Path, patients: int = 6, hours: int = 24, seed: int = 7) -> Iterator[WardServer]:
    """Serve, make a token per role, replay the synthetic ward, wait until it is scored."""
    with live_server(folder, timeout_s=60) as server:
        data = str(folder / "data")
        tokens = {r: _cli("token", "create", "--role", r, "--name", f"ward-{r}", "--data-dir", data).split()[-1]
                  for r in ROLES}  # fmt: skip
        _cli("replay", "synthetic", "--to", server.url, "--token", tokens["integration"], "--patients",
             str(patients), "--hours", str(hours), "--seed", str(seed))  # fmt: skip
        api = Api(server.url, tokens)
        api.wait_scored()
        yield WardServer(server, tokens, api)
