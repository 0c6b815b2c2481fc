"""Sepsis-3 onset (adult-scores.md §3.4, §3.5): window edges, ΔSOFA ≥ 2, and the four baseline rules."""

from __future__ import annotations

import pytest

from sepsiscope.errors import ScoreInputError, UsageError
from sepsiscope.scores.sepsis3 import SofaHour, earliest, onset, suspected_infection
from tests.clinical.sepsis3_helpers import abx, at, culture, sofa_series


def _episode(hours: float, minutes: float = 0.0):
    (e,) = suspected_infection([abx(hours, minutes), culture(hours, minutes)])
    return e


def _only(sofa_at: dict[int, int], last: int = 100) -> list[SofaHour]:
    return sofa_series([sofa_at.get(h, 0) for h in range(1, last + 1)])


# (case, t_SI (h, min), {hour: SOFA}, expected t_SOFA hour or None, source)
EDGES = [
    ("rise_at_tsi_minus_48h_counts", (50, 0), {2: 2}, 2, "§3.4 window closed"),
    ("rise_at_tsi_minus_49h_outside", (50, 0), {1: 2}, None, "§3.4 window"),
    ("rise_at_tsi_plus_24h_counts", (50, 0), {74: 2}, 74, "§3.4 window closed"),
    ("rise_at_tsi_plus_25h_outside", (50, 0), {75: 2}, None, "§3.4 window"),
    ("tsi_half_past_hour_2_ends_before_window", (50, 30), {2: 2}, None, "§3.1 hour end, §3.4"),
    ("tsi_half_past_hour_3_in_window", (50, 30), {3: 2}, 3, "§3.1 hour end, §3.4"),
    ("tsi_half_past_hour_74_in_window", (50, 30), {74: 2}, 74, "§3.4"),
    ("tsi_half_past_hour_75_outside", (50, 30), {75: 2}, None, "§3.4"),
    ("delta_1_is_not_sepsis", (50, 0), {60: 1}, None, "§3.4 ΔSOFA ≥ 2"),
    ("delta_2_is_sepsis", (50, 0), {60: 2}, 60, "§3.4 ΔSOFA ≥ 2"),
]


@pytest.mark.parametrize(("t_si", "sofa_at", "t_sofa"), [c[1:4] for c in EDGES], ids=[c[0] for c in EDGES])
def test_window_edges(t_si, sofa_at, t_sofa) -> None:
    (o,) = onset([_episode(*t_si)], _only(sofa_at))
    if t_sofa is None:
        assert (o.t_sofa, o.t_onset, o.sepsis) == (None, None, False)
    else:
        assert o.t_sofa == at(t_sofa)
        assert o.t_onset == min(at(*t_si), at(t_sofa))
        assert o.delta_sofa == sofa_at[t_sofa]


def test_onset_is_min_of_tsi_and_tsofa() -> None:
    before = onset([_episode(50)], _only({40: 2}))[0]
    after = onset([_episode(50)], _only({60: 3}))[0]
    assert (before.t_onset, before.t_sofa) == (at(40), at(40))  # SOFA rise before suspicion
    assert (after.t_onset, after.t_sofa, after.delta_sofa) == (at(50), at(60), 3)


# One patient, four baseline rules (§3.4). SI at hour 50 (window hours 2..74).
# SOFA: h1-9 = 3 (h2 missing), h10-29 = 1, h30-54 = 2, h55-59 = 3, h60-69 = 4, h70-80 = 5.
def _baseline_patient() -> list[SofaHour]:
    def value(h: int) -> int | None:
        if h == 2:
            return None
        return 3 if h < 10 else 1 if h < 30 else 2 if h < 55 else 3 if h < 60 else 4 if h < 70 else 5

    return sofa_series([value(h) for h in range(1, 81)])


BASELINE_CASES = [
    # rule, t_SOFA hour, ΔSOFA, reference SOFA, why
    ("zero", 3, 3, 0, "first window hour with SOFA ≥ 2 (h2 is missing)"),
    ("cummin", 55, 2, 1, "3 − min 1 since the window start (h2)"),
    ("start", 70, 2, 3, "5 − first non-missing window SOFA (3 at h3)"),
    ("min24", 60, 2, 2, "4 − min over h37..h60 (2); at h55 the 24 h min is still 2"),
]


@pytest.mark.parametrize(("rule", "t_sofa", "delta", "ref", "why"), BASELINE_CASES, ids=[c[0] for c in BASELINE_CASES])
def test_baseline_rules_on_one_patient(rule, t_sofa, delta, ref, why) -> None:
    (o,) = onset([_episode(50)], _baseline_patient(), baseline=rule)
    assert (o.t_sofa, o.delta_sofa, o.reference_sofa, o.baseline) == (at(t_sofa), delta, ref, rule), why
    assert o.t_onset == min(at(50), at(t_sofa))


def test_zero_rule_uses_a_documented_chronic_baseline() -> None:
    series = _only({60: 3, 61: 4})
    assert onset([_episode(50)], series, baseline_sofa=2)[0].t_sofa == at(61)
    assert onset([_episode(50)], series)[0].t_sofa == at(60)


def test_missing_sofa_hours_never_count() -> None:
    series = sofa_series([None] * 80)
    assert onset([_episode(50)], series, baseline="zero")[0].sepsis is False


def test_several_episodes_all_reported_patient_onset_earliest() -> None:
    e1, e2 = _episode(10), _episode(100)
    series = _only({110: 2}, last=130)
    first, second = onset([e1, e2], series)
    assert (first.sepsis, second.t_sofa, second.t_onset) == (False, at(110), at(100))
    assert earliest([first, second]) is second
    assert earliest([first]) is None


def test_unknown_baseline_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="baseline must be one of"):
        onset([], [], baseline="lowest")  # type: ignore[arg-type]


def test_series_must_be_increasing_and_zoned() -> None:
    with pytest.raises(ScoreInputError, match="not after"):
        onset([], [SofaHour(at(2), 1), SofaHour(at(1), 1)])
    with pytest.raises(ScoreInputError, match="no time zone"):
        onset([], [SofaHour(at(1).replace(tzinfo=None), 1)])


@pytest.mark.parametrize(
    ("minutes", "hour"),
    [(-60, -1), (-59, 0), (0, 0), (1, 1), (60, 1), (61, 2)],
    ids=["-60m", "-59m", "0m", "1m", "60m", "61m"],
)
def test_hour_index_is_the_hour_ending_at_or_after(minutes, hour) -> None:
    from datetime import timedelta

    from sepsiscope.scores.sepsis3 import hour_end, hour_index

    t = at(0) + timedelta(minutes=minutes)
    assert hour_index(t, at(0)) == hour
    assert hour_end(at(0), hour) - timedelta(hours=1) < t <= hour_end(at(0), hour)
