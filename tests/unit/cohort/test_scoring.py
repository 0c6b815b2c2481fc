"""Cohort scoring: same rules as the calculator, causal carry-forward, SOFA 24-h window."""

from __future__ import annotations

import polars as pl
import pytest

from sepsiscope.cohort import score_table
from sepsiscope.errors import ScoreInputError
from sepsiscope.scores.base import evaluate
from sepsiscope.scores.registry import SCORES
from sepsiscope.variables.registry import REGISTRY


def _table(**cols) -> pl.DataFrame:
    return pl.DataFrame(cols, strict=False)


def test_rows_and_order_are_kept() -> None:
    t = _table(patient_id=["b", "a", "b", "a"], hour=[2, 3, 1, 1], heart_rate=[100.0, 80.0, None, 95.0])
    out = score_table(t)
    assert out.select("patient_id", "hour").rows() == t.select("patient_id", "hour").rows()
    assert out.get_column("sirs_heart_rate").to_list() == [1, 0, None, 1]


def test_vital_carried_forward_for_its_max_age_only() -> None:
    max_age = REGISTRY["heart_rate"].carry_h
    hours = list(range(1, int(max_age) + 3))
    t = _table(patient_id=["a"] * len(hours), hour=hours, heart_rate=[120.0] + [None] * (len(hours) - 1))
    got = score_table(t, ["sirs"]).get_column("sirs_heart_rate").to_list()
    assert got == [1] * (int(max_age) + 1) + [None]


def test_never_carried_across_patients() -> None:
    t = _table(patient_id=["a", "b"], hour=[1, 2], heart_rate=[120.0, None])
    assert score_table(t, ["sirs"]).get_column("sirs_heart_rate").to_list() == [1, None]


def test_sofa_is_worst_of_the_last_24_hours_without_carry_forward() -> None:
    t = _table(
        patient_id=["a"] * 4,
        hour=[1, 10, 24, 25],
        platelets=[40.0, 120.0, None, None],
    )
    out = score_table(t, ["sofa"])
    # 40 at hour 1 (3 points) stays the worst until the window (t-24, t] drops it at hour 25.
    assert out.get_column("sofa_coagulation").to_list() == [3, 3, 3, 1]
    assert out.get_column("sofa_total").to_list() == [3, 3, 3, 1]
    assert "platelets" not in out.get_column("sofa_missing")[3].to_list()


def test_sofa_respiration_uses_fio2_current_at_the_gas() -> None:
    t = _table(
        patient_id=["a"] * 3,
        hour=[1, 2, 3],
        fio2=[0.5, None, None],
        pao2=[None, 90.0, None],
        ventilated=[True, None, None],
    )
    out = score_table(t, ["sofa"])
    assert out.get_column("sofa_respiration").to_list() == [None, 3, 3]


def test_cohort_equals_calculator_on_fully_measured_rows() -> None:
    row = {
        "heart_rate": 112.0,
        "resp_rate": 23.0,
        "temp_c": 38.4,
        "sbp": 98.0,
        "spo2": 93.0,
        "wbc": 13.0,
        "paco2": 35.0,
    }
    t = pl.DataFrame([{"patient_id": "a", "hour": 1, **row, "consciousness": "A", "supplemental_o2": False}])
    out = score_table(t).row(0, named=True)
    for name in ("sirs", "qsofa", "news2", "mews"):
        case = {**row, "consciousness": "A", "supplemental_o2": False}
        expected = evaluate(SCORES[name], case)
        for comp, pts in expected.components.items():
            assert out[f"{name}_{comp}"] == pts, (name, comp)
        assert out[f"{name}_total"] == expected.total
        assert out[f"{name}_missing"] == expected.missing


def test_partial_sum_and_missing_for_physionet_like_rows() -> None:
    t = _table(patient_id=["a"], hour=[1], heart_rate=[125.0], resp_rate=[26.0], sbp=[95.0], spo2=[91.0], temp_c=[39.5])
    out = score_table(t, ["news2"]).row(0, named=True)
    assert out["news2_total"] is None
    assert out["news2_partial"] == 2 + 3 + 2 + 3 + 2
    assert out["news2_risk"] == "high"
    assert out["news2_missing"] == ["consciousness", "supplemental_o2"]


def test_needs_keys_and_unique_hours() -> None:
    with pytest.raises(ScoreInputError, match="patient_id"):
        score_table(_table(hour=[1], heart_rate=[80.0]))
    with pytest.raises(ScoreInputError, match="duplicate"):
        score_table(_table(patient_id=["a", "a"], hour=[1, 1]))


@pytest.fixture(scope="module")
def ward() -> pl.DataFrame:
    from sepsiscope.synth import generate_ward

    return generate_ward(40, seed=11).table


@pytest.mark.parametrize("slice_rows", [1, 7, 100])
def test_slices_of_whole_patients_give_the_same_scores(
    ward: pl.DataFrame, slice_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sepsiscope.cohort.scoring as scoring

    whole = score_table(ward, sorted(scoring.SCORES))
    monkeypatch.setattr(scoring, "SLICE_ROWS", slice_rows)
    assert score_table(ward, sorted(scoring.SCORES)).equals(whole)


def test_slice_bounds_never_split_a_patient() -> None:
    from sepsiscope.cohort.scoring import slice_bounds
    from sepsiscope.cohort.timeseries import group_starts

    codes = pl.Series([0, 0, 0, 1, 2, 2, 3, 3, 3, 3]).to_numpy()
    start = group_starts(codes)
    for size in (1, 2, 3, 4, 10, 50):
        bounds = slice_bounds(start, size)
        assert bounds[0][0] == 0 and bounds[-1][1] == len(codes)
        assert all(hi == lo for (_, hi), (lo, _) in zip(bounds[:-1], bounds[1:], strict=False))
        assert all(start[lo] == lo for lo, _ in bounds)  # every slice opens on a patient's first row
    assert slice_bounds(start[:0], 5) == [(0, 0)]


def test_score_stream_equals_scoring_the_whole_table(ward: pl.DataFrame) -> None:
    from sepsiscope.cohort import score_stream

    ids = ward.get_column("patient_id").unique(maintain_order=True).to_list()
    parts = [ward.filter(pl.col("patient_id").is_in(ids[k : k + 7])) for k in range(0, len(ids), 7)]
    assert score_stream(iter(parts)).equals(score_table(pl.concat(parts)))
    with pytest.raises(KeyError):
        score_stream(iter(parts), ["no_such_score"])
    with pytest.raises(ScoreInputError):
        score_stream(iter([]))
