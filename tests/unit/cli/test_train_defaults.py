"""`sepsiscope train` with no options trains TrainConfig's defaults (the shipped model's settings)."""

from __future__ import annotations

import inspect
from dataclasses import fields

from sepsiscope.cli.model import train
from sepsiscope.model.train import TrainConfig

MIRRORED = (
    "features", "folds", "seed", "rounds", "early_stopping", "patience", "alerts_per_patient_day", "threshold_rule",
    "bag", "lab_thinning", "engine",
)  # fmt: skip


def test_cli_train_defaults_mirror_train_config() -> None:
    cli = inspect.signature(train).parameters
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    for name in MIRRORED:
        assert cli[name].default == defaults[name], name
