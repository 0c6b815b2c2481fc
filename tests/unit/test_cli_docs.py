"""Every command has help, and docs/cli.md is the current --help output (as datasette/sqlite-utils do)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from typer.main import get_command

from sepsiscope.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_has_help() -> None:
    for name, command in get_command(app).commands.items():
        assert command.help and len(command.help) > 40, name


def test_cli_reference_is_current() -> None:
    expected = _script().render()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run .venv/bin/python scripts/cli_docs.py"
