"""Optional extras: EXTRAS matches pyproject, and a missing package is one MissingExtraError naming the install."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest

import sepsiscope.extras as extras
from sepsiscope.cohort import spark as cohort_spark
from sepsiscope.cohort.scoring import score_table
from sepsiscope.errors import MissingExtraError, UsageError

ROOT = Path(__file__).resolve().parents[2]
TOOLING = {"dev"}  # extras of developer tools, not features


def test_extras_match_pyproject() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    for extra, requirements in declared.items():
        if extra in TOOLING:
            continue
        names = {re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0].lower().replace("-", "_") for req in requirements}
        assert {module for module, _ in extras.EXTRAS[extra]} == names, extra
    assert set(extras.EXTRAS) == set(declared) - TOOLING


@pytest.mark.parametrize(("module", "shown"), [("pyspark", "PySpark"), ("pandas", "pandas")])
def test_missing_package_names_the_install(monkeypatch: pytest.MonkeyPatch, module: str, shown: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(MissingExtraError) as caught:
        extras.require("spark", "the Spark engine")
    assert (
        str(caught.value) == f"the Spark engine needs {shown}, which is not installed: pip install 'sepsiscope[spark]'"
    )
    assert isinstance(caught.value, UsageError)
    assert (caught.value.extra, caught.value.module) == ("spark", shown)
    assert "\n" not in str(caught.value)


def test_a_broken_install_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(name: str) -> None:
        raise ModuleNotFoundError("No module named 'py4j'", name="py4j")

    monkeypatch.setattr(extras, "import_module", fail)
    with pytest.raises(MissingExtraError, match=r"PySpark, which cannot be imported \(No module named 'py4j'\): pip"):
        extras.require("spark", "the Spark engine")


def test_installed_extra_returns_its_modules() -> None:
    pytest.importorskip("pyspark")
    pytest.importorskip("pandas")
    assert set(extras.require("spark", "the Spark engine")) == {"pyspark", "pandas"}


@pytest.mark.parametrize(
    "call",
    [
        lambda: cohort_spark.spark_session(),
        lambda: cohort_spark.active_session(),
        lambda: cohort_spark.apply_by_patient(None, score_table),  # type: ignore[arg-type]
        lambda: cohort_spark.score_spark_frame(None),  # type: ignore[arg-type]
    ],
    ids=["spark_session", "active_session", "apply_by_patient", "score_spark_frame"],
)
def test_every_spark_entry_point_checks_the_extra_first(monkeypatch: pytest.MonkeyPatch, call) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(MissingExtraError, match=r"^the Spark engine needs PySpark"):
        call()


def test_features_on_spark_without_pyspark(monkeypatch: pytest.MonkeyPatch) -> None:
    from sepsiscope.model.dataset import features_matrix

    monkeypatch.setitem(sys.modules, "pyspark", None)
    table = pl.DataFrame({"patient_id": ["a"], "hour": [1], "heart_rate": [80.0]})
    with pytest.raises(MissingExtraError, match="pip install 'sepsiscope\\[spark\\]'"):
        features_matrix(table, ("physiology",), engine="spark")
