"""Online risk: one patient's early-warning risk for each new hour, computed incrementally.

The monitoring service receives a patient's hours one at a time. Rebuilding every feature
from the whole stay for each new hour repeats work; :class:`OnlineRisk` keeps per-patient
running sums instead, so a new hour costs the same whatever the length of the stay.

It is *the same computation* as batch ``predict`` (``sepsiscope.features.build``), not an
approximation of it:

* window sums come from running cumulative sums, subtracted exactly as the batch windows
  subtract them (the batch's cumulative sums are sequential per patient: ``segment_cumsum``);
* window maxima and minima, running stay extremes, carried-forward values and hours since a
  measurement are exact selections;
* the bedside scores of the new hour come from the same score definitions, on the values
  ``score_table`` would carry to that hour and SOFA's 24-h window (``model.online_scores``;
  adult-scores.md §3.1, §3.3);
* the feature vector is cast to float32 as ``build_features`` casts it, and scored by the
  same booster and calibration.

So the probability equals batch ``predict`` on the same hours to the last bit
(tests/unit/model/test_online.py checks it on set-A patients). Hours must arrive in
increasing order; a late observation for an earlier hour needs :meth:`OnlineRisk.from_history`
again.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from sepsiscope.errors import ScoreInputError
from sepsiscope.features.baseline import BASELINE_H
from sepsiscope.features.build import CONTEXT, LABS, VITALS
from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.model.online_scores import RunningScores
from sepsiscope.model.online_state import RunningSeries

SUPPORTED_GROUPS = ("physiology", "lab_trends", "measurement", "context", "baseline")
_MEASURED = (*VITALS, *LABS)
Row = Mapping[str, object]


@dataclass(frozen=True)
class HourRisk:
    """The model's output for one new hour."""

    hour: int
    probability: float
    alert: bool
    features: np.ndarray = field(repr=False)  # float32, in the model's feature order (for explain_rows)
    #: The model's abstention check (``predict --abstain``): inputs far from the training data.
    #: ``alert`` is the plain threshold decision; a caller that abstains shows no alert when this is set.
    indeterminate: bool = False
    reason: str = ""


class OnlineRisk:
    """One patient's model state; :meth:`add_hour` scores each new hour incrementally."""

    def __init__(self, artifact: ModelArtifact, patient_id: str) -> None:
        unknown = set(artifact.feature_groups) - set(SUPPORTED_GROUPS)
        if unknown:
            raise ScoreInputError(f"the online path cannot compute feature groups {sorted(unknown)}")
        self.artifact = artifact
        self.patient_id = patient_id
        self.series = RunningSeries(len(_MEASURED))
        self.scores = RunningScores()

    @classmethod
    def from_history(cls, artifact: ModelArtifact, table: pl.DataFrame) -> OnlineRisk:
        """State after one patient's stored hours (a wide table, any row order, one patient)."""
        ids = table.get_column("patient_id").unique()
        if len(ids) != 1:
            raise ScoreInputError(f"from_history needs exactly one patient, got {len(ids)}")
        state = cls(artifact, str(ids[0]))
        for row in table.sort("hour").iter_rows(named=True):
            state._check_hour(row)
            state._advance(row)
        return state

    def add_hour(self, row: Row | pl.DataFrame) -> HourRisk:
        """Risk for one new hour, later than every stored one: a mapping of wide-table columns, or a one-row table."""
        if isinstance(row, pl.DataFrame):
            if row.height != 1:
                raise ScoreInputError(f"add_hour takes one row, got {row.height}")
            row = row.row(0, named=True)
        hour = self._check_hour(row)
        features = self._advance(row)
        x = np.array([features[f] for f in self.artifact.features], dtype=np.float64).astype(np.float32)
        raw = np.asarray(self.artifact.booster.predict(x[None, :], num_threads=1))
        probability = float(self.artifact.calibration(raw)[0])
        check = self.artifact.abstention
        unsure = check is not None and bool(check.indeterminate(x[None, :], self.artifact.features)[0])
        reason = check.reasons(x[None, :], self.artifact.features)[0] if unsure and check is not None else ""
        return HourRisk(hour, probability, probability >= self.artifact.threshold, x, unsure, reason)

    def _check_hour(self, row: Row) -> int:
        hour = row.get("hour")
        if not isinstance(hour, numbers.Real) or isinstance(hour, bool) or np.isnan(float(hour)):
            raise ScoreInputError(f"the new row needs its hour (got {hour!r})")
        value = float(hour)
        s = self.series
        if s.n and value <= s.hours[s.n - 1]:
            raise ScoreInputError(
                f"hour {hour} is not after the last stored hour {s.hours[s.n - 1]:g}; "
                "rebuild the state with OnlineRisk.from_history"
            )
        return int(value)

    def _advance(self, row: Row) -> dict[str, float]:
        """Take one row into the running state; its features by name (float64, NaN for missing)."""
        hour = float(row["hour"])  # type: ignore[arg-type]
        values = {v: _number(row.get(v)) for v in (*_MEASURED, "age_years", *CONTEXT)}
        raw = np.array([values[v] for v in _MEASURED])
        s = self.series
        s.append(hour, raw, BASELINE_H)
        out: dict[str, float] = {}
        w6, w12, w24 = s.window(6), s.window(12), s.window(24)
        last = s.last_value()
        named = {
            "": last,
            "__mean6": s.mean(w6),
            "__min6": s.min(w6),
            "__max6": s.max(w6),
            "__slope6": s.slope(w6),
            "__mean12": s.mean(w12),
            "__slope12": s.slope(w12),
            "__min24": s.min(w24),
            "__max24": s.max(w24),
            "__delta6": last - s.last_at(w6),
            "__delta24": last - s.last_at(w24),
            "__vs_stay": last - s.stay_mean(),
            "__stay_max": s.stay_max(),  # NaN until first measured, as in batch
            "__stay_min": s.stay_min(),
            "__hours_since": s.hours_since(),
            "__n24": s.count(w24),
            "__first6": s.first6_mean(),
            "__vs_first6": last - s.first6_mean(),
            "__first": s.first_value(),
            "__vs_first": last - s.first_value(),
        }
        for suffix, array in named.items():
            for k, v in enumerate(_MEASURED):
                out[f"{v}{suffix}"] = float(array[k])
        out["shock_index"] = _ratio(out["heart_rate"], out["sbp"])
        out["pulse_pressure"] = out["sbp"] - out["dbp"]
        out["bun_creatinine"] = _ratio(out["bun"], out["creatinine"])
        out["spo2_fio2"] = _ratio(out["spo2"], out["fio2"])
        out.update(self.scores.add(hour, values))
        s.add_sofa(out["sofa_total"])
        out["sofa__rise24"] = out["sofa_total"] - s.sofa_min(w24)
        out["age_years"] = values["age_years"]
        sex = row.get("sex")
        out["sex_male"] = np.nan if sex is None else float(sex == "male")
        for v in CONTEXT:
            out[v] = values[v]
        return out


def _number(value: object) -> float:
    """A cell as ``column_as_float`` reads it: None -> NaN, booleans -> 1.0 / 0.0."""
    if value is None:
        return np.nan
    if isinstance(value, numbers.Real):  # bool, int, float and numpy scalars
        return float(value)
    raise ScoreInputError(f"expected a number, got {value!r}")


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else np.nan


def risk_for_new_hour(state: OnlineRisk, row: Row | pl.DataFrame) -> HourRisk:
    """The service's entry point: the risk for one new hour of a patient whose state is ``state``."""
    return state.add_hour(row)
