"""Words for a :class:`~.rules.CheckerResult`: the §7 texts, per language, and the contract.

Source: shared/docs/clinical/symptom-checker.md §7.1 (output object), §7.2-§7.6 (texts) and
§9 D13 (the note added to ``messages`` when the age was not given).
The texts live in ``messages/<lang>.toml`` beside this module (English = the doc, word for
word); screens add their own catalogue in ``sepsiscope/checker/messages``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

from sepsiscope.scores.symptom_checker.escalation import SAFETY_NET
from sepsiscope.scores.symptom_checker.rules import CheckerResult

LANGUAGES: tuple[str, ...] = ("en", "es")
NAME = "symptom_checker"


@cache
def result_texts(lang: str = "en") -> dict[str, dict[str, str]]:
    """The §7 catalogue for ``lang``.

    Sections ``action``, ``reason``, ``note`` (D13), ``safety_net``, ``escalate``, ``disclaimer``.
    """
    if lang not in LANGUAGES:
        raise KeyError(f"no result texts for language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    path = files("sepsiscope.scores.symptom_checker").joinpath("messages", f"{lang}.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def to_contract(result: CheckerResult, lang: str = "en") -> dict[str, Any]:
    """The calculator's success object (§7.1), with texts in ``lang``."""
    t = result_texts(lang)
    return {
        "score": NAME,
        "level": result.level,
        "total": result.total,
        "components": {"emergency": list(result.emergency), "urgent": list(result.urgent)},
        "missing": list(result.missing),
        "reasons": list(result.reasons),
        "also_noted": list(result.also_noted),
        "risk_groups": list(result.risk_groups),
        "action": t["action"][result.level],
        "messages": [
            *(t["reason"][code] for code in (*result.reasons, *result.also_noted)),
            *(t["note"][key] for key in result.notes),  # D13: after the reasons
        ],
        "safety_net": [t["safety_net"][key] for key in SAFETY_NET],
        "escalate_if": [{"level": level, "text": t["escalate"][key]} for level, key in result.escalate_if],
        "disclaimer": t["disclaimer"]["text"],
    }
