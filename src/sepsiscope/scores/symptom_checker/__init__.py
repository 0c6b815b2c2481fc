"""Patient-facing sepsis symptom checker: the rules (L0, pure, no I/O).

Source: shared/docs/clinical/symptom-checker.md (CDC *Get Ahead of Sepsis*; NICE NG51,
NG253, NG254, NG255; NHS; NEWS2). Answers in, one of EMERGENCY / URGENT / MONITOR out,
with every reason, what to do now, the "get help now if…" list, the safety net and the
disclaimer. It never says "you do not have sepsis".

Not a :class:`~sepsiscope.scores.base.ScoreDefinition` (nothing is summed), so it is not
in ``SCORES``; ``sepsiscope calc symptom_checker`` reaches it through
:data:`sepsiscope.scores.calculator.CALCULATORS`. Screens (terminal and web) live in
``sepsiscope.checker`` (L5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sepsiscope.scores.symptom_checker.escalation import escalation_group
from sepsiscope.scores.symptom_checker.inputs import INPUTS, InputSpec, validate_answers
from sepsiscope.scores.symptom_checker.rules import (
    EMERGENCY_SIGNS,
    LEVELS,
    RULES,
    CheckerResult,
    Level,
    check,
)
from sepsiscope.scores.symptom_checker.texts import LANGUAGES, NAME, result_texts, to_contract
from sepsiscope.scores.symptom_checker.thresholds import age_boundaries_months

DOC = "shared/docs/clinical/symptom-checker.md"


def calc_case(case: Any, explain: bool = False) -> dict[str, Any]:
    """One calculator case: validate (raises :class:`~sepsiscope.errors.CaseError`), check, render in English.

    ``explain`` adds the source of every rule that fired and the doc's citation.
    """
    result = check(validate_answers(case))
    out = to_contract(result)
    if explain:
        sources = {r.code: r.source for r in RULES}
        out["explanations"] = {code: sources[code] for code in (*result.emergency, *result.urgent)}
        out["citation"] = f"{DOC} §6"
    return out


def check_answers(case: Mapping[str, Any]) -> CheckerResult:
    """Validate and check in one step (raises :class:`~sepsiscope.errors.CaseError`)."""
    return check(validate_answers(case))


__all__ = [
    "DOC",
    "EMERGENCY_SIGNS",
    "INPUTS",
    "LANGUAGES",
    "LEVELS",
    "NAME",
    "RULES",
    "CheckerResult",
    "InputSpec",
    "Level",
    "age_boundaries_months",
    "calc_case",
    "check",
    "check_answers",
    "escalation_group",
    "result_texts",
    "to_contract",
    "validate_answers",
]
