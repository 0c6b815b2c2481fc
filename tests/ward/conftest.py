"""Ward page fixtures: the app in-process on a fresh SQLite database, a token per role, a set clock.

``Ward.sign_in(role)`` signs a TestClient in through the real form (CSRF token and all);
``Ward.csrf(client)`` reads the token a page's forms carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sepsiscope.app import create_app
from sepsiscope.service.auth import ROLES, create_token
from sepsiscope.service.context import ServiceContext, start
from sepsiscope.service.settings import Settings
from tests.service.conftest import database_url_pg  # noqa: F401  (the fixture: an empty PostgreSQL schema)

NOW = datetime(2026, 12, 5, 3, 30, tzinfo=UTC)
CALM = {"resp_rate": 16, "spo2": 97, "supplemental_o2": False, "sbp": 125, "heart_rate": 75, "consciousness": "A",
        "temp_c": 37.0}  # fmt: skip
SICK = {**CALM, "resp_rate": 26, "heart_rate": 135, "sbp": 95, "consciousness": "V"}  # NEWS2 11: emergency
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Clock:
    """The ward's "now", moved by the test."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Ward:
    """The app with one token per role and a controllable clock."""

    ctx: ServiceContext
    app: Any
    tokens: dict[str, str]
    clock: Clock
    clients: list[TestClient] = field(default_factory=list)

    def client(self, base_url: str = "http://testserver") -> TestClient:
        c = TestClient(self.app, base_url=base_url, raise_server_exceptions=True, follow_redirects=False)
        self.clients.append(c)
        return c

    def api(self, method: str, path: str, role: str = "integration", **kw: Any) -> Any:
        c = self.clients[0]
        r = c.request(method, path, headers={"Authorization": f"Bearer {self.tokens[role]}"}, **kw)
        assert r.status_code < 300, r.text
        self.ctx.settle()
        return r.json()

    def patient(self, pid: str, bed: str = "1", ward: str = "4B", **body: Any) -> None:
        self.api(
            "PUT", f"/api/v1/patients/{pid}", json={"age_years": 60, "location": {"ward": ward, "bed": bed}, **body}
        )

    def vitals(self, pid: str, when: datetime, values: dict[str, Any]) -> None:
        items = [{"patient_id": pid, "time": when.isoformat(), "variable": k, "value": v} for k, v in values.items()]
        self.api("POST", "/api/v1/observations", json={"observations": items})

    def events(self, items: list[dict[str, Any]]) -> None:
        self.api("POST", "/api/v1/events", json={"events": items})

    @staticmethod
    def csrf(client: TestClient, path: str = "/ward") -> str:
        match = _CSRF.search(client.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def sign_in(self, role: str, base_url: str = "http://testserver") -> TestClient:
        c = self.client(base_url)
        token = self.csrf(c, "/ward/sign-in")
        r = c.post("/ward/sign-in", data={"csrf": token, "token": self.tokens[role], "next": "/ward"})
        assert r.status_code == 303, r.text
        return c


def _make_ward(database_url: str) -> Iterator[Ward]:
    clock = Clock()
    ctx = start(Settings(database_url=database_url), clock=clock)
    tokens = {}
    with ctx.sessions.begin() as session:
        for role in ROLES:
            tokens[role] = create_token(session, role, f"test-{role}")[1]
    app = create_app(ctx)
    w = Ward(ctx, app, tokens, clock)
    try:
        with w.client():
            yield w
    finally:
        for c in w.clients:
            c.close()
        ctx.engine.dispose()


@pytest.fixture
def ward(tmp_path: Path) -> Iterator[Ward]:
    """The app on an empty SQLite database, the clock at 03:30 UTC."""
    yield from _make_ward(f"sqlite:///{tmp_path / 'ward.db'}")


@pytest.fixture(params=["sqlite", "postgresql"])
def ward_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ward]:
    """The same on each database (PostgreSQL from SEPSISCOPE_TEST_POSTGRES_URL, else skipped)."""
    if request.param == "sqlite":
        yield from _make_ward(f"sqlite:///{tmp_path / 'ward.db'}")
    else:
        yield from _make_ward(request.getfixturevalue("database_url_pg"))


def sick_patient(w: Ward, pid: str = "p1", bed: str = "1") -> None:
    """A patient whose NEWS2 of 11 opens an emergency alert (and qSOFA 3 an urgent one)."""
    w.patient(pid, bed=bed)
    w.vitals(pid, w.clock.now - timedelta(minutes=10), SICK)
