"""The calculator contract: JSON lines in, one JSON object out per case, in order.

Source: shared/docs/clinical/adult-scores.md §5 (command, input, output, validation and
errors, exit status) and pediatric-obstetric.md §0.1. Pure: takes lines, yields objects;
the CLI owns stdin and stdout.

Two kinds of calculator answer to the same contract: every :class:`ScoreDefinition` in
``SCORES`` (components summed into a total), and the few in :data:`CALCULATORS` whose
result is not a sum (the symptom checker, symptom-checker.md §7.1). Both share the JSON
parsing, error objects and exit-status rules here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sepsiscope.errors import CaseError, UsageError
from sepsiscope.scores import symptom_checker
from sepsiscope.scores.base import ScoreDefinition, evaluate
from sepsiscope.scores.registry import REFUSED, SCORES
from sepsiscope.variables.validate import validate_case

#: ``(parsed case, explain) -> success object``; raises :class:`CaseError` for a bad case.
CaseScorer = Callable[[Any, bool], dict[str, Any]]

#: Calculators that are not a ScoreDefinition (no components to sum, so they stay out of
#: ``SCORES`` and its contract suite) but follow the same JSON-lines contract.
CALCULATORS: dict[str, CaseScorer] = {symptom_checker.NAME: symptom_checker.calc_case}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def get_score(name: str) -> ScoreDefinition:
    """The score called ``name``, or :class:`UsageError` (exit status 2)."""
    if name in REFUSED:
        raise UsageError(REFUSED[name])
    try:
        return SCORES[name]
    except KeyError:
        raise UsageError(f"unknown score {name!r}; choose one of: {', '.join([*SCORES, *CALCULATORS])}") from None


def _definition_scorer(defn: ScoreDefinition) -> CaseScorer:
    def score(case: Any, explain: bool) -> dict[str, Any]:
        result = evaluate(defn, validate_case(case))
        out = result.to_contract()
        if explain:
            out["explanations"] = result.explanations
            out["citation"] = result.citation
        return out

    return score


def get_calculator(name: str) -> CaseScorer:
    """The case scorer called ``name`` (a score or a :data:`CALCULATORS` entry), or :class:`UsageError`."""
    if name in CALCULATORS:
        return CALCULATORS[name]
    return _definition_scorer(get_score(name))


@dataclass(frozen=True)
class CalcLine:
    """One output line: its input line number, and whether it is an error."""

    line: int
    ok: bool
    payload: dict[str, Any]


def score_line(defn: ScoreDefinition, text: str, *, explain: bool = False, line: int | None = None) -> dict[str, Any]:
    """Score one non-blank JSON line into a success or error object (§5.3, §5.4).

    An error's free-text ``message`` starts with ``line N:`` when ``line`` is given.
    """
    return _calc_line(defn.name, _definition_scorer(defn), text, explain=explain, line=line)


def _calc_line(name: str, scorer: CaseScorer, text: str, *, explain: bool, line: int | None) -> dict[str, Any]:
    try:
        try:
            case = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise CaseError("invalid_json", None, f"not valid JSON: {exc}") from None
        return scorer(case, explain)
    except CaseError as err:
        message = f"line {line}: {err.message}" if line is not None else err.message
        return {"score": name, "error": {"code": err.code, "variable": err.variable, "message": message}}


def run(score: str, lines: Iterable[str], *, explain: bool = False) -> Iterator[CalcLine]:
    """Score every non-blank line, in order; blank lines produce nothing (§5.2)."""
    scorer = get_calculator(score)
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        payload = _calc_line(score, scorer, text, explain=explain, line=number)
        yield CalcLine(number, "error" not in payload, payload)
