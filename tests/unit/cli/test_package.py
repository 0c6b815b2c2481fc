"""The cli package: groups register their commands in --help order; the process is set up before numpy loads."""

from __future__ import annotations

import os
import subprocess
import sys

import typer
from typer.main import get_command

from sepsiscope.cli import GROUPS, app

HELP_ORDER = ["calc", "score", "convert", "demo", "check", "serve", "train", "predict", "evaluate"]


def test_commands_in_help_order() -> None:
    assert list(get_command(app).commands) == HELP_ORDER  # type: ignore[attr-defined]


def test_each_group_registers_only_its_own_commands() -> None:
    seen: list[str] = []
    for group in GROUPS:
        probe = typer.Typer()
        group.register(probe)
        names = [info.callback.__name__ for info in probe.registered_commands]  # type: ignore[union-attr]
        assert names and all(getattr(group, name).__module__ == group.__name__ for name in names), group.__name__
        seen += names
    assert seen == HELP_ORDER


def _run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


def test_cli_import_keeps_numpy_out_and_openblas_to_one_thread() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = "import os, sys, sepsiscope.cli.tables; print('numpy' in sys.modules, os.environ['OPENBLAS_NUM_THREADS'])"
    assert _run(code, env) == "False 1"


def test_a_user_openblas_setting_wins() -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "3"}
    assert _run("import os, sepsiscope.cli; print(os.environ['OPENBLAS_NUM_THREADS'])", env) == "3"


def test_python_dash_m_runs_the_same_app() -> None:
    done = subprocess.run([sys.executable, "-m", "sepsiscope", "--help"], capture_output=True, text=True, check=True)
    assert all(name in done.stdout for name in HELP_ORDER)
