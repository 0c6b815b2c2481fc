"""The one settings object: defaults, environment, flags, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from sepsiscope.service.settings import Settings


def test_default_database_is_sqlite_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SEPSISCOPE_DATA_DIR", raising=False)
    assert Settings().resolved_database_url.endswith("sepsiscope-data/sepsiscope.db")
    monkeypatch.setenv("SEPSISCOPE_DATA_DIR", str(tmp_path))
    assert Settings().resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'sepsiscope.db'}"
    assert Settings(data_dir=tmp_path / "x").resolved_database_url.endswith("/x/sepsiscope.db")  # a flag wins


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql://u@h/db", "postgresql+psycopg2://u@h/db"])
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="database_url"):
        Settings(database_url=url)


def test_unknown_options_and_bad_ports_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(port=0)
    with pytest.raises(ValidationError):
        Settings(colour="red")  # type: ignore[call-arg]


def test_every_setting_is_documented() -> None:
    """docs/service.md's settings table names the environment variable of every Settings field."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "service.md").read_text(encoding="utf-8")
    missing = [f for f in Settings.model_fields if f"`SEPSISCOPE_{f.upper()}`" not in text]
    assert not missing, f"docs/service.md does not document {missing}"
