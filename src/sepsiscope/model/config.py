"""Training settings (``TrainConfig``) and the LightGBM parameters they map to.

The defaults are the shipped model's (docs/model-card.md says how they were chosen: by the
validation proxy that ranked independently measured results at another hospital in their
measured order). ``sepsiscope train`` mirrors them option for option.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sepsiscope.model.target import TARGETS, Target

Engine = Literal["embedded", "spark"]

#: Features whose risk can only rise with their value (``monotone``): the bedside scores sum
#: points that grow with organ dysfunction (SIRS, qSOFA, NEWS2, MEWS, SOFA and its parts;
#: shared/docs/clinical/adult-scores.md §3.3 for SOFA) and lactate, whose rise marks
#: hypoperfusion (adult-scores.md: SEP-1 organ dysfunction "lactate > 2 mmol/L", septic shock
#: "lactate ≥ 4"; pediatric-obstetric.md §1.5: Phoenix lactate points rise with lactate).
#: U-shaped physiology (heart rate, temperature, white cells, ...) is never constrained.
MONOTONE_INCREASING = (
    "lactate", "lactate__max24", "lactate__stay_max",
    "sirs_partial", "qsofa_partial", "news2_partial", "mews_partial", "sofa_total",
    "sofa_coagulation", "sofa_liver", "sofa_cardiovascular", "sofa_renal", "sofa__rise24",
)  # fmt: skip


@dataclass(frozen=True)
class TrainConfig:
    """Training settings; the defaults are the shipped model's."""

    features: str = "all-lab_trends"
    folds: int = 5
    seed: int = 2019
    rounds: int = 300
    early_stopping: bool = True
    patience: int = 30  # with early_stopping: stop a fold model after this many rounds without gain (0: never)
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 400
    feature_fraction: float = 0.5
    bagging_fraction: float = 0.8
    lambda_l2: float = 10.0
    monotone: bool = False
    bag: int = 3  # boosters per model, with different seeds, merged into one (model/bagging.py)
    # > 0: also fit on a copy of every stay with up to this share of its lab draws removed (model/augment.py)
    lab_thinning: float = 0.0
    negative_fraction: float = 0.25
    # what the boosters are fitted to: "label" (SepsisLabel) or "utility" (model/target.py)
    target: Target = "label"
    threads: int = 2
    alerts_per_patient_day: float | None = None
    threshold_rule: str = "utility"
    engine: Engine = "embedded"
    spark_master: str | None = None

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise ValueError(f"unknown training target {self.target!r}; choose from {', '.join(TARGETS)}")
        if self.target != "label" and self.lab_thinning > 0:
            raise ValueError("lab-thinned copies are fitted to the label; use them with target 'label'")

    def lgb_params(self, features: Sequence[str] = ()) -> dict[str, Any]:
        """LightGBM parameters (deterministic for a seed and thread count).

        With ``monotone``, the features of ``MONOTONE_INCREASING`` among ``features`` (the
        model's column order) may only raise the risk.
        """
        params: dict[str, Any] = {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            "max_bin": 127,
            "num_threads": self.threads,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
        }
        if self.monotone and features:
            params["monotone_constraints"] = [1 if f in MONOTONE_INCREASING else 0 for f in features]
            params["monotone_constraints_method"] = "intermediate"
        return params
