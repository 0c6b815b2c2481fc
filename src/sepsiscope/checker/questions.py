"""The questionnaire as data (``questions.toml``), and reading one typed number.

Source: shared/docs/clinical/symptom-checker.md §2 (P5, P6), §3 (inputs and questions),
§3.4 (accepted ranges; "a reading outside the range ... makes it ask the user to measure
again, never silently drop it"; °F converted to °C). Used by the web form (through
:mod:`.form`) and the terminal questionnaire alike, so both ask the same questions and
send the same answers.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from sepsiscope.errors import RegistryError
from sepsiscope.scores.symptom_checker import EMERGENCY_SIGNS, INPUTS, age_boundaries_months
from sepsiscope.variables.units import convert

Widget = Literal["tick", "yesno", "codes", "number", "temperature", "recent"]
_WIDGETS = ("tick", "yesno", "codes", "number", "temperature", "recent")
_QUESTION_FIELDS = frozenset({"key", "section", "widget", "ages", "emergency", "when_yes"})
UNKNOWN_AGE = "unknown"
#: Weeks sent for "yes, in the last 6 weeks" when no number of weeks is given (§3.3 bound).
RECENT_WEEKS_DEFAULT = 6.0


@dataclass(frozen=True)
class AgeGroup:
    """One age choice; ``months`` (its lower bound) is sent as ``age_months``."""

    id: str
    months: float


@dataclass(frozen=True)
class Question:
    """How one input is asked."""

    key: str
    section: str
    widget: Widget
    ages: tuple[float, float] = (0.0, math.inf)
    emergency: bool = False
    when_yes: str | None = None
    codes: tuple[str, ...] = ()

    def data_ages(self) -> str | None:
        """``"from,to"`` (months) for a screen script when the question is not for everyone, else ``None``."""
        if self.ages == (0.0, math.inf):
            return None
        top = 10**9 if math.isinf(self.ages[1]) else int(self.ages[1])
        return f"{int(self.ages[0])},{top}"

    def shown_for(self, months: float | None) -> bool:
        """Whether this question is asked for a person aged ``months``.

        Always when the age is unknown (``None``): without an age the rules read every
        age-limited rule at its strictest (symptom-checker.md §6, D13), so every answer counts.
        """
        if months is None:
            return True
        return self.ages[0] <= months < self.ages[1]


@dataclass(frozen=True)
class Questionnaire:
    """Age groups, then the questions in the order they are asked."""

    age_groups: tuple[AgeGroup, ...]
    sections: tuple[str, ...]
    questions: tuple[Question, ...]

    def in_section(self, section: str) -> tuple[Question, ...]:
        """The questions of ``section``, in order."""
        return tuple(q for q in self.questions if q.section == section)

    def group(self, group_id: str | None) -> AgeGroup | None:
        """The age group called ``group_id``; ``None`` for unknown or empty."""
        return next((g for g in self.age_groups if g.id == group_id), None)


@cache
def questionnaire() -> Questionnaire:
    """Load and check ``questions.toml`` against the checker's inputs."""
    raw = tomllib.loads(files("sepsiscope.checker").joinpath("questions.toml").read_text(encoding="utf-8"))
    groups = tuple(AgeGroup(str(g["id"]), float(g["months"])) for g in raw["age_group"])
    if tuple(g.months for g in groups) != age_boundaries_months()[: len(groups)] or len(groups) != len(
        age_boundaries_months()
    ):
        raise RegistryError("questions.toml: age groups must start at every age where a rule changes")
    questions = []
    for q in raw["question"]:
        key = str(q["key"])
        if set(q) - _QUESTION_FIELDS:
            raise RegistryError(f"questions.toml [{key}]: unknown fields {sorted(set(q) - _QUESTION_FIELDS)}")
        if key not in INPUTS:
            raise RegistryError(f"questions.toml: {key!r} is not a symptom checker input")
        if q["widget"] not in _WIDGETS:
            raise RegistryError(f"questions.toml [{key}]: widget {q['widget']!r} is not one of {_WIDGETS}")
        if bool(q.get("emergency")) != (key in EMERGENCY_SIGNS):
            raise RegistryError(f"questions.toml [{key}]: emergency flag disagrees with the rules (E01-E07)")
        ages = q.get("ages", [0, math.inf])
        questions.append(
            Question(
                key=key,
                section=str(q["section"]),
                widget=q["widget"],
                ages=(float(ages[0]), float(ages[1])),
                emergency=bool(q.get("emergency", False)),
                when_yes=q.get("when_yes"),
                codes=INPUTS[key].codes,
            )
        )
    return Questionnaire(groups, tuple(raw["sections"]), tuple(questions))


def parse_number(text: str) -> float | None:
    """A typed number; accepts a decimal comma (38,5). ``None`` if it is not a number."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _in_range(key: str, value: float) -> bool:
    spec = INPUTS[key]
    assert spec.min is not None and spec.max is not None
    return spec.min <= value <= spec.max


def read_number(key: str, text: str, unit: str = "C") -> tuple[float | None, str | None]:
    """A typed value for input ``key`` as ``(value, None)``, or ``(None, catalogue key of the problem)``.

    ``unit`` matters only for the temperature: ``F`` is converted to °C by the registry's
    converter. Values outside the accepted range (§3.4) are refused, never dropped silently.
    """
    value = parse_number(text)
    if value is None:
        return None, "error.number"
    if key == "temp_c" and unit == "F":
        value = convert(value, "temp_c", "[degF]")
    if not _in_range(key, value):
        return None, "error.weeks" if key.endswith("_weeks") or key == "weeks_postpartum" else f"error.{key}"
    return value, None
