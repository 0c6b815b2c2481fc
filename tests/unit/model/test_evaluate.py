"""``evaluate`` and ``write_report`` on a tiny hand-made set, the golden metrics, and the CLI command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app
from sepsiscope.errors import ReadError
from sepsiscope.io import write_prediction_dir
from sepsiscope.model import metrics
from sepsiscope.model.evaluate import METRICS, evaluate, format_value
from sepsiscope.model.report import write_report
from tests.unit.io.psvfiles import patient, write_folder

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "evaluate_metrics.json"
PLOTS = ["roc.png", "precision_recall.png", "calibration.png", "utility_threshold.png", "alert_burden.png"]

# p000001: septic, 20 rows, labelled from row 10 (t_sepsis = 16), probability 0.05 * row, alerts from row 10
#          (the optimal hour) on: utility 5, best 7.5, inaction -10.
# p000002: never septic, 12 rows, one false alarm at row 5: utility -0.05.
# p000003: septic from row 0 (t_sepsis = 6), 8 rows, never alerted: -56/9; best 1 + 35/9; inaction -56/9.
# p000004: never septic, 30 quiet rows.
LABELS = {"p000001": [0] * 10 + [1] * 10, "p000002": [0] * 12, "p000003": [1] * 8, "p000004": [0] * 30}
PROBABILITY = {
    "p000001": [round(0.05 * i, 2) for i in range(20)],
    "p000002": [0.6 if i == 5 else 0.1 for i in range(12)],
    "p000003": [0.3] * 8,
    "p000004": [0.02] * 30,
}
EXPECTED_UTILITY = (5 - 0.05 + 10) / (7.5 + 10 + (1 + 35 / 9) + 56 / 9)


def _labels_dir(root: Path) -> Path:
    files = {
        f"{pid}.psv": patient(*({"ICULOS": h + 1, "HR": 80 + h, "SepsisLabel": lab} for h, lab in enumerate(labels)))
        for pid, labels in LABELS.items()
    }
    return write_folder(root, files, folder="labels")


def _predictions(**drop: int) -> pl.DataFrame:
    rows = [(pid, p, int(p >= 0.5)) for pid, probs in PROBABILITY.items() for p in probs]
    frame = pl.DataFrame(rows, schema=["patient_id", "probability", "label"], orient="row")
    for pid, n in drop.items():  # remove the last n rows of a patient
        keep = frame.with_row_index().filter(pl.col("patient_id") == pid)["index"].to_list()[:-n]
        frame = frame.with_row_index().filter((pl.col("patient_id") != pid) | pl.col("index").is_in(keep)).drop("index")
    return frame


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    labels = _labels_dir(tmp_path)
    write_prediction_dir(_predictions(), tmp_path / "pred")
    return labels, tmp_path / "pred"


def test_metric_names_are_documented() -> None:
    s = metrics.summary([0, 1], [0.2, 0.8], [0, 1], ["a", "a"])
    assert set(METRICS) == set(s)


def test_evaluate_tiny_set(tiny: tuple[Path, Path]) -> None:
    result = evaluate(*tiny)
    got = result.metrics
    assert got["normalized_utility"] == pytest.approx(EXPECTED_UTILITY, abs=1e-12)
    assert got["utility_observed"] == pytest.approx(5 - 0.05 - 56 / 9)
    assert (got["patients"], got["septic_patients"], got["patient_hours"]) == (4, 2, 70)
    assert (got["alerts"], got["alerted_patients"], got["detected_patients"]) == (11, 2, 1)
    assert got["sensitivity_patient"] == 0.5 and got["ppv_patient"] == 0.5
    assert got["median_warning_hours"] == 6.0
    assert got["alerts_per_patient_day"] == pytest.approx(11 / (70 / 24))
    assert got["sensitivity_hour"] == pytest.approx(10 / 18) and got["ppv_hour"] == pytest.approx(10 / 11)
    assert result.rows.columns == ["patient_id", "row", "label", "probability", "prediction"]
    assert result.rows.height == 70
    assert result.notes == ()
    assert sum(b.rows for b in result.calibration.bins) == 70


def test_golden_metrics(tiny: tuple[Path, Path]) -> None:
    got = evaluate(*tiny).to_dict()
    text = json.dumps(got, indent=2, sort_keys=True) + "\n"
    if os.environ.get("SEPSISCOPE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing; run with SEPSISCOPE_UPDATE_GOLDEN=1 and review the diff"
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == json.loads(text)


def test_write_report(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    result = evaluate(*tiny)
    written = write_report(result, tmp_path / "report")
    assert sorted(p.name for p in written) == sorted(["metrics.json", "index.html", *PLOTS])
    for name in PLOTS:
        data = (tmp_path / "report" / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000, name
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "supports, never replaces clinical judgement" in html
    for key in METRICS:
        assert f"<code>{key}</code>" in html, key
    assert format_value(result.metrics["normalized_utility"]) in html
    for name in PLOTS:
        assert f'src="{name}"' in html
    assert json.loads((tmp_path / "report" / "metrics.json").read_text()) == result.to_dict()


def test_report_without_septic_patients(tmp_path: Path) -> None:
    labels = write_folder(tmp_path, {"p1.psv": patient({"ICULOS": 1}, {"ICULOS": 2}, SepsisLabel=0)}, "labels")
    write_prediction_dir(pl.DataFrame({"patient_id": ["p1"] * 2, "probability": [0.1, 0.7], "label": [0, 1]}),
                         tmp_path / "pred")  # fmt: skip
    result = evaluate(labels, tmp_path / "pred")
    assert np.isnan(result.metrics["normalized_utility"]) and np.isnan(result.metrics["auroc"])
    assert result.to_dict()["metrics"]["normalized_utility"] is None
    write_report(result, tmp_path / "report")
    assert "not defined" in (tmp_path / "report" / "index.html").read_text()


def test_inconsistent_labels_get_a_note(tmp_path: Path) -> None:
    labels = _labels_dir(tmp_path)
    frame = _predictions()
    # p000002 row 0: probability 0.7 but no alert, while row 5 alerts at 0.6 (the challenge warns about this)
    first = (pl.col("patient_id") == "p000002") & (pl.int_range(pl.len()).over("patient_id") == 0)
    write_prediction_dir(frame.with_columns(probability=pl.when(first).then(0.7).otherwise("probability")),
                         tmp_path / "pred")  # fmt: skip
    notes = evaluate(labels, tmp_path / "pred").notes
    assert len(notes) == 1 and notes[0].startswith("1 patients (e.g. p000002) have an alert whose probability")


def test_missing_prediction_file_names_the_patient(tmp_path: Path) -> None:
    labels = _labels_dir(tmp_path)
    write_prediction_dir(_predictions().filter(pl.col("patient_id") != "p000003"), tmp_path / "pred")
    with pytest.raises(ReadError, match="no prediction file for patient p000003, who has 8 rows") as info:
        evaluate(labels, tmp_path / "pred")
    assert info.value.file == str(tmp_path / "pred" / "p000003.psv")


def test_row_count_mismatch_names_the_patient(tmp_path: Path) -> None:
    labels = _labels_dir(tmp_path)
    write_prediction_dir(_predictions(p000002=1), tmp_path / "pred")
    with pytest.raises(ReadError, match="patient p000002 has 11 prediction rows but 12 rows in labels") as info:
        evaluate(labels, tmp_path / "pred")
    assert info.value.file == str(tmp_path / "pred" / "p000002.psv")


def test_prediction_without_labels_is_refused(tiny: tuple[Path, Path]) -> None:
    labels, pred = tiny
    (pred / "p999999.psv").write_text("PredictedProbability|PredictedLabel\n0.1|0\n")
    with pytest.raises(ReadError, match="patient p999999 has predictions but no labels"):
        evaluate(labels, pred)


def test_labels_need_sepsis_label(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    pl.DataFrame({"patient_id": ["p000001"], "hour": [1], "HR": [80.0]}).write_csv(tmp_path / "t.csv")
    with pytest.raises(ReadError, match="no sepsis_label column"):
        evaluate(tmp_path / "t.csv", tiny[1])


def test_cli_evaluate(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    labels, pred = tiny
    result = CliRunner().invoke(app, ["evaluate", str(labels), str(pred), "--report", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == evaluate(labels, pred).to_dict()
    for key in ("normalized_utility", "auroc", "auprc", "median_warning_hours"):
        assert key in result.stderr
    assert (tmp_path / "r" / "index.html").exists()


def test_cli_evaluate_error(tmp_path: Path) -> None:
    labels = _labels_dir(tmp_path)
    write_prediction_dir(_predictions(p000001=2), tmp_path / "pred")
    result = CliRunner().invoke(app, ["evaluate", str(labels), str(tmp_path / "pred")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "p000001" in result.stderr and "18 prediction rows but 20 rows" in result.stderr


def test_cli_evaluate_help() -> None:
    result = CliRunner().invoke(app, ["evaluate", "--help"])
    assert result.exit_code == 0 and "--report" in result.stdout


def test_evaluate_does_not_import_the_report() -> None:
    """One direction only: the report consumes an EvaluationResult; evaluate never imports the report."""
    import ast

    import sepsiscope.model.evaluate as evaluate_module

    tree = ast.parse(Path(evaluate_module.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert "sepsiscope.io" in imported  # the walk sees this module's imports
    assert not {name for name in imported if name and name.startswith("sepsiscope.model.report")}
