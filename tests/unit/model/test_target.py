"""What boosters are fitted to: the label, or the utility's per-hour decision (model/target.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from sepsiscope.model.config import TrainConfig
from sepsiscope.model.fitting import sample_rows
from sepsiscope.model.target import fit_target
from sepsiscope.model.train import train
from sepsiscope.model.utility import CHALLENGE_2019, onset_index, row_utilities
from tests.unit.model.test_train_predict import CONFIG, labelled_ward

# One septic stay: first labelled hour at row 20, so t_sepsis = 26 and row r sits at d = r - 26;
# 34 rows reach d = +7 (past the utility's +3 h); then a stay that never becomes septic.
SEPTIC = np.array([0] * 20 + [1] * 14)
QUIET = np.zeros(5, dtype=int)
Y = np.concatenate([SEPTIC, QUIET])
PID = np.array(["s"] * len(SEPTIC) + ["q"] * len(QUIET))

# (hours from onset d, fitted value, weight = |U(alert) - U(no alert)| / 0.05); Reyna 2020 Fig. 2
# and the challenge's compute_prediction_utility: u_tp rises 0 -> 1 over [-12, -6], then falls
# to 0 at +3 while u_fn falls 0 -> -2; u_fp = -0.05 before -12; nothing after +3.
CASES = [
    (-26, 0, 1.0),  # long before onset: a false alarm costs 0.05, like a never-septic hour
    (-13, 0, 1.0),
    (-12, 0, 0.0),  # u_tp = 0 = u_fn: nothing to learn
    (-11, 1, 20 / 6),  # early window, label still 0: alerting gains 1/6
    (-7, 1, 100 / 6),
    (-6, 1, 20.0),  # first labelled hour: gain 1
    (0, 1, 20 * (1 / 3 + 4 / 3)),  # u_tp 1/3, u_fn -4/3
    (3, 1, 40.0),  # u_tp 0, u_fn -2
    (4, 0, 0.0),  # labelled positive, but the utility no longer counts the hour
    (7, 0, 0.0),
]


@pytest.mark.parametrize(("d", "fitted", "weight"), CASES)
def test_utility_target_per_hour(d: int, fitted: int, weight: float) -> None:
    target = fit_target("utility", Y, PID)
    row = d + 26
    assert target.y[row] == fitted
    assert target.weight is not None and target.weight[row] == pytest.approx(weight)


def test_utility_target_is_the_utility_gain_and_never_septic_hours_weigh_one() -> None:
    target = fit_target("utility", Y, PID)
    u_alert, u_quiet, _ = row_utilities(onset_index(Y.astype(bool), PID, CHALLENGE_2019), CHALLENGE_2019)
    gain = u_alert - u_quiet
    assert target.weight is not None
    assert np.allclose(np.where(target.y == 1, 1, -1) * target.weight * 0.05, np.where(gain == 0, 0, gain))
    assert (target.y[PID == "q"] == 0).all() and (target.weight[PID == "q"] == 1).all()


def test_label_target_is_the_label_unweighted() -> None:
    target = fit_target("label", Y, PID)
    assert target.y is Y or np.array_equal(target.y, Y)
    assert target.weight is None


def test_unknown_target_and_copies_with_the_utility_target_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown training target"):
        fit_target("sofa", Y, PID)
    with pytest.raises(ValueError, match="unknown training target"):
        TrainConfig(target="sofa")
    with pytest.raises(ValueError, match="lab-thinned copies"):
        TrainConfig(target="utility", lab_thinning=0.5)


def test_row_weights_multiply_and_zero_weight_rows_are_never_fitted() -> None:
    rows = np.arange(len(Y))
    target = fit_target("utility", Y, PID)
    assert target.weight is not None
    plain, plain_w = sample_rows(target.y, rows, 0.5, np.random.default_rng(3))
    chosen, weight = sample_rows(target.y, rows, 0.5, np.random.default_rng(3), target.weight)
    kept = target.weight[plain] > 0
    assert np.array_equal(chosen, plain[kept])  # the same sample, less the rows that weigh nothing
    assert np.allclose(weight, plain_w[kept] * target.weight[chosen])
    assert (weight > 0).all()


@pytest.fixture(scope="module")
def ward() -> pl.DataFrame:
    return labelled_ward(60, seed=5)


def test_training_on_the_utility_target_is_deterministic_and_recorded(ward: pl.DataFrame) -> None:
    config = replace(CONFIG, target="utility")
    first, second = train(ward, config), train(ward, config)
    text = first.artifact.booster.model_to_string()
    assert text == second.artifact.booster.model_to_string()
    assert text != train(ward, CONFIG).artifact.booster.model_to_string()
    assert first.artifact.metadata["config"]["target"] == "utility"
    assert ((first.oof_probability >= 0) & (first.oof_probability <= 1)).all()  # calibrated on the label


def test_cli_refuses_copies_with_the_utility_target_before_reading(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from sepsiscope.cli import app

    missing = tmp_path / "no-such-dir"  # never read: the options are refused first
    res = CliRunner().invoke(
        app, ["train", str(missing), "--out", str(tmp_path / "m"), "--target", "utility", "--lab-thinning", "0.5"]
    )
    assert res.exit_code == 2
    assert "lab-thinned copies" in res.output
