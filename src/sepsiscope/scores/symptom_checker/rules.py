"""Decision rules of the patient symptom checker: answers in, EMERGENCY / URGENT / MONITOR out.

Source: shared/docs/clinical/symptom-checker.md §6 (rules E01-E17, U01-U12, M00/M01), with
§4 and §3.3 (derived facts and risk groups, in :mod:`.facts`), §5 (thresholds, in
:mod:`.thresholds`) and §7.5 (which "get help now if…" list applies, :mod:`.escalation`).
Built from public guidance: CDC *Get Ahead of Sepsis*, NICE NG51 / NG253 / NG254 / NG255,
NHS, NEWS2 (RCP 2017).

Age missing (§6, decision D13): every age-limited rule is read in its strictest form, it
fires if it would fire at any age (:func:`fired_rules`); SpO2 80 % with no age is
EMERGENCY, not MONITOR, and the result carries a note asking for the age.

Pure: no I/O, no text. The result holds codes only; :mod:`.texts` turns them into words.
Every rule is evaluated (P5 lets a screen stop early; the calculator never does). A
triage aid: it never outputs a probability, a score or "no sepsis" (D12).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sepsiscope.scores.symptom_checker import thresholds as th
from sepsiscope.scores.symptom_checker.escalation import EscalationGroup, Item, escalation_group, escalation_items
from sepsiscope.scores.symptom_checker.facts import HIGHER_VULNERABILITY, OTHER_RISK, Facts, derive, number, yes

Level = Literal["EMERGENCY", "URGENT", "MONITOR"]
LEVELS: tuple[Level, ...] = ("EMERGENCY", "URGENT", "MONITOR")


@dataclass(frozen=True)
class Rule:
    """One row of §6: code, when it fires (in words), the ages it applies to, its source."""

    code: str
    when: str
    ages: str
    source: str


#: §6.1 and §6.2, in table order (the order of ``components``).
RULES: tuple[Rule, ...] = (
    Rule("E01", "confusion", "all", "NICE high risk; NHS 999; CDC sign"),
    Rule("E02", "hard_to_wake", "all", "NICE high risk; NHS 999"),
    Rule("E03", "skin_mottled_ashen_blue", "all", "NICE high risk; NHS 999"),
    Rule("E04", "non_blanching_rash", "all", "NICE high risk; NHS 999"),
    Rule("E05", "breathing_difficulty_severe", "all", "NICE high risk (under 5: grunting, apnoea); NHS 999"),
    Rule("E06", "weak_high_pitched_cry", "all (asked for under 5)", "NICE high risk under 5; NHS 999"),
    Rule("E07", "not_responding_normally", "all (asked for under 5)", "NHS 999; NICE high risk"),
    Rule("E08", "no_urine_hours ≥ 18", "12+ or age unknown", "NICE high risk"),
    Rule("E09", "temp_c ≥ 38.0", "m < 3", "NICE high risk under 5"),
    Rule("E10", "temp_c < 36.0", "m < 60", "NICE high risk under 5"),
    Rule(
        "E11",
        "breathing rate in the EMERGENCY column of §5",
        "all (age missing: any band)",
        "NICE high risk; NEWS2 (12+, ≤ 8)",
    ),
    Rule(
        "E12",
        "heart rate in the EMERGENCY column of §5",
        "all (age missing: any band)",
        "NICE high risk; NEWS2 (12+, ≤ 40)",
    ),
    Rule("E13", "SpO2 < 90 (child) or ≤ 91 (12+)", "all (age missing: ≤ 91)", "NICE high risk (child); NEWS2 (12+)"),
    Rule("E14", "sbp ≤ 90", "12+", "NICE high risk"),
    Rule("E15", "chemotherapy and fever", "all", "NICE CG151 (suspected neutropenic sepsis)"),
    Rule("E16", "weak immunity and a moderate criterion", "under 16", "NICE NG254 1.6.1"),
    Rule("E17", "possible infection and three or more CDC signs", "all", "project rule (§9 D2), CDC signs"),
    Rule("U01", "possible infection and a CDC warning sign", "all", "CDC"),
    Rule(
        "U02",
        "possible infection and breathing rate in the URGENT column",
        "all (age missing: any band)",
        "NICE moderate-to-high",
    ),
    Rule(
        "U03",
        "possible infection and heart rate in the URGENT column",
        "all (age missing: any band)",
        "NICE moderate-to-high",
    ),
    Rule(
        "U04",
        "SpO2 90 to < 92 (child) or 92 to 94 (12+)",
        "all (age missing: 92 to 94)",
        "NICE moderate (child); NEWS2 (12+)",
    ),
    Rule("U05", "sbp > 90 and ≤ 100", "12+", "NICE moderate-to-high"),
    Rule(
        "U06",
        "temp_c < 36.0 and m ≥ 60; or ≥ 39.0 and 3 ≤ m < 7",
        "all (age missing: any band)",
        "NICE moderate-to-high",
    ),
    Rule("U07", "no_urine_hours ≥ 12 (child); 12 to < 18 (12+ or unknown)", "all", "NICE moderate; NHS"),
    Rule("U08", "possible infection and getting worse", "all", "CDC"),
    Rule("U09", "possible infection and a higher-vulnerability group", "all", "NICE most vulnerable; CDC"),
    Rule("U10", "behaving_differently", "all", "NICE moderate-to-high"),
    Rule("U11", "child, possible infection, cold hands/feet or leg pain", "under 12", "NICE moderate-to-high"),
    Rule("U12", "possible infection, fever and another risk group", "all", "CDC risk groups"),
)
RULE_CODES: tuple[str, ...] = tuple(r.code for r in RULES)

#: Emergency signs that are plain yes/no answers (E01-E07), for screens that stop early (P5).
EMERGENCY_SIGNS: dict[str, str] = {
    "confusion": "E01",
    "hard_to_wake": "E02",
    "skin_mottled_ashen_blue": "E03",
    "non_blanching_rash": "E04",
    "breathing_difficulty_severe": "E05",
    "weak_high_pitched_cry": "E06",
    "not_responding_normally": "E07",
}

#: U rules that count as "a moderate-to-high criterion" for E16 (NG254 1.6.1).
_E16_TRIGGERS = frozenset({"U02", "U03", "U04", "U05", "U06", "U07", "U10", "U11"})

#: D13: the note added to ``messages`` and the result page when the age was not given.
AGE_UNKNOWN_NOTE = "age_unknown"


@dataclass(frozen=True)
class CheckerResult:
    """The checker's answer, as codes (§7.1). Texts come from :mod:`.texts`."""

    level: Level
    emergency: tuple[str, ...]
    urgent: tuple[str, ...]
    missing: tuple[str, ...]
    reasons: tuple[str, ...]
    also_noted: tuple[str, ...]
    risk_groups: tuple[str, ...]
    escalation_group: EscalationGroup
    escalate_if: tuple[Item, ...]
    infection_sites: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # keys of the [note] texts, after the reasons (D13)

    @property
    def total(self) -> int:
        """Number of E and U rules that fired."""
        return len(self.emergency) + len(self.urgent)


#: Rules whose "Ages" column limits them: read in their strictest form when the age is
#: missing (§6, D13). E08 and U07 are not here: without an age they use the 12+ urine
#: cut-offs, "which are already the strictest" (§6; D4).
AGE_LIMITED = frozenset({"E09", "E10", "E11", "E12", "E13", "E14", "E16", "U02", "U03", "U04", "U05", "U06", "U11"})
#: The one printed exception: U04's "Ages" column reads "age missing: 92 to 94; ≤ 91 is
#: E13", so without an age U04 takes only the 12+ band (the child band 90 to < 92 is
#: inside E13's "≤ 91").
_12_PLUS_ONLY_WITHOUT_AGE = frozenset({"U04"})


def _in_bands(x: float | None, m: float | None, table: tuple[th.Bands, ...], column: str) -> bool:
    if x is None or m is None:
        return False
    return any(m in b.ages and th.hits(x, getattr(b, column)) for b in table)


def _temperature(temp: float | None, m: float | None) -> set[str]:
    if temp is None or m is None:
        return set()
    return {r.code for r in th.TEMPERATURE_RULES if temp in r.temp_c and m in r.ages}


def _urine(m: float | None) -> th.Bands:
    return th.URINE_CHILD if m is not None and m < th.CHILD_END else th.URINE_12_PLUS


def _urgent(a: Mapping[str, Any], f: Facts, m: float | None, pregnant_or_recent: bool) -> set[str]:
    """U rules fired for a person aged ``m`` months (``None``: age rules do not fire)."""
    pi = f.possible_infection
    rr, hr, temp = number(a, "resp_rate"), number(a, "heart_rate"), number(a, "temp_c")
    band = th.rate_band(m) if m is not None else None
    hr_urgent: tuple[th.Interval, ...] = ()
    if band is not None:
        pregnant_band = band.hr_urgent_pregnant if pregnant_or_recent else None
        hr_urgent = pregnant_band or band.hr_urgent
    groups = set(f.risk_groups)
    fired = {
        "U01": pi and f.w5 >= 1,
        "U02": pi and band is not None and th.hits(rr, band.rr_urgent),
        "U03": pi and band is not None and th.hits(hr, hr_urgent),
        "U04": _in_bands(number(a, "spo2"), m, th.SPO2, "urgent"),
        "U05": _in_bands(number(a, "sbp"), m, th.SBP, "urgent"),
        "U06": "U06" in _temperature(temp, m),
        "U07": th.hits(number(a, "no_urine_hours"), _urine(m).urgent),
        "U08": pi and yes(a, "getting_worse"),
        "U09": pi and bool(groups & HIGHER_VULNERABILITY),
        "U10": yes(a, "behaving_differently"),
        "U11": m is not None and m < th.CHILD_END and pi and (yes(a, "cold_hands_feet") or yes(a, "leg_pain")),
        "U12": pi and f.fever and bool(groups & OTHER_RISK),
    }
    return {code for code, hit in fired.items() if hit}


def _emergency(a: Mapping[str, Any], f: Facts, m: float | None, urgent: set[str]) -> set[str]:
    """E rules fired for a person aged ``m`` months, given the U rules fired at that age."""
    rr, hr, temp = number(a, "resp_rate"), number(a, "heart_rate"), number(a, "temp_c")
    band = th.rate_band(m) if m is not None else None
    temperature = _temperature(temp, m)
    fired = {code: yes(a, key) for key, code in EMERGENCY_SIGNS.items()}
    fired |= {
        "E08": th.hits(number(a, "no_urine_hours"), _urine(m).emergency),
        "E09": "E09" in temperature,
        "E10": "E10" in temperature,
        "E11": band is not None and th.hits(rr, band.rr_emergency),
        "E12": band is not None and th.hits(hr, band.hr_emergency),
        "E13": _in_bands(number(a, "spo2"), m, th.SPO2, "emergency"),
        "E14": _in_bands(number(a, "sbp"), m, th.SBP, "emergency"),
        "E15": "chemotherapy" in (a.get("immune_weakness") or ()) and f.fever,
        "E16": m is not None
        and m < th.UNDER_16_END
        and bool(a.get("immune_weakness"))
        and bool(urgent & _E16_TRIGGERS),
        "E17": f.possible_infection and f.w6 >= 3,
    }
    return {code for code, hit in fired.items() if hit}


def _fired_at(a: Mapping[str, Any], f: Facts, m: float | None, pregnant_or_recent: bool) -> set[str]:
    urgent = _urgent(a, f, m, pregnant_or_recent)
    return urgent | _emergency(a, f, m, urgent)


def fired_rules(answers: Mapping[str, Any], facts: Facts) -> set[str]:
    """Codes of every E and U rule that fired (§6).

    Age known: each rule at that age. Age missing (D13): the rules that do not depend on
    age as usual; each rule of :data:`AGE_LIMITED` fires if it would fire for **any** age
    (every band of §5, child or 12+, pregnant or not; U04 as its "Ages" column says: the
    12+ band only). The ages tried are the starts of
    every age band (:func:`.thresholds.age_boundaries_months`); the rules are constant
    inside a band, so these stand for every age. Age gives no risk group here: U09 and
    U12 only see the groups the answers themselves give (§6: "a rule never fires
    *because* an age group is assumed").
    """
    if facts.m is not None:
        return _fired_at(answers, facts, facts.m, facts.pregnant_or_recent)
    fired = _fired_at(answers, facts, None, facts.pregnant_or_recent) - AGE_LIMITED
    for m in th.age_boundaries_months():
        limited = AGE_LIMITED if m >= th.CHILD_END else AGE_LIMITED - _12_PLUS_ONLY_WITHOUT_AGE
        for pregnant_or_recent in (False, True):
            fired |= _fired_at(answers, facts, m, pregnant_or_recent) & limited
    return fired


def check(answers: Mapping[str, Any]) -> CheckerResult:
    """Apply §6 to already validated answers (see :func:`.inputs.validate_answers`).

    Level = EMERGENCY if any E rule fired, else URGENT if any U rule fired, else MONITOR.
    Without an age, age-limited rules are read in their strictest form (D13, see
    :func:`fired_rules`) and the result carries the :data:`AGE_UNKNOWN_NOTE`.
    """
    facts = derive(answers)
    fired = fired_rules(answers, facts)
    e_codes = tuple(c for c in RULE_CODES if c in fired and c.startswith("E"))
    u_codes = tuple(c for c in RULE_CODES if c in fired and c.startswith("U"))
    level: Level
    if e_codes:
        level, reasons, also_noted = "EMERGENCY", e_codes, u_codes
    elif u_codes:
        level, reasons, also_noted = "URGENT", u_codes, ()
    else:
        level, reasons, also_noted = "MONITOR", ("M01" if facts.possible_infection else "M00",), ()
    missing = []
    if answers.get("age_years") is None and answers.get("age_months") is None:
        missing.append("age_years")
    if answers.get("infection") is None:
        missing.append("infection")
    group = escalation_group(facts.m)
    return CheckerResult(
        level=level,
        emergency=e_codes,
        urgent=u_codes,
        missing=tuple(sorted(missing)),
        reasons=reasons,
        also_noted=also_noted,
        risk_groups=facts.risk_groups,
        escalation_group=group,
        escalate_if=() if level == "EMERGENCY" else escalation_items(group),
        infection_sites=tuple(answers.get("infection_sites") or ()),
        notes=(AGE_UNKNOWN_NOTE,) if "age_years" in missing else (),
    )
