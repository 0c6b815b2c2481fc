"""Derived facts and risk groups of one set of checker answers.

Source: shared/docs/clinical/symptom-checker.md §4 (``m``, ``fever``, ``possible_infection``,
``W5``, ``W6``, ``pregnant_or_recent``) and §3.3 (risk groups, their output order and the
two tiers of decision D7). Pure: no I/O, no text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sepsiscope.scores.symptom_checker import thresholds as th

#: §3.3: output order of ``risk_groups`` and the two tiers (§9 D7).
RISK_GROUPS: tuple[str, ...] = (
    "under_1",
    "age_65_plus",
    "age_75_plus",
    "frail",
    "weakened_immunity",
    "pregnant_or_recent",
    "recent_surgery",
    "chronic_condition",
    "sepsis_survivor",
    "recent_hospital_stay",
)
HIGHER_VULNERABILITY = frozenset(
    {"under_1", "age_75_plus", "frail", "weakened_immunity", "pregnant_or_recent", "recent_surgery"}
)
OTHER_RISK = frozenset({"age_65_plus", "chronic_condition", "sepsis_survivor", "recent_hospital_stay"})

#: CDC warning signs counted in W5 (§4).
W5_SIGNS: tuple[str, ...] = ("fast_breathing", "fast_heart_rate", "short_of_breath", "clammy_skin", "extreme_pain")


@dataclass(frozen=True)
class Facts:
    """§4 derived facts and §3.3 risk groups of one set of answers."""

    m: float | None
    fever: bool
    possible_infection: bool
    w5: int
    w6: int
    pregnant_or_recent: bool
    risk_groups: tuple[str, ...]


def yes(a: Mapping[str, Any], key: str) -> bool:
    """Whether ``key`` was answered "yes" (absent, ``None`` or ``False``: no)."""
    return a.get(key) is True


def number(a: Mapping[str, Any], key: str) -> float | None:
    """The number given for ``key``, or ``None`` when not answered."""
    value = a.get(key)
    return None if value is None else float(value)


def age_months(answers: Mapping[str, Any]) -> float | None:
    """``m``: ``age_months`` if given, else ``age_years × 12``, else ``None`` (§4)."""
    months = number(answers, "age_months")
    if months is not None:
        return months
    years = number(answers, "age_years")
    return None if years is None else years * 12


def derive(answers: Mapping[str, Any]) -> Facts:
    """§4 derived facts and the §3.3 risk groups, from validated answers."""
    m = age_months(answers)
    temp = number(answers, "temp_c")
    fever = yes(answers, "fever_or_chills") or th.hits(temp, (th.FEVER_C,))
    possible_infection = yes(answers, "infection") or fever or th.hits(temp, (th.LOW_TEMP_C,))
    w5 = sum(yes(answers, key) for key in W5_SIGNS)
    pregnant_or_recent = yes(answers, "pregnant") or th.hits(number(answers, "weeks_postpartum"), (th.RECENT_WEEKS,))
    groups = {
        "under_1": m is not None and m < th.UNDER_1_END,
        "age_65_plus": m is not None and th.AGE_65 <= m < th.AGE_75,
        "age_75_plus": m is not None and m >= th.AGE_75,
        "frail": yes(answers, "frail"),
        "weakened_immunity": bool(answers.get("immune_weakness")),
        "pregnant_or_recent": pregnant_or_recent,
        "recent_surgery": th.hits(number(answers, "recent_procedure_weeks"), (th.RECENT_WEEKS,)),
        "chronic_condition": bool(answers.get("chronic_conditions")),
        "sepsis_survivor": yes(answers, "sepsis_survivor"),
        "recent_hospital_stay": yes(answers, "recent_hospital_stay"),
    }
    return Facts(
        m=m,
        fever=fever,
        possible_infection=possible_infection,
        w5=w5,
        w6=w5 + int(fever),
        pregnant_or_recent=pregnant_or_recent,
        risk_groups=tuple(g for g in RISK_GROUPS if groups[g]),
    )
