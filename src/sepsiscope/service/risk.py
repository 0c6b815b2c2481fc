"""The early-warning model's risk for patients' hours, with reasons for the latest hour.

Uses the model layer's own feature builder, calibration, threshold and explanations, so
the service's risk equals ``sepsiscope predict`` on the same hours. The model was trained
on adults (docs/model-card.md: set A ages 18-89); for a child it gives no risk, and says why.

Features and probabilities are per row (each row reads only its own patient's earlier rows),
so the scorer computes them for many patients in one call (:func:`ward_risk`) and gets for
each patient exactly what :func:`risk_series` gives for that patient alone. The reasons (the
model's explanation of the latest hour) cost more than the probability; they are computed
only where they are shown: ``GET /patients/{id}``, and an alert whose reason is the model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.model.dataset import features_matrix
from sepsiscope.model.explain import explain_rows

NOT_FOR_CHILDREN = "the early-warning model is for adults (18+); no risk is given for a child"


@dataclass(frozen=True)
class RiskSeries:
    """Per row of the hourly table: calibrated probability and alert; reasons for the last row.

    ``last_reasons`` is None until :meth:`explained` computes them from ``last_features``.
    """

    probability: np.ndarray
    alert: np.ndarray
    threshold: float
    last_reasons: list[dict[str, object]] | None
    last_features: np.ndarray | None = None

    def explained(self, artifact: ModelArtifact) -> RiskSeries:
        """The same series with the reasons of its last row."""
        if self.last_reasons is not None:
            return self
        reasons = explain_rows(artifact, self.last_features)[0] if self.last_features is not None else []
        return replace(self, last_reasons=[
            {"variable": r.variable, "text": r.text, "contribution": round(r.contribution, 4)} for r in reasons
        ])  # fmt: skip


def _series(artifact: ModelArtifact, probability: np.ndarray, X: np.ndarray) -> RiskSeries:
    last = X[-1:] if len(X) else None
    return RiskSeries(probability, probability >= artifact.threshold, artifact.threshold, None, last)


def risk_series(artifact: ModelArtifact, table: pl.DataFrame, *, explain: bool = True) -> RiskSeries:
    """Probabilities for every row of one patient's hourly table (rows in hour order)."""
    data = features_matrix(table, artifact.feature_groups, artifact.features)
    series = _series(artifact, artifact.probabilities(data.X), data.X)
    return series.explained(artifact) if explain else series


def ward_risk(artifact: ModelArtifact, table: pl.DataFrame, spans: dict[str, tuple[int, int]]) -> dict[str, RiskSeries]:
    """:func:`risk_series` (without reasons) of each patient of a stacked table, in one pass.

    ``spans`` gives each patient's ``[lo, hi)`` rows of ``table``; only those patients are scored.
    """
    if not spans:
        return {}
    ranges = sorted(spans.items(), key=lambda kv: kv[1][0])
    parts = [table.slice(lo, hi - lo) for _pid, (lo, hi) in ranges]
    stacked = parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")
    data = features_matrix(stacked, artifact.feature_groups, artifact.features)
    probability = artifact.probabilities(data.X)
    out, at = {}, 0
    for pid, (lo, hi) in ranges:
        n = hi - lo
        out[pid] = _series(artifact, probability[at : at + n], data.X[at : at + n])
        at += n
    return out
