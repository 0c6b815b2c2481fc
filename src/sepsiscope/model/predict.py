"""Predict sepsis risk for every patient-hour, using only that hour and earlier.

Features are causal (``sepsiscope.features``), so appending later rows never changes an
earlier prediction. ``sepsis_label`` is dropped before anything else: predictions cannot
depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sepsiscope.errors import ModelArtifactError
from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.model.dataset import Engine, features_matrix
from sepsiscope.model.explain import explain_rows


@dataclass(frozen=True)
class Predictions:
    """Per input row: keys, calibrated probability and alert label; explanations for alerts.

    With abstention, ``frame`` also has ``indeterminate`` (no alert on those hours) and
    ``indeterminate`` lists each such hour with its reason.
    """

    frame: pl.DataFrame  # patient_id, hour, probability, label[, indeterminate] (input row order)
    explanations: list[dict[str, object]]
    indeterminate: list[dict[str, object]] = field(default_factory=list)


def predict_table(
    artifact: ModelArtifact,
    table: pl.DataFrame,
    *,
    explain: bool = False,
    abstain: bool = False,
    engine: Engine = "embedded",
    spark_master: str | None = None,
) -> Predictions:
    """Score a wide table with a trained model (features on the embedded engine or Spark).

    ``abstain``: hours whose inputs are far from the training data (the model's conformal
    check, ``sepsiscope.model.abstain``) are indeterminate: no alert, and a reason.
    """
    if abstain and artifact.abstention is None:
        raise ModelArtifactError("this model has no abstention check (trained before it existed): retrain it")
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
    indeterminate: list[dict[str, object]] = []
    if abstain:
        assert artifact.abstention is not None
        unsure = artifact.abstention.indeterminate(data.X, artifact.features)
        label[unsure] = 0
        frame = frame.with_columns(pl.Series("label", label), pl.Series("indeterminate", unsure))
        rows = np.flatnonzero(unsure)
        for row, reason in zip(rows, artifact.abstention.reasons(data.X[rows], artifact.features), strict=True):
            indeterminate.append({"patient_id": str(data.patient_id[row]), "hour": int(data.hour[row]),
                                  "reason": reason})  # fmt: skip
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
    return Predictions(frame, explanations, indeterminate)
