"""Model data: causal features + labels, and patient-level folds (never row-level)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import polars as pl

from sepsiscope.errors import ScoreInputError
from sepsiscope.features.build import build_features
from sepsiscope.model.config import Engine

__all__ = ["LABEL", "Engine", "ModelData", "features_matrix", "labels", "patient_folds"]

LABEL = "sepsis_label"


@dataclass(frozen=True)
class ModelData:
    """Feature matrix in input row order, with keys (and labels when training)."""

    X: np.ndarray
    features: list[str]
    patient_id: np.ndarray
    hour: np.ndarray
    y: np.ndarray | None


def _spark_features(table: pl.DataFrame, groups: Sequence[str], spark_master: str | None) -> pl.DataFrame:
    """The same ``build_features`` run per patient partition on Spark, back in input row order."""
    import tempfile

    from sepsiscope.cohort.spark import apply_by_patient, spark_session
    from sepsiscope.io.dataset import write_patient_dataset

    with tempfile.TemporaryDirectory(prefix="sepsiscope-features-") as tmp:
        write_patient_dataset(table, tmp, overwrite=True)
        session = spark_session(spark_master)
        built = apply_by_patient(session.read.parquet(tmp), partial(build_features, groups=tuple(groups)))
        frame = pl.from_arrow(built.toArrow())
    assert isinstance(frame, pl.DataFrame)
    order = table.select("patient_id", "hour").with_row_index("_row")
    return order.join(frame, on=["patient_id", "hour"], how="left").sort("_row").drop("_row")


def features_matrix(
    table: pl.DataFrame,
    groups: Sequence[str],
    features: Sequence[str] | None = None,
    *,
    engine: Engine = "embedded",
    spark_master: str | None = None,
) -> ModelData:
    """Build features without ever reading ``sepsis_label``; optionally in a fixed column order.

    ``engine="spark"`` computes the same features on Spark (sepsiscope.cohort.spark).
    """
    unlabeled = table.drop(LABEL, strict=False)
    if engine == "spark":
        return _as_matrix(_spark_features(unlabeled, groups, spark_master), features)
    parts = patient_chunks(unlabeled.get_column("patient_id").to_numpy(), CHUNK_ROWS)
    if len(parts) == 1:
        return _as_matrix(build_features(unlabeled, groups), features)
    X: np.ndarray | None = None
    names: list[str] = []
    for rows in parts:
        part = _as_matrix(build_features(unlabeled[rows], groups), features)
        if X is None:
            X, names = np.empty((unlabeled.height, part.X.shape[1]), dtype=np.float32), part.features
        X[rows] = part.X
    assert X is not None
    return ModelData(
        X, names, unlabeled.get_column("patient_id").to_numpy(), unlabeled.get_column("hour").to_numpy(), None
    )


#: Rows whose features are built at once. Whole patients per chunk give the same features as
#: one pass (every feature is per patient; tests/unit/model/test_fitting.py); the float64
#: intermediates of a chunk, not of the whole table, are what peak memory holds (set A, feature
#: set ``all``: ``sepsiscope train`` peaked at 4.0 GB with one pass; features alone: 1.6 GB in
#: 50,000-row chunks, of which 0.9 GB is the float32 matrix).
CHUNK_ROWS = 50_000


def patient_chunks(patient_id: np.ndarray, rows: int) -> list[np.ndarray]:
    """Row indices (input order) of consecutive groups of whole patients, about ``rows`` rows each."""
    uniq, inverse, counts = np.unique(patient_id, return_inverse=True, return_counts=True)
    if len(patient_id) <= rows:
        return [np.arange(len(patient_id))]
    chunk_of_patient = (np.cumsum(counts) - counts) // rows
    chunk = chunk_of_patient[inverse]
    order = np.argsort(chunk, kind="stable")
    bounds = np.searchsorted(chunk[order], np.arange(chunk_of_patient[-1] + 2))
    return [order[bounds[c] : bounds[c + 1]] for c in range(len(bounds) - 1) if bounds[c + 1] > bounds[c]]


def _as_matrix(frame: pl.DataFrame, features: Sequence[str] | None) -> ModelData:
    """Feature columns as a float32 matrix, in ``features`` order when given."""
    names = list(features) if features is not None else [c for c in frame.columns if c not in ("patient_id", "hour")]
    missing = [c for c in names if c not in frame.columns]
    if missing:
        raise ScoreInputError(f"features {missing[:5]} cannot be built from this table")
    X = frame.select(names).to_numpy(order="c").astype(np.float32, copy=False)
    return ModelData(
        X=X,
        features=names,
        patient_id=frame.get_column("patient_id").to_numpy(),
        hour=frame.get_column("hour").to_numpy(),
        y=None,
    )


def labels(table: pl.DataFrame) -> np.ndarray:
    """The ``sepsis_label`` column as 0/1 integers; training needs it complete."""
    if LABEL not in table.columns:
        raise ScoreInputError("training data needs a sepsis_label column (PhysioNet SepsisLabel)")
    y = table.get_column(LABEL)
    if y.null_count():
        raise ScoreInputError(f"sepsis_label has {y.null_count()} missing values")
    return y.cast(pl.Int8).to_numpy()


def patient_folds(patient_id: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k-1) per row; every row of a patient in the same fold."""
    uniq, inverse = np.unique(patient_id, return_inverse=True)
    rng = np.random.default_rng(seed)
    fold_of_patient = rng.permutation(len(uniq)) % k
    return fold_of_patient[inverse]  # type: ignore[no-any-return]
