"""Alert rules as data (``alert_rules.toml``), and the facts they are judged on.

A rule has levels, tried from the first (most severe) down; the first level whose
conditions hold fires, with one reason per condition that held, in words. Facts come from
the patient's :class:`~sepsiscope.service.snapshot.Snapshot`: the calculator objects, the
model's risk, the patient's age. An unknown fact never satisfies a condition, so a rule
can only fire on data that was really there.
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from sepsiscope.errors import UsageError
from sepsiscope.service.snapshot import Snapshot

LEVELS = ("urgent", "emergency")  # in rising order
_TITLES = {"news2": "NEWS2", "qsofa": "qSOFA", "sirs": "SIRS", "mews": "MEWS", "sofa": "SOFA", "phoenix": "Phoenix",
           "pediatric_sirs": "pediatric SIRS"}  # fmt: skip
_OPS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "ge": (operator.ge, "≥"),
    "gt": (operator.gt, ">"),
    "le": (operator.le, "≤"),
    "lt": (operator.lt, "<"),
    "eq": (operator.eq, "="),
    "is": (operator.is_, "is"),
    "in": (lambda a, b: a in b, "in"),
}


def level_rank(level: str) -> int:
    """Higher is more urgent."""
    return LEVELS.index(level)


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    value: Any

    def holds(self, facts: Mapping[str, Any]) -> bool:
        have = facts.get(self.fact)
        if have is None:
            return False
        if self.op == "is":
            return isinstance(have, bool) and have is self.value
        if isinstance(have, bool) and self.op != "in":
            return False
        return bool(_OPS[self.op][0](have, self.value))

    def reason(self, facts: Mapping[str, Any]) -> str:
        """The condition in words, using the fact's own wording where :func:`facts` gives one."""
        have = facts.get(self.fact)
        said = facts.get(f"{self.fact}:text")
        if self.op == "is":
            return str(said) if said else f"{self.fact} is {str(have).lower()}"
        return f"{said or f'{self.fact} = {have}'} ({_OPS[self.op][1]} {self.value})"


@dataclass(frozen=True)
class Level:
    level: str
    all: tuple[Condition, ...]
    any: tuple[Condition, ...]

    def reasons(self, facts: Mapping[str, Any]) -> list[str] | None:
        """The reasons if this level holds, else ``None``."""
        if not all(c.holds(facts) for c in self.all):
            return None
        met_any = [c for c in self.any if c.holds(facts)]
        if self.any and not met_any:
            return None
        return [c.reason(facts) for c in (*self.all, *met_any)]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    source: str
    levels: tuple[Level, ...]

    def evaluate(self, facts: Mapping[str, Any]) -> tuple[str, list[str]] | None:
        """``(level, reasons)`` of the first level that holds, or ``None``."""
        for level in self.levels:
            reasons = level.reasons(facts)
            if reasons is not None:
                return level.level, [f"{self.title}: {r}" for r in reasons]
        return None


def _condition(where: str, raw: Any) -> Condition:
    if not isinstance(raw, dict) or "fact" not in raw:
        raise UsageError(f"{where}: a condition is a table with a fact and one comparison, got {raw!r}")
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in _OPS:
        raise UsageError(f"{where}: condition on {raw['fact']!r} needs exactly one of {', '.join(_OPS)}")
    value = raw[ops[0]]
    if ops[0] == "is" and not isinstance(value, bool):
        raise UsageError(f"{where}: 'is' compares with true or false, got {value!r}")
    return Condition(str(raw["fact"]), ops[0], value)


def parse_rules(text: str, origin: str) -> tuple[Rule, ...]:
    """Rules from TOML text; a mistake raises :class:`UsageError` naming the place."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{origin}: not valid TOML: {e}") from None
    rules: list[Rule] = []
    for r, raw in enumerate(data.get("rule", [])):
        where = f"{origin}: rule {r + 1}"
        for key in ("id", "title", "source", "level"):
            if key not in raw:
                raise UsageError(f"{where}: missing {key!r}")
        levels = []
        for k, lv in enumerate(raw["level"]):
            at = f"{where} ({raw['id']}), level {k + 1}"
            if lv.get("level") not in LEVELS:
                raise UsageError(f"{at}: level must be one of {', '.join(LEVELS)}, got {lv.get('level')!r}")
            if not lv.get("all") and not lv.get("any"):
                raise UsageError(f"{at}: give 'all' or 'any' conditions")
            levels.append(Level(
                lv["level"],
                tuple(_condition(at, c) for c in lv.get("all", [])),
                tuple(_condition(at, c) for c in lv.get("any", [])),
            ))  # fmt: skip
        rules.append(Rule(str(raw["id"]), str(raw["title"]), str(raw["source"]), tuple(levels)))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise UsageError(f"{origin}: rule ids must be unique, got {ids}")
    if not rules:
        raise UsageError(f"{origin}: no [[rule]] tables")
    return tuple(rules)


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """The packaged rules, or those of ``path``."""
    if path is None:
        return parse_rules(
            files("sepsiscope.service").joinpath("alert_rules.toml").read_text("utf-8"), "alert_rules.toml"
        )
    try:
        return parse_rules(path.read_text("utf-8"), str(path))
    except OSError as e:
        raise UsageError(f"cannot read alert rules {path}: {e.strerror}") from None


def facts(snapshot: Snapshot) -> dict[str, Any]:
    """Everything a rule may read about this patient now."""
    out: dict[str, Any] = {}
    for name, obj in snapshot.scores.items():
        if "error" in obj:
            continue
        known = [v for v in obj["components"].values() if v is not None]
        out[f"{name}.total"] = obj["total"]
        out[f"{name}.points"] = sum(known) if known else None
        out[f"{name}.max_component"] = max(known) if known else None
        label = _TITLES.get(name, name)
        unknown = [k for k, v in obj["components"].items() if v is None]
        out[f"{name}.points:text"] = f"{label} {out[f'{name}.points']}" + (
            f" without {', '.join(unknown)} (not measured)" if unknown else ""
        )
        top = [k for k, v in obj["components"].items() if v is not None and v == out[f"{name}.max_component"]]
        out[f"{name}.max_component:text"] = f"{label} {', '.join(top)} scoring {out[f'{name}.max_component']}"
        for extra in ("positive", "risk"):
            if extra in obj:
                out[f"{name}.{extra}"] = obj[extra]
    risk = snapshot.risk or {}
    out["risk.alert"] = risk.get("alert")
    out["risk.probability"] = risk.get("probability")
    if risk.get("probability") is not None:
        reasons = "; ".join(str(r["text"]) for r in risk.get("reasons", []))
        out["risk.alert:text"] = (
            f"model risk {risk['probability']:.1%} against its alert threshold {risk['threshold']:.1%}"
            + (f" ({reasons})" if reasons else "")
        )
    out["patient.child"] = snapshot.ages.is_child if snapshot.ages is not None and _age_known(snapshot) else None
    infection = snapshot.latest.get("suspected_infection")
    out["suspected_infection"] = bool(infection["value"]) if infection and infection["in_force"] else None
    return out


def _age_known(snapshot: Snapshot) -> bool:
    a = snapshot.ages
    return a is not None and (a.age_years is not None or a.age_days is not None)
