"""The cli package: groups register their commands in --help order; the process is set up before numpy loads."""

from __future__ import annotations

import os
import subprocess
import sys

import typer
from typer.main import get_command

from sepsiscope.cli import GROUPS, app

# the commands of the first release, in their --help order (new groups may add commands between them)
FIRST_RELEASE = ["calc", "score", "convert", "demo", "check", "serve", "train", "predict", "evaluate"]


def test_first_release_commands_keep_their_help_order() -> None:
    listed = list(get_command(app).commands)  # type: ignore[attr-defined]
    assert [name for name in listed if name in FIRST_RELEASE] == FIRST_RELEASE


def test_help_lists_the_groups_in_groups_order() -> None:
    """Commands in GROUPS order, then sub-apps (``add_typer``) in GROUPS order: Typer lists groups last."""
    commands: list[str] = []
    subapps: list[str] = []
    for group in GROUPS:
        probe = typer.Typer()
        group.register(probe)
        for info in probe.registered_commands:
            assert info.callback is not None and info.callback.__module__ == group.__name__, group.__name__
            commands.append(info.name or info.callback.__name__.replace("_", "-"))
        subapps += [str(info.name or info.typer_instance.info.name) for info in probe.registered_groups]  # type: ignore[union-attr]
    assert list(get_command(app).commands) == commands + subapps  # type: ignore[attr-defined]


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
    assert all(name in done.stdout for name in FIRST_RELEASE)
