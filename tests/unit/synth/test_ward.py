"""Synthetic ward generator: deterministic, schema-true, in range, clinically coherent."""

from __future__ import annotations

import dataclasses
import math
import re

import polars as pl
import pytest

from sepsiscope.cohort import score_table
from sepsiscope.synth import PHYSIONET_HEADER, TRAJECTORIES, SyntheticWard, generate_ward, to_psv_folder
from sepsiscope.variables.registry import REGISTRY

HOURS = 48
SEEDS = (0, 1, 2)

FLOAT_COLUMNS = (
    "heart_rate",
    "resp_rate",
    "temp_c",
    "sbp",
    "dbp",
    "map",
    "spo2",
    "fio2",
    "pao2",
    "paco2",
    "wbc",
    "platelets",
    "creatinine",
    "bilirubin_total",
    "lactate",
    "gcs",
    "norepinephrine",
    "age_years",
)
EXPECTED_DTYPES = {
    "patient_id": pl.Utf8,
    "hour": pl.Int32,
    **dict.fromkeys(FLOAT_COLUMNS, pl.Float64),
    "consciousness": pl.Utf8,
    "supplemental_o2": pl.Boolean,
    "ventilated": pl.Boolean,
    "sex": pl.Utf8,
}


@pytest.fixture(scope="module", params=SEEDS)
def ward(request: pytest.FixtureRequest) -> SyntheticWard:
    return generate_ward(40, HOURS, seed=request.param)


@pytest.fixture(scope="module")
def scored(ward: SyntheticWard) -> pl.DataFrame:
    """NEWS2 per patient-hour with the truth joined on."""
    news2 = score_table(ward.table, ["news2"]).select("patient_id", "hour", "news2_partial")
    return news2.join(ward.truth, on="patient_id", how="left")


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_output() -> None:
    a, b = generate_ward(12, 30, seed=42), generate_ward(12, 30, seed=42)
    assert a.table.equals(b.table)
    assert a.truth.equals(b.truth)


def test_different_seed_gives_different_output() -> None:
    a, b = generate_ward(12, 30, seed=1), generate_ward(12, 30, seed=2)
    assert not a.table.equals(b.table)


def test_result_is_frozen() -> None:
    w = generate_ward(2, 24, seed=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.table = w.table.head(1)  # type: ignore[misc]


# --------------------------------------------------------------------------- schema


def test_schema_and_dtypes(ward: SyntheticWard) -> None:
    for name, dtype in EXPECTED_DTYPES.items():
        assert name in ward.table.columns, name
        assert ward.table.schema[name] == dtype, name
    for name in ward.table.columns:
        assert name in ("patient_id", "hour") or name in REGISTRY, f"{name} is not a canonical variable"
    assert ward.truth.schema == pl.Schema(
        {
            "patient_id": pl.Utf8,
            "trajectory": pl.Utf8,
            "onset_hour": pl.Int32,
            "shock_hour": pl.Int32,
            "bed": pl.Utf8,
            "label": pl.Utf8,
        }
    )


def test_missing_is_null_never_nan(ward: SyntheticWard) -> None:
    for name, dtype in ward.table.schema.items():
        if dtype == pl.Float64:
            assert not ward.table.get_column(name).is_nan().any(), name


def test_rows_sorted_and_hours_strictly_increasing(ward: SyntheticWard) -> None:
    t = ward.table
    assert t.height == 40 * HOURS
    assert t.select("patient_id", "hour").equals(t.select("patient_id", "hour").sort("patient_id", "hour"))
    per = t.group_by("patient_id").agg(
        pl.col("hour").diff().drop_nulls().min().alias("min_step"),
        pl.col("hour").min().alias("first"),
        pl.col("hour").max().alias("last"),
        pl.len().alias("n"),
    )
    assert per.get_column("min_step").min() == 1  # strictly increasing integers
    assert set(per.get_column("first")) == {1}
    assert set(per.get_column("last")) == {HOURS}
    assert set(per.get_column("n")) == {HOURS}
    assert not t.select(pl.struct("patient_id", "hour").is_duplicated().any()).item()


def test_demographics_constant_and_plausible(ward: SyntheticWard) -> None:
    per = ward.table.group_by("patient_id").agg(pl.col("age_years").n_unique(), pl.col("sex").n_unique())
    assert set(per.get_column("age_years")) == {1}
    assert set(per.get_column("sex")) == {1}
    ages = ward.table.get_column("age_years")
    assert ages.null_count() == 0 and 18 <= ages.min() and ages.max() <= 95
    assert set(ward.table.get_column("sex").unique()) <= {"female", "male"}


def test_truth_matches_table(ward: SyntheticWard) -> None:
    truth = ward.truth
    assert (
        truth.get_column("patient_id").to_list()
        == ward.table.get_column("patient_id").unique(maintain_order=True).to_list()
    )
    assert set(truth.get_column("trajectory")) <= set(TRAJECTORIES)
    stable = truth.filter(pl.col("trajectory") == "stable")
    assert stable.get_column("onset_hour").null_count() == stable.height
    septic = truth.filter(pl.col("trajectory") != "stable")
    assert septic.get_column("onset_hour").null_count() == 0
    assert septic.get_column("onset_hour").min() >= 8 and septic.get_column("onset_hour").max() <= HOURS - 6
    shock = truth.filter(pl.col("trajectory") == "septic_shock")
    assert truth.filter(pl.col("trajectory") != "septic_shock").get_column("shock_hour").null_count() == (
        truth.height - shock.height
    )
    assert (shock.get_column("shock_hour") > shock.get_column("onset_hour")).all()
    beds = truth.get_column("bed").to_list()
    assert len(set(beds)) == len(beds) and all(re.fullmatch(r"Bed \d{2}", b) for b in beds)
    assert all(re.fullmatch(r"[A-Za-z ,-]+, day \d", label) for label in truth.get_column("label"))


# --------------------------------------------------------------------------- plausibility


def test_every_value_inside_its_registry_range(ward: SyntheticWard) -> None:
    checked = 0
    for name in ward.table.columns:
        if name not in REGISTRY:
            continue
        var = REGISTRY[name]
        col = ward.table.get_column(name).drop_nulls()
        if var.is_numeric:
            assert var.min is not None and var.max is not None
            assert col.min() >= var.min, f"{name} below {var.range_text()}"
            assert col.max() <= var.max, f"{name} above {var.range_text()}"
            checked += 1
        elif var.kind == "code":
            assert set(col.unique()) <= set(var.codes), name
    assert checked >= len(FLOAT_COLUMNS)
    gcs = ward.table.get_column("gcs").drop_nulls()
    assert (gcs == gcs.round(0)).all(), "GCS must hold integers"


def test_consciousness_agrees_with_gcs(ward: SyntheticWard) -> None:
    both = ward.table.filter(pl.col("gcs").is_not_null() & pl.col("consciousness").is_not_null())
    assert both.height > 0
    assert (both.filter(pl.col("gcs") == 15).get_column("consciousness") == "A").all()
    assert (both.filter(pl.col("gcs") < 15).get_column("consciousness") != "A").all()


def test_measurement_gaps_look_clinical(ward: SyntheticWard) -> None:
    t = ward.table
    charted = {name: 1 - t.get_column(name).null_count() / t.height for name in t.columns}
    assert 0.35 < charted["heart_rate"] < 0.97  # hourly in ICU, 2-4 hourly on the ward, some gaps
    assert charted["temp_c"] < 0.7 * charted["heart_rate"]  # about every 4 h
    assert charted["consciousness"] < 0.7 * charted["heart_rate"]
    assert charted["wbc"] < 0.2  # labs every 12-24 h, more often when ill
    assert charted["pao2"] < charted["wbc"]  # gases are rare
    labs = t.group_by("patient_id").agg(pl.col("wbc").count()).get_column("wbc")
    assert labs.min() >= 1 and labs.max() <= 12
    assert (t.filter(pl.col("hour") == 1).get_column("heart_rate").null_count()) == 0  # admission observations
    assert t.get_column("norepinephrine").drop_nulls().min() > 0


def test_fio2_and_oxygen_are_consistent(ward: SyntheticWard) -> None:
    both = ward.table.filter(pl.col("fio2").is_not_null() & pl.col("supplemental_o2").is_not_null())
    assert (both.filter(pl.col("supplemental_o2")).get_column("fio2") > 0.21).all()
    assert (both.filter(~pl.col("supplemental_o2")).get_column("fio2") == 0.21).all()


# --------------------------------------------------------------------------- mix


@pytest.mark.parametrize("mix", [(0.6, 0.25, 0.15), (0.2, 0.5, 0.3), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)])
def test_mix_is_respected(mix: tuple[float, float, float]) -> None:
    n = 50
    truth = generate_ward(n, 24, seed=3, mix=mix).truth
    counts = truth.get_column("trajectory").value_counts()
    got = dict(counts.iter_rows())
    for name, fraction in zip(TRAJECTORIES, mix, strict=True):
        assert abs(got.get(name, 0) - n * fraction) < 1, (name, got)


def test_trajectories_are_shuffled_over_patients() -> None:
    truth = generate_ward(40, 24, seed=5).truth
    first_half = truth.head(20).get_column("trajectory")
    assert first_half.n_unique() > 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_patients": 0}, "n_patients"),
        ({"hours": 12}, "hours"),
        ({"mix": (0.5, 0.5, 0.5)}, "mix"),
        ({"mix": (1.2, -0.1, -0.1)}, "mix"),
        ({"mix": (0.5, 0.5)}, "mix"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_ward(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- clinical coherence


def _mean_news2(scored: pl.DataFrame, trajectory: str, window: pl.Expr) -> float:
    sel = scored.filter((pl.col("trajectory") == trajectory) & window)
    assert sel.height > 0
    return float(sel.get_column("news2_partial").mean())  # type: ignore[arg-type]


AFTER_ONSET = (pl.col("hour") >= pl.col("onset_hour")) & (pl.col("hour") < pl.col("onset_hour") + 6)
BEFORE_ONSET = (pl.col("hour") >= pl.col("onset_hour") - 6) & (pl.col("hour") < pl.col("onset_hour"))
FIRST_6H = pl.col("hour") <= 6


@pytest.mark.parametrize("trajectory", ["sepsis", "septic_shock"])
def test_news2_rises_around_onset(scored: pl.DataFrame, trajectory: str) -> None:
    first = _mean_news2(scored, trajectory, FIRST_6H)
    before = _mean_news2(scored, trajectory, BEFORE_ONSET)
    after = _mean_news2(scored, trajectory, AFTER_ONSET)
    assert first < 2.0
    assert before > first + 1.0  # a prodrome: drift before onset
    assert after > first + 4.0 and after >= 6.0  # NEWS2 medium/high after onset


def test_every_septic_patient_deteriorates(scored: pl.DataFrame) -> None:
    per = (
        scored.filter(pl.col("trajectory") != "stable")
        .group_by("patient_id")
        .agg(
            pl.col("news2_partial").filter(FIRST_6H).mean().alias("first"),
            pl.col("news2_partial").filter(AFTER_ONSET).mean().alias("after"),
        )
    )
    assert per.height > 0
    assert (per.get_column("after") >= per.get_column("first") + 1.5).all(), per


def test_stable_patients_stay_low(scored: pl.DataFrame) -> None:
    stable = scored.filter(pl.col("trajectory") == "stable").get_column("news2_partial")
    assert stable.mean() < 2.0
    assert (stable >= 7).mean() < 0.02  # high-risk NEWS2 is rare in stable patients...
    assert (stable >= 3).any()  # ...but isolated or chronic abnormal values do happen (false alarms)


def test_septic_shock_needs_norepinephrine_hypotension_and_lactate(ward: SyntheticWard) -> None:
    t = ward.table.join(ward.truth, on="patient_id")
    shock = t.filter(pl.col("trajectory") == "septic_shock")
    assert shock.get_column("patient_id").n_unique() > 0
    for (pid,), rows in shock.group_by("patient_id"):
        shock_hour = rows.get_column("shock_hour")[0]
        on_ne = rows.filter(pl.col("norepinephrine") > 0).get_column("hour")
        assert on_ne.min() == shock_hour, pid
        assert rows.filter((pl.col("map") < 65) & (pl.col("hour") <= shock_hour)).height > 0, pid
        lactate = rows.filter(
            (pl.col("hour") > shock_hour - 24) & (pl.col("hour") <= shock_hour) & pl.col("lactate").is_not_null()
        ).sort("hour")
        assert lactate.get_column("lactate")[-1] > 2.0, pid  # §3.7: most recent lactate > 2 mmol/L
        assert rows.filter(pl.col("hour") > shock_hour + 1).get_column("map").drop_nulls().median() >= 65, pid
    others = t.filter(pl.col("trajectory") != "septic_shock")
    assert others.get_column("norepinephrine").null_count() == others.height


def test_labs_move_the_right_way_in_sepsis(ward: SyntheticWard) -> None:
    t = ward.table.join(ward.truth, on="patient_id").filter(pl.col("trajectory") != "stable")
    early = t.filter(pl.col("hour") < pl.col("onset_hour") - 8)
    late = t.filter(pl.col("hour") >= pl.col("onset_hour"))
    assert late.get_column("lactate").mean() > early.get_column("lactate").drop_nulls().mean() + 0.8  # type: ignore[operator]
    assert late.get_column("platelets").mean() < early.get_column("platelets").mean()  # type: ignore[operator]
    assert late.get_column("creatinine").mean() > early.get_column("creatinine").mean()  # type: ignore[operator]


# --------------------------------------------------------------------------- PSV export


def test_psv_export(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ward = generate_ward(6, 30, seed=4, mix=(0.34, 0.33, 0.33))
    paths = to_psv_folder(ward, tmp_path / "psv")
    assert sorted(p.name for p in (tmp_path / "psv").iterdir()) == sorted(
        f"{pid}.psv" for pid in ward.truth.get_column("patient_id")
    )
    assert len(paths) == 6
    header = "|".join(PHYSIONET_HEADER)
    assert header.startswith("HR|O2Sat|Temp|SBP|MAP|DBP|Resp|EtCO2|") and header.endswith("|ICULOS|SepsisLabel")
    assert len(PHYSIONET_HEADER) == 41
    onset = dict(ward.truth.select("patient_id", "onset_hour").iter_rows())
    for path in paths:
        pid = path.stem
        assert re.fullmatch(r"p\d{6}", pid)
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == header
        assert len(lines) == 1 + 30
        frame = pl.read_csv(path, separator="|", null_values="NaN", infer_schema_length=None)
        rows = ward.table.filter(pl.col("patient_id") == pid)
        assert frame.get_column("ICULOS").to_list() == list(range(1, 31))
        assert frame.get_column("HR").to_list() == rows.get_column("heart_rate").to_list()
        assert frame.get_column("FiO2").to_list() == rows.get_column("fio2").to_list()
        assert frame.get_column("Age").to_list() == rows.get_column("age_years").to_list()
        assert set(frame.get_column("Gender")) == {0 if rows.get_column("sex")[0] == "female" else 1}
        assert frame.get_column("EtCO2").null_count() == 30  # no such variable generated: NaN
        labels = frame.get_column("SepsisLabel").to_list()
        if onset[pid] is None:
            assert labels == [0] * 30
        else:
            assert labels == [int(h >= onset[pid] - 6) for h in range(1, 31)]
        for line in lines[1:]:
            cells = line.split("|")
            assert len(cells) == len(PHYSIONET_HEADER)
            assert all(c == "NaN" or not math.isnan(float(c)) for c in cells)
