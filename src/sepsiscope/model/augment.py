"""Training-time augmentation: every stay again, as a hospital that draws labs less often would chart it.

Hospitals differ most in *how often* they measure, not in what a lactate of 4 means. A model
that learned one hospital's lab rhythm ("labs drawn every 4 h: this patient is sick") carries
that habit to a hospital with another rhythm. Augmentation shows the model each training stay
a second time with whole lab draws removed: for each patient a share ``d`` of the hours with
any lab result loses every lab value of that hour (vital signs, demographics and ICU columns
untouched), with ``d`` drawn per patient uniformly from ``[0, lab_thinning]``. Features are
then rebuilt from the thinned stay exactly as from a real one, so the copy is what the feature
code would see at such a hospital.

The copies only *fit* boosters. They are never scored, never used for early stopping,
calibration or the threshold (those see real stays only), and a copy is always in the same
fold as its original, so no patient is ever on both sides of a split. To keep memory low the
copy keeps all positive hours and the same seeded share of negative hours as the fitting does
(``negative_fraction``), with the same balancing weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from sepsiscope.features.build import LABS
from sepsiscope.model.dataset import CHUNK_ROWS, features_matrix, labels, patient_chunks


@dataclass(frozen=True)
class ExtraRows:
    """Fit-only training rows (augmented copies): features, labels, weights, and their patients and hours."""

    X: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    patient_id: np.ndarray
    hour: np.ndarray

    def of_patients(self, patients: np.ndarray) -> ExtraRows:
        """The rows of these patients only (a training part's copies)."""
        keep = np.isin(self.patient_id, np.unique(patients))
        return ExtraRows(self.X[keep], self.y[keep], self.weight[keep], self.patient_id[keep], self.hour[keep])

    def __len__(self) -> int:
        return len(self.y)


def copies_of(extra: ExtraRows | None, patients: np.ndarray) -> ExtraRows | None:
    """The copies of these patients (a training part's), or ``None`` when there is no augmentation."""
    return extra.of_patients(patients) if extra is not None else None


def thin_lab_draws(table: pl.DataFrame, max_drop: float, seed: int) -> pl.DataFrame:
    """Each patient loses a share ``d ~ U(0, max_drop)`` of their lab draws (all labs of an hour together)."""
    if not 0 < max_drop < 1:
        raise ValueError(f"lab thinning must be in (0, 1), got {max_drop}")
    rng = np.random.default_rng(seed)
    present = [c for c in LABS if c in table.columns]
    if not present or table.height == 0:
        return table
    pid = table.get_column("patient_id").to_numpy()
    _, inverse = np.unique(pid, return_inverse=True)
    drop_share = rng.uniform(0.0, max_drop, size=int(inverse.max()) + 1)[inverse]
    dropped = pl.Series(rng.random(table.height) < drop_share)
    return table.with_columns(pl.when(dropped).then(None).otherwise(pl.col(c)).alias(c) for c in present)


def augmented_rows(
    table: pl.DataFrame,
    groups: Sequence[str],
    features: Sequence[str],
    max_drop: float,
    negative_fraction: float,
    seed: int,
) -> ExtraRows:
    """Lab-thinned copies of every stay in ``table``: all positive hours, a seeded share of negative hours.

    Built patient-chunk by chunk (features in the column order ``features``), so only the kept
    rows of the copy are ever held in memory beside the real feature matrix.
    """
    thinned = thin_lab_draws(table, max_drop, seed)
    y_all = labels(thinned)
    rng = np.random.default_rng(seed + 1)
    keep = (y_all == 1) | (rng.random(len(y_all)) < negative_fraction)
    parts: list[np.ndarray] = []
    rows_kept: list[np.ndarray] = []
    for rows in patient_chunks(thinned.get_column("patient_id").to_numpy(), CHUNK_ROWS):
        rows = np.sort(rows)
        chosen = rows[keep[rows]]
        if not len(chosen):
            continue
        part = features_matrix(thinned[rows], groups, features).X
        parts.append(part[keep[rows]])
        rows_kept.append(chosen)
    index = np.concatenate(rows_kept) if rows_kept else np.zeros(0, dtype=np.int64)
    X = np.concatenate(parts) if parts else np.zeros((0, len(features)), dtype=np.float32)
    y = y_all[index]
    weight = np.where(y == 1, 1.0, 1.0 / negative_fraction)
    pid, hour = thinned.get_column("patient_id").to_numpy(), thinned.get_column("hour").to_numpy()
    return ExtraRows(X, y, weight, pid[index], hour[index])
