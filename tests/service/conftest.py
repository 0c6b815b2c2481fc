"""Service fixtures: the app on SQLite and on a real PostgreSQL server, with a token per role.

PostgreSQL comes from ``SEPSISCOPE_TEST_POSTGRES_URL`` (``.ci/run`` starts the server and sets
it). Without it the PostgreSQL half is skipped, and under ``SEPSISCOPE_REQUIRE_ALL=1`` it fails.
Each test gets its own empty database: a fresh SQLite file, or a fresh PostgreSQL schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from sepsiscope.app import create_app
from sepsiscope.service.auth import ROLES, create_token
from sepsiscope.service.context import ServiceContext, start
from sepsiscope.service.settings import Settings

PG_ENV = "SEPSISCOPE_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL, or skip (fail under SEPSISCOPE_REQUIRE_ALL=1)."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    message = f"PostgreSQL server not configured ({PG_ENV} is not set; .ci/run starts one)"
    if os.environ.get("SEPSISCOPE_REQUIRE_ALL") == "1":
        pytest.fail(message + " (SEPSISCOPE_REQUIRE_ALL=1)")
    pytest.skip(message)


@pytest.fixture
def database_url_pg(tmp_path: Path) -> Iterator[str]:
    """An empty PostgreSQL schema (for tests that run one backend at a time)."""
    base = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sepsiscope.db'}"
    return str(request.getfixturevalue("database_url_pg"))


@dataclass
class Service:
    """A running app (in-process) with one token per role."""

    ctx: ServiceContext
    client: TestClient
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def put_patient(self, patient_id: str, **body: Any) -> Any:
        """PUT a patient and wait until any rescoring it queued is done."""
        r = self.client.put(f"/api/v1/patients/{patient_id}", json=body, headers=self.headers("integration"))
        assert r.status_code == 200, r.text
        self.ctx.settle()
        return r.json()

    def post_observations(self, items: list[dict[str, Any]], expect: int = 200, settle: bool = True) -> Any:
        """POST a batch; by default wait until the scorer has scored it (timelines and alerts)."""
        r = self.client.post("/api/v1/observations", json={"observations": items}, headers=self.headers("integration"))
        assert r.status_code == expect, r.text
        if settle:
            self.ctx.settle()
        return r.json()

    def get(self, path: str, role: str = "nurse", expect: int = 200) -> Any:
        r = self.client.get(path, headers=self.headers(role))
        assert r.status_code == expect, r.text
        return r.json()


def make_service(database_url: str, **settings: Any) -> Iterator[Service]:
    ctx = start(Settings(database_url=database_url, **settings))
    tokens = {}
    with ctx.sessions.begin() as session:
        for role in ROLES:
            tokens[role] = create_token(session, role, f"test-{role}")[1]
    try:
        with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
            yield Service(ctx, client, tokens)
    finally:
        ctx.engine.dispose()


@pytest.fixture
def service(database_url: str) -> Iterator[Service]:
    """The app on an empty database of each kind."""
    yield from make_service(database_url)
