"""Judge early-warning predictions the PhysioNet/CinC 2019 way (``sepsiscope evaluate``).

Labels come from any reader input with ``sepsis_label`` (a PhysioNet folder or zip, a CSV or Parquet
table); predictions from a folder of PhysioNet prediction files (:mod:`sepsiscope.io.predictions`),
matched by patient and row order. Every metric is defined once in :mod:`sepsiscope.model.metrics`.
The HTML report is drawn from the :class:`EvaluationResult` by :mod:`sepsiscope.model.report`,
which imports this module (never the other way round).

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 and the challenge's scoring code
(``evaluate_sepsis_score.py``); labelling: shared/docs/clinical/adult-scores.md §3.6.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sepsiscope.errors import ReadError
from sepsiscope.io import read_any, read_prediction_dir
from sepsiscope.model.metrics import CHALLENGE_2019, Calibration, calibration, summary

#: Every metric of an evaluation, in display order, with what it means (CLI table, HTML report).
METRICS: dict[str, str] = {
    "normalized_utility": "PhysioNet/CinC 2019 normalized utility: 1 = best possible alerts, 0 = never alerting",
    "auroc": "area under the ROC curve: each patient-hour's probability against SepsisLabel",
    "auprc": "area under the precision-recall curve (average precision), patient-hours",
    "alerts_per_patient_day": "alerting patient-hours per 24 patient-hours",
    "sensitivity_patient": "septic patients alerted from 12 h before to 3 h after onset",
    "ppv_patient": "patients with any alert who are septic",
    "sensitivity_hour": "labelled patient-hours (SepsisLabel = 1) that alert",
    "ppv_hour": "alerting patient-hours that are labelled",
    "median_warning_hours": "median hours from the first alert to onset, detected septic patients",
    "brier_score": "mean squared difference between probability and SepsisLabel",
    "utility_observed": "utility of these alerts, before normalisation",
    "utility_best": "utility of the best possible alerts",
    "utility_inaction": "utility of never alerting",
    "patients": "patients (prediction files)",
    "septic_patients": "patients with any SepsisLabel = 1",
    "patient_hours": "patient-hours (rows)",
    "alerts": "alerting patient-hours (PredictedLabel = 1)",
    "alerted_patients": "patients with at least one alert",
    "detected_patients": "septic patients alerted from 12 h before to 3 h after onset",
}

_ROUND = 6  # decimals in metrics.json: stable golden files, more than any report needs


@dataclass(frozen=True)
class EvaluationResult:
    """Metrics of one set of predictions, plus the matched rows the report plots from.

    ``rows`` holds ``patient_id``, ``row`` (0-based within the patient), ``label``,
    ``probability`` and ``prediction``, in the labels' row order.
    """

    metrics: dict[str, float | int]
    calibration: Calibration
    rows: pl.DataFrame
    labels_source: str
    predictions_source: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: metrics (NaN -> null, floats rounded to 6 decimals), calibration, notes."""
        return {
            "metrics": {k: _plain(v) for k, v in self.metrics.items()},
            "calibration": {
                "bins": [{k: _plain(v) for k, v in asdict(b).items()} for b in self.calibration.bins],
                "brier_score": _plain(self.calibration.brier_score),
            },
            "notes": list(self.notes),
            "utility_parameters": asdict(CHALLENGE_2019),
        }


def _plain(value: float | int) -> float | int | None:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, _ROUND)
    return value


def format_value(value: float | int | None) -> str:
    """A metric as text: integers with separators, other numbers to 4 decimals, NaN as 'not defined'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not defined"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4f}"


def evaluate(labels_path: str | Path, pred_dir: str | Path) -> EvaluationResult:
    """Score the prediction files in ``pred_dir`` against the labels in ``labels_path``.

    Raises :class:`~sepsiscope.errors.ReadError` naming the patient and file when a labelled patient
    has no prediction file, a prediction file has no labelled patient, or the row counts differ.
    """
    labels_path, pred_dir = Path(labels_path), Path(pred_dir)
    labels = _labels(labels_path)
    predictions = read_prediction_dir(pred_dir)
    _check_match(labels, predictions, labels_path, pred_dir)
    rows = labels.join(predictions, on=["patient_id", "row"], how="left", maintain_order="left").select(
        "patient_id", "row", "label", "probability", prediction="label_right"
    )
    y, prob, alert = (rows[c].to_numpy() for c in ("label", "probability", "prediction"))
    ids = rows["patient_id"]
    return EvaluationResult(
        metrics=summary(y, prob, alert, ids),
        calibration=calibration(y, prob),
        rows=rows,
        labels_source=str(labels_path),
        predictions_source=str(pred_dir),
        notes=_notes(rows),
    )


def _labels(path: Path) -> pl.DataFrame:
    table = read_any(path).table
    if "sepsis_label" not in table.columns:
        raise ReadError(
            "no sepsis_label column, so there is nothing to evaluate against",
            file=str(path),
            field="sepsis_label",
            hint="pass the PhysioNet files (with SepsisLabel) or a table with a sepsis_label column",
        )
    labels = table.select(pl.col("patient_id").cast(pl.String), label=pl.col("sepsis_label")).with_columns(
        row=pl.int_range(pl.len(), dtype=pl.Int64).over("patient_id")
    )
    bad = labels.filter(pl.col("label").is_null() | ~pl.col("label").is_in([0, 1]))
    if bad.height:
        pid, value, row = bad.row(0)
        raise ReadError(
            f"patient {pid}, row {row + 1}: SepsisLabel is {value!r}, expected 0 or 1",
            file=str(path),
            field="sepsis_label",
            value=str(value),
        )
    return labels.select("patient_id", "row", pl.col("label").cast(pl.Int8))


def _check_match(labels: pl.DataFrame, predictions: pl.DataFrame, labels_path: Path, pred_dir: Path) -> None:
    counts = (
        labels.group_by("patient_id", maintain_order=True)
        .len("labelled")
        .join(
            predictions.group_by("patient_id", maintain_order=True).len("predicted"),
            on="patient_id",
            how="full",
            coalesce=True,
            maintain_order="left_right",
        )
    )
    hint = "write one prediction file per input file, one row per input row, in the same order"
    missing = counts.filter(pl.col("predicted").is_null())
    if missing.height:
        pid, n = missing["patient_id"][0], missing["labelled"][0]
        more = f" ({missing.height - 1} more patients lack one)" if missing.height > 1 else ""
        raise ReadError(
            f"no prediction file for patient {pid}, who has {n} rows in {labels_path.name}{more}",
            file=str(pred_dir / f"{pid}.psv"),
            hint=hint,
        )
    extra = counts.filter(pl.col("labelled").is_null())
    if extra.height:
        pid = extra["patient_id"][0]
        more = f" ({extra.height - 1} more files like it)" if extra.height > 1 else ""
        raise ReadError(
            f"patient {pid} has predictions but no labels in {labels_path.name}{more}",
            file=str(pred_dir / f"{pid}.psv"),
            hint="remove prediction files of other patients, or pass the labels they were made from",
        )
    differ = counts.filter(pl.col("labelled") != pl.col("predicted"))
    if differ.height:
        pid, n, m = differ.row(0)
        more = f" ({differ.height - 1} more patients differ)" if differ.height > 1 else ""
        raise ReadError(
            f"patient {pid} has {m} prediction rows but {n} rows in {labels_path.name}{more}",
            file=str(pred_dir / f"{pid}.psv"),
            hint=hint,
        )


def _notes(rows: pl.DataFrame) -> tuple[str, ...]:
    """The challenge's consistency warning: an alert whose probability is not above every non-alert's."""
    per_patient = rows.group_by("patient_id").agg(
        low_alert=pl.col("probability").filter(pl.col("prediction") == 1).min(),
        high_quiet=pl.col("probability").filter(pl.col("prediction") == 0).max(),
    )
    odd = per_patient.filter(pl.col("low_alert") <= pl.col("high_quiet")).sort("patient_id")
    if not odd.height:
        return ()
    return (
        f"{odd.height} patients (e.g. {odd['patient_id'][0]}) have an alert whose probability is not above "
        "every non-alert's; the utility, sensitivity and PPV use PredictedLabel, AUROC, AUPRC and "
        "calibration use PredictedProbability",
    )
