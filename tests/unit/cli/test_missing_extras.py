"""Every command behind the [spark] extra: without PySpark or pandas, one line naming the install, exit 2.

The import is made to fail with ``sys.modules[name] = None`` (what Python does for a package that
is not installed), in process through CliRunner and once in a real subprocess for the traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app

from ..io.psvfiles import hours, write_folder

runner = CliRunner()
INSTALL = "pip install 'sepsiscope[spark]'"


@pytest.fixture
def psv(tmp_path: Path) -> Path:
    return write_folder(tmp_path, {f"p{k:06d}.psv": hours(3, Temp=38.5) for k in range(3)})


def _spark_commands(psv: Path, out: Path) -> dict[str, list[str]]:
    return {
        "score": ["score", str(psv), "--out", str(out / "s"), "--engine", "spark"],
        "train": ["train", str(psv), "--out", str(out / "m"), "--engine", "spark", "--folds", "2", "--rounds", "2"],
        "predict": ["predict", str(psv), "--out", str(out / "p"), "--engine", "spark"],
    }


@pytest.mark.parametrize(("module", "shown"), [("pyspark", "PySpark"), ("pandas", "pandas")])
@pytest.mark.parametrize("command", ["score", "train", "predict"])
def test_spark_engine_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, psv: Path, tmp_path: Path, command: str, module: str, shown: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    out = tmp_path / "out"
    result = runner.invoke(app, _spark_commands(psv, out)[command])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # not an uncaught ImportError
    assert result.output == f"error: --engine spark needs {shown}, which is not installed: {INSTALL}\n"
    assert not out.exists()


@pytest.mark.parametrize("command", ["score", "train", "predict"])
def test_the_extra_is_checked_before_reading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = runner.invoke(app, _spark_commands(tmp_path / "absent", tmp_path)[command])
    assert result.exit_code == 2
    assert INSTALL in result.output and "absent" not in result.output


def test_score_on_a_parquet_folder_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, psv: Path, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["convert", str(psv), "--out", str(tmp_path / "pq")]).exit_code == 0
    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = runner.invoke(app, ["score", str(tmp_path / "pq"), "--out", str(tmp_path / "s"), "--engine", "spark"])
    assert result.exit_code == 2
    assert INSTALL in result.output


def test_commands_that_need_no_extra_still_run_without_it(
    monkeypatch: pytest.MonkeyPatch, psv: Path, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pandas", None)
    converted = runner.invoke(app, ["convert", str(psv), "--out", str(tmp_path / "pq")])
    assert converted.exit_code == 0, converted.output
    scored = runner.invoke(app, ["score", str(tmp_path / "pq"), "--out", str(tmp_path / "s.parquet")])
    assert scored.exit_code == 0, scored.output
    assert pl.read_parquet(tmp_path / "s.parquet").height == 9


def test_no_traceback_in_a_real_process(psv: Path, tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pyspark'] = None; from sepsiscope.cli import main; sys.argv[0] = 'sepsiscope'; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "score", str(psv), "--out", str(tmp_path / "s"), "--engine", "spark"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr == f"error: --engine spark needs PySpark, which is not installed: {INSTALL}\n"
    assert done.stdout == ""
