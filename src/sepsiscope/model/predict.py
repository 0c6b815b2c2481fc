"""Predict sepsis risk for every patient-hour, using only that hour and earlier.

Features are causal (``sepsiscope.features``), so appending later rows never changes an
earlier prediction. ``sepsis_label`` is dropped before anything else: predictions cannot
depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.model.dataset import Engine, features_matrix
from sepsiscope.model.explain import explain_rows


@dataclass(frozen=True)
class Predictions:
    """Per input row: keys, calibrated probability and alert label; explanations for alerts."""

    frame: pl.DataFrame  # patient_id, hour, probability, label (input row order)
    explanations: list[dict[str, object]]


def predict_table(
    artifact: ModelArtifact,
    table: pl.DataFrame,
    *,
    explain: bool = False,
    engine: Engine = "embedded",
    spark_master: str | None = None,
) -> Predictions:
    """Score a wide table with a trained model (features on the embedded engine or Spark)."""
    data = features_matrix(
        table,
        artifact.feature_groups,
        artifact.features,
        engine=engine,
        spark_master=spark_master,  # type: ignore[arg-type]
    )
    probability = artifact.probabilities(data.X)
    label = (probability >= artifact.threshold).astype(np.int8)
    frame = pl.DataFrame({"patient_id": data.patient_id, "hour": data.hour, "probability": probability, "label": label})
    explanations: list[dict[str, object]] = []
    if explain:
        alerts = np.flatnonzero(label == 1)
        for row, reasons in zip(alerts, explain_rows(artifact, data.X[alerts]), strict=True):
            explanations.append(
                {
                    "patient_id": str(data.patient_id[row]),
                    "hour": int(data.hour[row]),
                    "probability": round(float(probability[row]), 4),
                    "reasons": [{"variable": r.variable, "contribution": round(r.contribution, 4), "text": r.text}
                                for r in reasons],
                }
            )  # fmt: skip
    return Predictions(frame, explanations)
