"""SCORES: every calculator by name. Used by the CLI, the cohort engine, docs and tests."""

from __future__ import annotations

from importlib import import_module

from sepsiscope.scores.base import ScoreDefinition

#: Module names under ``sepsiscope.scores``, in the order the docs list them.
_MODULES = ("sirs", "qsofa", "news2", "mews", "sofa", "phoenix", "phoenix8", "pediatric_sirs", "omqsofa", "mewc")

#: Names that exist in the literature but are refused, with the reason
#: (adult-scores.md §2.6, decision D-16).
REFUSED = {"sofa2": "sofa2 thresholds not verified (adult-scores.md §2.6, decision D-16)"}


def _load() -> dict[str, ScoreDefinition]:
    out: dict[str, ScoreDefinition] = {}
    for module in _MODULES:
        defn: ScoreDefinition = import_module(f"sepsiscope.scores.{module}").DEFINITION
        out[defn.name] = defn
    return out


SCORES: dict[str, ScoreDefinition] = _load()
