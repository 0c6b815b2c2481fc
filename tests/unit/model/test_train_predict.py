"""Train and predict on a small synthetic ward: causality, determinism, label blindness, artifacts."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app
from sepsiscope.errors import ModelArtifactError
from sepsiscope.features.build import FEATURES_VERSION, LAB_TREND_COLUMNS
from sepsiscope.io.predictions import read_prediction_dir
from sepsiscope.model.artifact import ModelArtifact, load_default
from sepsiscope.model.predict import predict_table
from sepsiscope.model.train import TrainConfig, train
from sepsiscope.synth import generate_ward, to_psv_folder

CONFIG = TrainConfig(
    folds=3, rounds=25, min_data_in_leaf=20, negative_fraction=0.5, seed=3, early_stopping=False, patience=0, bag=1
)


def labelled_ward(n: int = 80, seed: int = 5) -> pl.DataFrame:
    ward = generate_ward(n, 48, seed=seed)
    onset = ward.truth.select("patient_id", "onset_hour")
    return (
        ward.table.join(onset, on="patient_id", how="left", maintain_order="left")
        .with_columns(
            sepsis_label=(pl.col("onset_hour").is_not_null() & (pl.col("hour") >= pl.col("onset_hour") - 6)).cast(
                pl.Int8
            )
        )
        .drop("onset_hour")
    )


@pytest.fixture(scope="module")
def trained():
    return train(labelled_ward(), CONFIG)


def test_training_learns_something_and_reports_cv(trained) -> None:
    cv = trained.cv
    assert cv["auroc"] > 0.75
    assert 0 < trained.artifact.threshold < 1
    assert trained.artifact.threshold_rule == "maximum out-of-fold normalized utility"
    assert trained.oof_probability.shape == trained.y.shape


def test_same_seed_same_model(trained) -> None:
    again = train(labelled_ward(), CONFIG)
    assert again.artifact.booster.model_to_string() == trained.artifact.booster.model_to_string()
    assert again.artifact.calibration == trained.artifact.calibration
    assert again.artifact.threshold == trained.artifact.threshold
    table = labelled_ward(20, seed=9)
    a = predict_table(trained.artifact, table).frame
    b = predict_table(again.artifact, table).frame
    assert a.equals(b)


def test_appending_future_rows_never_changes_earlier_predictions(trained) -> None:
    table = labelled_ward(15, seed=11)
    cut = table.filter(pl.col("hour") <= 30)
    full = predict_table(trained.artifact, table).frame.filter(pl.col("hour") <= 30)
    part = predict_table(trained.artifact, cut).frame
    np.testing.assert_array_equal(full.get_column("probability").to_numpy(), part.get_column("probability").to_numpy())


def test_predict_never_reads_the_label(trained) -> None:
    table = labelled_ward(15, seed=12)
    garbled = table.with_columns(pl.lit(1, dtype=pl.Int8).alias("sepsis_label"))
    without = table.drop("sepsis_label")
    a = predict_table(trained.artifact, table).frame
    assert a.equals(predict_table(trained.artifact, garbled).frame)
    assert a.equals(predict_table(trained.artifact, without).frame)


def test_artifact_round_trip(trained, tmp_path) -> None:
    trained.artifact.save(tmp_path / "m")
    loaded = ModelArtifact.load(tmp_path / "m")
    table = labelled_ward(10, seed=13)
    assert predict_table(loaded, table).frame.equals(predict_table(trained.artifact, table).frame)
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["metadata"]["trained_on"]["rows"] == trained.y.size


@pytest.mark.parametrize("written", [None, 1])
def test_a_model_trained_on_other_feature_definitions_refuses_to_load(trained, tmp_path, written) -> None:
    """Features version 1 (or a model.json from before versions were written) against this code's version."""
    trained.artifact.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["features_version"] == FEATURES_VERSION
    if written is None:
        del meta["features_version"]
    else:
        meta["features_version"] = written
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    with pytest.raises(
        ModelArtifactError,
        match=f"features version 1, but this sepsiscope computes version {FEATURES_VERSION}.*retrain",
    ):
        ModelArtifact.load(tmp_path / "m")


def test_a_model_from_before_lab_trends_were_a_group_still_loads_and_predicts_the_same(tmp_path) -> None:
    """Such a model lists only ``physiology`` (which then held the lab trends) but uses their columns."""
    ward = labelled_ward(30, seed=8)
    with_trends = train(ward, replace(CONFIG, features="all")).artifact
    assert with_trends.feature_groups == ["physiology", "lab_trends", "measurement", "context"]
    assert LAB_TREND_COLUMNS <= set(with_trends.features)
    with_trends.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    meta["feature_groups"] = ["physiology", "measurement", "context"]  # as written before the split
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    old = ModelArtifact.load(tmp_path / "m")
    assert old.feature_groups == with_trends.feature_groups
    np.testing.assert_array_equal(
        predict_table(old, ward).frame.get_column("probability").to_numpy(),
        predict_table(with_trends, ward).frame.get_column("probability").to_numpy(),
    )


def test_explanations_name_variables_in_words(trained) -> None:
    table = labelled_ward(30, seed=14)
    preds = predict_table(trained.artifact, table, explain=True)
    assert preds.explanations, "expected some alerts on a ward with septic patients"
    first = preds.explanations[0]
    assert first["reasons"] and all(r["contribution"] > 0 for r in first["reasons"])
    assert all(isinstance(r["text"], str) and "__" not in r["text"] for r in first["reasons"])


def test_cli_train_predict_round_trip(tmp_path) -> None:
    ward = generate_ward(40, 36, seed=21)
    to_psv_folder(ward, tmp_path / "psv")
    runner = CliRunner()
    res = runner.invoke(app, ["train", str(tmp_path / "psv"), "--out", str(tmp_path / "m"), "--folds", "2",
                              "--rounds", "10"])  # fmt: skip
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["predict", str(tmp_path / "psv"), "--model", str(tmp_path / "m"), "--out",
                              str(tmp_path / "pred"), "--explain"])  # fmt: skip
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in (tmp_path / "pred").glob("*.psv"))
    assert files == sorted(p.name for p in (tmp_path / "psv").glob("*.psv"))
    header = (tmp_path / "pred" / files[0]).read_text().splitlines()[0]
    assert header == "PredictedProbability|PredictedLabel"
    preds = read_prediction_dir(tmp_path / "pred")
    assert preds.height == ward.table.height


def test_default_model_ships_and_loads() -> None:
    """The shipped model is what docs/model-card.md says: set A, feature set ``all-lab_trends``, utility threshold."""
    model = load_default()
    config = model.metadata["config"]
    assert model.features and model.metadata["trained_on"]["patients"] == 20_336
    assert model.feature_groups == ["physiology", "measurement", "context"]
    assert {"iculos_h", "lactate__hours_since", "lactate"} <= set(model.features)
    assert not LAB_TREND_COLUMNS.intersection(model.features) and len(model.features) == 203
    assert config["features"] == "all-lab_trends" and config["threshold_rule"] == "utility"
    assert model.threshold_rule == "maximum out-of-fold normalized utility"
    # TrainConfig fields added after the shipped model was trained, at the value it was trained with
    added_since = {"target": "label"}
    assert {**added_since, **config} == asdict(TrainConfig()), "the shipped model is trained with the defaults"


def test_cli_predict_on_files_without_sepsis_label(trained, tmp_path) -> None:
    """Test-time files have no SepsisLabel column; predictions equal those on labelled files."""
    ward = generate_ward(6, 30, seed=31)
    to_psv_folder(ward, tmp_path / "labelled")
    (tmp_path / "unlabeled").mkdir()
    for f in (tmp_path / "labelled").glob("*.psv"):
        lines = f.read_text().splitlines()
        (tmp_path / "unlabeled" / f.name).write_text("".join(x.rsplit("|", 1)[0] + "\n" for x in lines))
    trained.artifact.save(tmp_path / "m")
    runner = CliRunner()
    for name in ("labelled", "unlabeled"):
        res = runner.invoke(app, ["predict", str(tmp_path / name), "--model", str(tmp_path / "m"), "--out",
                                  str(tmp_path / f"pred_{name}")])  # fmt: skip
        assert res.exit_code == 0, res.output
    assert read_prediction_dir(tmp_path / "pred_labelled").equals(read_prediction_dir(tmp_path / "pred_unlabeled"))


def test_early_stopping_chooses_rounds_from_grouped_folds() -> None:
    config = replace(CONFIG, rounds=60, early_stopping=True)
    result = train(labelled_ward(), config)
    rounds = result.artifact.metadata["final_rounds"]
    assert 1 <= rounds <= 60
    assert result.artifact.booster.num_trees() == rounds
    assert train(labelled_ward(), config).artifact.metadata["final_rounds"] == rounds
    assert train(labelled_ward(), CONFIG).artifact.metadata["final_rounds"] == CONFIG.rounds


@pytest.mark.parametrize("feature_set", ["physiology", "all", "all+baseline"])
def test_every_feature_group_is_described_in_words(feature_set) -> None:
    from sepsiscope.features.build import feature_groups
    from sepsiscope.model.dataset import features_matrix
    from sepsiscope.model.explain import _base, describe

    data = features_matrix(labelled_ward(6, seed=2), feature_groups(feature_set))
    groups = sorted({_base(f) for f in data.features})
    for r in (0, len(data.X) // 2, len(data.X) - 1):
        row = {f: float(v) for f, v in zip(data.features, data.X[r], strict=True)}
        for g in groups:
            text = describe(g, row)
            assert "_" not in text and "nan" not in text.lower(), (g, text)


@pytest.mark.parametrize(
    ("variable", "row", "text"),
    [
        ("iculos_h", {"iculos_h": 40.0}, "40 h in the ICU so far"),
        ("hosp_adm_time_h", {"hosp_adm_time_h": -3.0}, "admitted to hospital 3 h before the ICU"),
        ("hosp_adm_time_h", {"hosp_adm_time_h": float("nan")}, "time from hospital to ICU admission unknown"),
        ("unit_micu", {"unit_micu": 1.0}, "in medical ICU"),
        ("unit_sicu", {"unit_sicu": 0.0}, "not in surgical ICU"),
        ("unit_sicu", {"unit_sicu": float("nan")}, "ICU type not recorded (surgical ICU unknown)"),
        (
            "heart_rate",
            {"heart_rate": 100.0, "heart_rate__hours_since": 3.0},
            "heart rate 100 /min, last charted 3 h ago",
        ),
        (
            "heart_rate",
            {"heart_rate": 120.0, "heart_rate__vs_first6": 35.0, "heart_rate__hours_since": 0.0},
            "heart rate 120 /min, +35 from the patient's first 6 h, last charted 0 h ago",
        ),
        ("lactate", {"lactate": 3.5, "lactate__vs_first": -1.5}, "lactate 3.5 mmol/L, -1.5 from the first value"),
        ("lactate", {"lactate": 3.5, "lactate__vs_first": 0.0}, "lactate 3.5 mmol/L"),
        ("lactate", {"lactate": float("nan"), "lactate__hours_since": float("nan")}, "lactate not yet measured"),
    ],
)
def test_context_and_charting_phrases(variable, row, text) -> None:
    from sepsiscope.model.explain import describe

    assert describe(variable, row) == text
