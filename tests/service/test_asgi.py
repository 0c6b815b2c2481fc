"""``sepsiscope.asgi:create``: the app for several uvicorn workers, configured by the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sepsiscope.asgi import create


def test_factory_reads_its_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEPSISCOPE_DATA_DIR", str(tmp_path / "data"))
    with TestClient(create()) as client:
        assert client.get("/healthz").json() == {"status": "ok", "database": "sqlite"}
        assert client.get("/api/v1/patients").status_code == 401
    assert (tmp_path / "data" / "sepsiscope.db").exists()


def test_factory_refuses_a_bad_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEPSISCOPE_DATABASE_URL", "mysql://nobody@localhost/db")
    with pytest.raises(ValueError, match="database_url"):
        create()
