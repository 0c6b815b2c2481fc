"""Suspected infection (adult-scores.md §3.2, D-12): both orders, both sides of the 24 h and 72 h edges."""

from __future__ import annotations

import pytest

from sepsiscope.scores.sepsis3 import suspected_infection
from tests.clinical.sepsis3_helpers import abx, at, culture

# (case, events, expected [(t_SI hours, order)], source)
CASES = [
    ("same_minute_counts_abx_first", [abx(5), culture(5)], [(5, "antibiotic_first")], "§3.2 D-12"),
    ("abx_first_culture_24h_later_edge", [abx(5), culture(29)], [(5, "antibiotic_first")], "§3.2"),
    ("abx_first_culture_23h59", [abx(5), culture(28, 59)], [(5, "antibiotic_first")], "§3.2"),
    ("abx_first_culture_24h01_none", [abx(5), culture(29, 1)], [], "§3.2"),
    ("culture_first_abx_72h_edge", [culture(5), abx(77)], [(5, "culture_first")], "§3.2"),
    ("culture_first_abx_72h01_none", [culture(5), abx(77, 1)], [], "§3.2"),
    ("culture_first_abx_1min_later", [culture(5), abx(5, 1)], [(5, "culture_first")], "§3.2"),
    ("abx_alone_none", [abx(5)], [], "§3.2"),
    ("culture_alone_none", [culture(5)], [], "§3.2"),
    ("topical_abx_does_not_count", [abx(5, route="topical"), culture(6)], [], "§3.2 routes"),
    ("inhaled_abx_does_not_count", [abx(5, route="inhaled"), culture(6)], [], "§3.2 routes"),
    ("oral_abx_counts", [abx(5, route="oral"), culture(6)], [(5, "antibiotic_first")], "§3.2 routes"),
    ("urine_culture_counts", [abx(5), culture(6, specimen="urine")], [(5, "antibiotic_first")], "§3.2 specimens"),
    (
        "two_episodes",
        [abx(5), culture(6), culture(100), abx(110)],
        [(5, "antibiotic_first"), (100, "culture_first")],
        "§3.2 every pair",
    ),
    ("duplicates_collapse", [abx(5), culture(6), culture(7)], [(5, "antibiotic_first")], "§3.2 same t_SI"),
]


@pytest.mark.parametrize(("events", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_suspected_infection(events, expected) -> None:
    got = [(e.t_si, e.order) for e in suspected_infection(events)]
    assert got == [(at(h), o) for h, o in expected]


def test_culture_then_abx_then_culture_gives_two_pairs_one_per_t_si() -> None:
    # culture at 0, abx at 10 (culture first, t_SI 0); same abx with culture at 20 (abx first, t_SI 10)
    episodes = suspected_infection([culture(0), abx(10), culture(20)])
    assert [(e.t_si, e.order) for e in episodes] == [(at(0), "culture_first"), (at(10), "antibiotic_first")]


def test_orders_are_not_administrations() -> None:
    from sepsiscope.variables.events import Event

    assert suspected_infection([Event(at(5), "antibiotic_order", "vancomycin"), culture(6)]) == []


def test_episode_records_its_pair() -> None:
    (e,) = suspected_infection([culture(2, specimen="csf"), abx(3, code="meropenem")])
    assert (e.t_antibiotic, e.t_culture, e.antibiotic, e.specimen) == (at(3), at(2), "meropenem", "csf")
