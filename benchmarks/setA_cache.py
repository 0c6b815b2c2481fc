"""Set A parsed once and cached in /tmp (Parquet table, npz feature matrices) for model experiments.

The zip is read in place; nothing is copied into the repository. Delete /tmp/sepsiscope-setA to rebuild
(``SEPSISCOPE_SETA_CACHE`` names another directory, e.g. for features built by changed code).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import polars as pl

from sepsiscope.features.build import feature_groups
from sepsiscope.io import read_any
from sepsiscope.model.dataset import ModelData, features_matrix

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"
CACHE = Path(os.environ.get("SEPSISCOPE_SETA_CACHE", "/tmp/sepsiscope-setA"))


def table() -> pl.DataFrame:
    """The parsed set-A wide table (read once, then from Parquet)."""
    path = CACHE / "table.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        read_any(SET_A).table.write_parquet(path)
    return pl.read_parquet(path)


def features(name: str, frame: pl.DataFrame | None = None) -> ModelData:
    """Feature matrix of a named feature set on set A, cached as npz (key: the set's name)."""
    path = CACHE / f"features-{name.replace('+', '_')}.npz"
    if not path.exists():
        data = features_matrix(frame if frame is not None else table(), feature_groups(name))
        np.savez(
            path, X=data.X, features=np.array(data.features), patient_id=data.patient_id.astype(str), hour=data.hour
        )
    z = np.load(path, allow_pickle=False)
    return ModelData(z["X"], [str(f) for f in z["features"]], z["patient_id"], z["hour"], None)


if __name__ == "__main__":
    t = table()
    for n in ("physiology", "all"):
        d = features(n, t)
        print(n, d.X.shape)
