"""The peer's feature matrix on set A, for judging the peer on our validation proxies (issue 11).

The peer is prodrome 0.1.0 (PyPI, Apache-2.0; LightGBM on 205 causal features), measured at the
other hospital beside our models (model card, external table). This script runs *its own* feature
code, unchanged, on our parsed set-A table, so `validation_proxies.py run peer --matrix DIR` can
put the peer's features through the same designs as ours. It runs in a separate environment (the
peer needs pandas and is not a dependency of this project):

    python3 -m venv /tmp/pvenv && /tmp/pvenv/bin/pip install prodrome==0.1.0 polars
    .venv/bin/python benchmarks/peer_features.py tables /tmp/peer       # our venv: full + labs-halved tables
    /tmp/pvenv/bin/python benchmarks/peer_features.py build /tmp/peer   # peer venv: its features of both

Each ``<name>.parquet`` table becomes ``<name>.npz`` (X float32, features, patient_id, hour) in our
table's row order (checked). Nothing of this is imported by the package or the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl

#: Our canonical column -> the PhysioNet 2019 column the peer reads (same units: checked on set A).
PHYSIONET = {
    "heart_rate": "HR", "spo2": "O2Sat", "temp_c": "Temp", "sbp": "SBP", "map": "MAP", "dbp": "DBP",
    "resp_rate": "Resp", "etco2": "EtCO2", "base_excess": "BaseExcess", "hco3": "HCO3", "fio2": "FiO2",
    "ph": "pH", "paco2": "PaCO2", "sao2": "SaO2", "ast": "AST", "bun": "BUN", "alk_phos": "Alkalinephos",
    "calcium": "Calcium", "chloride": "Chloride", "creatinine": "Creatinine",
    "bilirubin_direct": "Bilirubin_direct", "glucose": "Glucose", "lactate": "Lactate",
    "magnesium": "Magnesium", "phosphate": "Phosphate", "potassium": "Potassium",
    "bilirubin_total": "Bilirubin_total", "troponin_i": "TroponinI", "hct": "Hct", "hgb": "Hgb",
    "ptt": "PTT", "wbc": "WBC", "fibrinogen": "Fibrinogen", "platelets": "Platelets",
    "age_years": "Age", "hosp_adm_time_h": "HospAdmTime", "iculos_h": "ICULOS",
}  # fmt: skip


def tables(out: Path) -> None:
    """Our venv: write the set-A table and its labs-halved copy (the chosen proxy's, same seed)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import setA_cache
    import validation_proxies

    from sepsiscope.model.validation.shifts import thin_labs

    out.mkdir(parents=True, exist_ok=True)
    table = setA_cache.table()
    table.write_parquet(out / "full.parquet")
    thin_labs(table, validation_proxies.LAB_KEEP, seed=7).write_parquet(out / "thinned.parquet")


def build(out: Path) -> None:
    """Peer venv: the peer's ``CausalFeatures`` (its defaults) of each table."""
    from prodrome.features.causal import CausalFeatures

    for name in ("full", "thinned"):
        table = pl.read_parquet(out / f"{name}.parquet")
        frame = (
            table.rename(PHYSIONET)
            .with_columns(
                site=pl.lit("A"),
                Gender=(pl.col("sex") == "male").cast(pl.Float64),
                Unit1=pl.col("unit_micu").cast(pl.Float64),
                Unit2=pl.col("unit_sicu").cast(pl.Float64),
                SepsisLabel=pl.col("sepsis_label"),
            )
            .to_pandas()
        )
        matrix = CausalFeatures().build(frame)
        rows = np.repeat(matrix.patient_id, np.diff(matrix.starts)).astype(str)
        if not np.array_equal(rows, table.get_column("patient_id").to_numpy().astype(str)):
            raise SystemExit(f"{name}: the peer's rows are not in our table's order")
        np.savez(
            out / f"{name}.npz",
            X=matrix.values,
            features=np.array(matrix.columns),
            patient_id=rows,
            hour=table.get_column("hour").to_numpy(),
        )
        print(name, matrix.values.shape, flush=True)


if __name__ == "__main__":
    command, directory = sys.argv[1], Path(sys.argv[2])
    {"tables": tables, "build": build}[command](directory)
