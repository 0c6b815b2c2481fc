"""The calculator contract: JSON lines in, one JSON object out per case, in order.

Source: shared/docs/clinical/adult-scores.md §5 (command, input, output, validation and
errors, exit status) and pediatric-obstetric.md §0.1. Pure: takes lines, yields objects;
the CLI owns stdin and stdout.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sepsiscope.errors import CaseError, UsageError
from sepsiscope.scores.base import ScoreDefinition, evaluate
from sepsiscope.scores.registry import REFUSED, SCORES
from sepsiscope.variables.validate import validate_case


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def get_score(name: str) -> ScoreDefinition:
    """The score called ``name``, or :class:`UsageError` (exit status 2)."""
    if name in REFUSED:
        raise UsageError(REFUSED[name])
    try:
        return SCORES[name]
    except KeyError:
        raise UsageError(f"unknown score {name!r}; choose one of: {', '.join(SCORES)}") from None


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
    try:
        try:
            case = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise CaseError("invalid_json", None, f"not valid JSON: {exc}") from None
        result = evaluate(defn, validate_case(case))
    except CaseError as err:
        message = f"line {line}: {err.message}" if line is not None else err.message
        return {"score": defn.name, "error": {"code": err.code, "variable": err.variable, "message": message}}
    out = result.to_contract()
    if explain:
        out["explanations"] = result.explanations
        out["citation"] = result.citation
    return out


def run(score: str, lines: Iterable[str], *, explain: bool = False) -> Iterator[CalcLine]:
    """Score every non-blank line, in order; blank lines produce nothing (§5.2)."""
    defn = get_score(score)
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        payload = score_line(defn, text, explain=explain, line=number)
        yield CalcLine(number, "error" not in payload, payload)
