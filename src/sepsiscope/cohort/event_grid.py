"""The hourly grid of shared/docs/clinical/adult-scores.md §3.1, derived from real timestamps.

Each patient's grid is anchored at the admission in the event table (the first
``icu_admission``, else the first ``hospital_admission``): hour ``h`` is the interval
(anchor + (h − 1) h, anchor + h h], so hour 0 is the admission instant itself and an event at
anchor + 30 min belongs to hour 1 (``scores.sepsis3.hour_index``).

:func:`hourly_from_events` turns the measurement, vasopressor and ventilation events into the
wide hourly table that ``score_table`` scores (one row per patient-hour from hour 0 to the last
event's hour):

* a measurement: the last value charted in the hour (the 24-h SOFA window then takes the worst
  hour, §3.3);
* a catecholamine (norepinephrine, epinephrine, dopamine, dobutamine): the highest rate among
  infusions running through the whole hour (a continuous hour, the ≥ 60-min rule of §2.5/§3.3);
  vasopressin: true when running at any time in the hour;
* ``ventilated``: true when a ventilation run covers any part of the hour, false otherwise;
* those columns charted as measurements too: a charted rate fills an hour no run covers, and a
  charted flag makes the hour's flag true.
"""

from __future__ import annotations

import polars as pl

from sepsiscope.errors import ScoreInputError
from sepsiscope.variables.registry import REGISTRY

#: Admission events that anchor the grid, in order of preference.
ANCHORS = ("icu_admission", "hospital_admission")
#: Catecholamine columns of variables.toml scored by SOFA (adult-scores.md §2.5).
CATECHOLAMINES = ("norepinephrine", "epinephrine", "dopamine", "dobutamine")
#: Columns made from vasopressor and ventilation runs; a measurement of the same name is merged in
#: (a charted rate fills an hour no run covers; a charted flag or a run makes the flag true).
RUN_COLUMNS = (*CATECHOLAMINES, "vasopressin", "ventilated")
_H_US = 3_600_000_000


def anchors(events: pl.DataFrame) -> pl.DataFrame:
    """(patient_id, anchor) for every patient of ``events``; raises naming a patient without admission."""
    adm = events.filter((pl.col("kind") == "encounter") & pl.col("code").is_in(ANCHORS))
    rank = pl.col("code").replace_strict({a: i for i, a in enumerate(ANCHORS)}, return_dtype=pl.Int32)
    first = adm.sort([rank, "time"]).group_by("patient_id", maintain_order=True).first()
    out = first.select("patient_id", pl.col("time").alias("anchor"))
    missing = events.select("patient_id").unique().join(out, on="patient_id", how="anti")
    if missing.height:
        pid = missing.get_column("patient_id").sort()[0]
        raise ScoreInputError(
            f"patient {pid!r} has no admission event (kind 'encounter', code 'icu_admission' or "
            "'hospital_admission'): the hourly grid needs one (adult-scores.md §3.1)"
        )
    return out


def with_hours(events: pl.DataFrame, anchor: pl.DataFrame) -> pl.DataFrame:
    """``events`` with ``anchor`` and the grid ``hour`` containing each event (§3.1: (h − 1, h])."""
    micro = (pl.col("time") - pl.col("anchor")).dt.total_microseconds()
    hour = (-((-micro) // _H_US)).cast(pl.Int64)  # ceil for negative and positive offsets alike
    return events.join(anchor, on="patient_id", how="left").with_columns(hour.alias("hour"))


def hourly_from_events(events: pl.DataFrame) -> pl.DataFrame:
    """The wide hourly table (``patient_id``, ``hour`` as float, registry variables) from events."""
    timed = with_hours(events, anchors(events))
    last = timed.group_by("patient_id").agg(pl.col("hour").max().clip(lower_bound=0).alias("last"))
    grid = (
        last.with_columns(pl.int_ranges(0, pl.col("last") + 1).alias("hour"))
        .explode("hour")
        .select("patient_id", pl.col("hour").cast(pl.Int64))
        .join(timed.select("patient_id", "anchor").unique("patient_id"), on="patient_id")
    )
    measures = (
        timed.filter((pl.col("kind") == "measurement") & pl.col("code").is_in(REGISTRY.names()))
        .sort("patient_id", "time")
        .group_by("patient_id", "hour", "code")
        .agg(pl.col("value").last())
        .pivot(on="code", index=["patient_id", "hour"], values="value")
    )
    charted = [c for c in RUN_COLUMNS if c in measures.columns]  # also charted as measurements: merged below
    measures = measures.rename({c: f"_charted_{c}" for c in charted})
    out = _runs(grid.join(measures, on=["patient_id", "hour"], how="left"), timed)
    merged = [
        pl.max_horizontal(c, f"_charted_{c}").alias(c)
        if c in ("vasopressin", "ventilated")
        else pl.coalesce(c, f"_charted_{c}").alias(c)
        for c in charted
    ]
    out = out.with_columns(merged).drop([f"_charted_{c}" for c in charted])
    return out.drop("anchor").with_columns(pl.col("hour").cast(pl.Float64)).sort("patient_id", "hour")


def _runs(grid: pl.DataFrame, timed: pl.DataFrame) -> pl.DataFrame:
    start = pl.col("anchor") + pl.duration(hours=pl.col("hour") - 1)
    end = pl.col("anchor") + pl.duration(hours=pl.col("hour"))
    runs = timed.filter(pl.col("kind").is_in(["vasopressor", "ventilation"])).select(
        "patient_id",
        "kind",
        "code",
        pl.col("value").alias("rate"),
        pl.col("time").alias("r0"),
        pl.col("end").alias("r1"),
    )
    hours = grid.select("patient_id", "hour", "anchor").with_columns(start.alias("h0"), end.alias("h1"))
    joined = hours.join(runs, on="patient_id", how="inner")
    whole = (pl.col("r0") <= pl.col("h0")) & (pl.col("r1").is_null() | (pl.col("r1") >= pl.col("h1")))
    touch = (pl.col("r0") < pl.col("h1")) & (pl.col("r1").is_null() | (pl.col("r1") > pl.col("h0")))
    cat = (
        joined.filter((pl.col("kind") == "vasopressor") & pl.col("code").is_in(CATECHOLAMINES) & whole)
        .group_by("patient_id", "hour", "code")
        .agg(pl.col("rate").max())
        .pivot(on="code", index=["patient_id", "hour"], values="rate")
    )
    flags = (
        joined.filter(touch)
        .group_by("patient_id", "hour")
        .agg(
            ((pl.col("kind") == "vasopressor") & (pl.col("code") == "vasopressin") & (pl.col("rate") > 0))
            .any()
            .alias("vasopressin"),
            (pl.col("kind") == "ventilation").any().alias("ventilated"),
        )
    )
    out = grid.join(cat, on=["patient_id", "hour"], how="left").join(flags, on=["patient_id", "hour"], how="left")
    for name in CATECHOLAMINES:
        if name not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    return out.with_columns(
        pl.col("vasopressin").fill_null(False).cast(pl.Float64),
        pl.col("ventilated").fill_null(False).cast(pl.Float64),
    )
