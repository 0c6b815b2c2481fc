"""PhysioNet 2019 labelling rule (adult-scores.md §3.6): eligibility edges, min24 rise, the 6-h label shift."""

from __future__ import annotations

import pytest

from sepsiscope.scores.sepsis3 import physionet_label
from tests.clinical.sepsis3_helpers import abx, at, culture, sofa_series

HOURS = 60


def _series(rise_at: int | None, *, low: int = 0, high: int = 2) -> list:
    return sofa_series([high if rise_at is not None and h >= rise_at else low for h in range(1, HOURS + 1)])


# t_suspicion = hour 30 (IV antibiotic and blood culture). (case, rise hour, expected t_SOFA, source)
EDGES = [
    ("rise_at_tsusp_minus_24h_counts", 6, 6, "§3.6 eligibility"),
    ("rise_at_tsusp_minus_25h_not_septic", 5, None, "§3.6 eligibility"),
    ("rise_at_tsusp_plus_12h_counts", 42, 42, "§3.6 eligibility"),
    ("rise_at_tsusp_plus_13h_not_septic", 43, None, "§3.6 eligibility"),
]


@pytest.mark.parametrize(("rise", "t_sofa"), [c[1:3] for c in EDGES], ids=[c[0] for c in EDGES])
def test_eligibility_window(rise, t_sofa) -> None:
    label = physionet_label([abx(30), culture(31)], _series(rise))
    assert label.t_suspicion == at(30)
    if t_sofa is None:
        assert (label.t_sofa, label.t_sepsis, set(label.labels)) == (at(rise), None, {0})
    else:
        assert label.t_sofa == at(t_sofa)
        assert label.t_sepsis == min(at(30), at(t_sofa))


@pytest.mark.parametrize(("rise", "first_labelled"), [(20, 14), (40, 24)], ids=["sofa_first", "suspicion_first"])
def test_label_starts_6h_before_t_sepsis(rise, first_labelled) -> None:
    label = physionet_label([abx(30), culture(31)], _series(rise))
    ones = [h for h, v in zip(range(1, HOURS + 1), label.labels, strict=True) if v]
    assert ones == list(range(first_labelled, HOURS + 1))


def test_a_slow_rise_is_not_a_24h_rise() -> None:
    # 0 → 1 at hour 10, 1 → 2 at hour 35: no 2-point rise within any 24 h.
    series = sofa_series([0 if h < 10 else 1 if h < 35 else 2 for h in range(1, HOURS + 1)])
    assert physionet_label([abx(30), culture(31)], series).t_sepsis is None


@pytest.mark.parametrize(
    "events",
    [[abx(30, route="oral"), culture(31)], [abx(30), culture(31, specimen="urine")], [abx(30)]],
    ids=["oral_antibiotic", "urine_culture", "no_culture"],
)
def test_only_iv_antibiotics_and_blood_cultures(events) -> None:
    label = physionet_label(events, _series(25))
    assert (label.t_suspicion, set(label.labels)) == (None, {0})


def test_first_suspicion_is_used() -> None:
    label = physionet_label([abx(30), culture(31), culture(50), abx(52)], _series(52, high=3))
    assert (label.t_suspicion, label.t_sofa) == (at(30), at(52))
    assert label.t_sepsis is None  # the rise at 52 is outside [6, 42] of the first suspicion


def test_first_rise_decides_even_if_a_later_one_is_eligible() -> None:
    # a rise at hour 2 (outside [6, 42]) then a further rise at hour 30: the first rise decides (§3.6 literal)
    series = sofa_series([0 if h < 2 else 2 if h < 30 else 4 for h in range(1, HOURS + 1)])
    label = physionet_label([abx(30), culture(31)], series)
    assert (label.t_sofa, label.t_sepsis) == (at(2), None)
