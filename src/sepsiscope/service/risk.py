"""The early-warning model's risk for one patient's hours, with reasons for the latest hour.

Uses the model layer's own feature builder, calibration, threshold and explanations, so
the service's risk equals ``sepsiscope predict`` on the same hours. The model was trained
on adults (docs/model-card.md: set A ages 18-89); for a child it gives no risk, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.model.dataset import features_matrix
from sepsiscope.model.explain import explain_rows

NOT_FOR_CHILDREN = "the early-warning model is for adults (18+); no risk is given for a child"


@dataclass(frozen=True)
class RiskSeries:
    """Per row of the hourly table: calibrated probability and alert; reasons for the last row."""

    probability: np.ndarray
    alert: np.ndarray
    threshold: float
    last_reasons: list[dict[str, object]]


def risk_series(artifact: ModelArtifact, table: object) -> RiskSeries:
    """Probabilities for every row of one patient's hourly table (rows in hour order)."""
    import polars as pl

    assert isinstance(table, pl.DataFrame)
    data = features_matrix(table, artifact.feature_groups, artifact.features)
    probability = artifact.probabilities(data.X)
    alert = probability >= artifact.threshold
    reasons = explain_rows(artifact, data.X[-1:])[0] if len(data.X) else []
    return RiskSeries(
        probability,
        alert,
        artifact.threshold,
        [{"variable": r.variable, "text": r.text, "contribution": round(r.contribution, 4)} for r in reasons],
    )
