"""The pure symptom-checker rules (symptom-checker.md): contract, texts, validation, safety."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sepsiscope.cli import app
from sepsiscope.errors import CaseError
from sepsiscope.scores import SCORES
from sepsiscope.scores.calculator import CALCULATORS, run
from sepsiscope.scores.symptom_checker import (
    INPUTS,
    LANGUAGES,
    LEVELS,
    RULES,
    calc_case,
    check_answers,
    result_texts,
    to_contract,
    validate_answers,
)
from sepsiscope.scores.symptom_checker.escalation import ESCALATION, ESCALATION_LAST, SAFETY_NET
from sepsiscope.scores.symptom_checker.facts import RISK_GROUPS
from sepsiscope.scores.symptom_checker.rules import AGE_LIMITED
from sepsiscope.scores.symptom_checker.thresholds import age_boundaries_months
from sepsiscope.variables.registry import REGISTRY
from tests.clinical.symptom_checker_doc import CheckerDoc

#: P1: never said, in any output (case-insensitive).
FORBIDDEN_EN = (
    "you do not have sepsis",
    "you don't have sepsis",
    "not sepsis",
    "no sepsis",
    "sepsis is unlikely",
    "ruled out",
    "rule out",
    "you are fine",
    "nothing to worry about",
    "low risk",
    "safe to stay home",
)
#: The same promises in Spanish.
FORBIDDEN_ES = (
    "no tiene sepsis",
    "no es sepsis",
    "sin sepsis",
    "es poco probable",
    "se descarta",
    "descartada",
    "está bien",
    "nada de qué preocuparse",
    "bajo riesgo",
    "puede quedarse en casa",
)

SAMPLE_CASES = [
    {},
    {"age_years": 30, "infection": False},
    {"age_years": 30, "infection": True},
    {"age_years": 30, "infection": True, "confusion": True},
    {"age_months": 2, "temp_c": 38.5},
    {"age_years": 80, "infection": True, "fever_or_chills": True, "getting_worse": True},
    {"weak_high_pitched_cry": True},
    {"age_years": 7, "infection": True, "resp_rate": 25},
]


def _doc_section(clinical_docs, heading: str) -> str:
    text = (clinical_docs / "symptom-checker.md").read_text(encoding="utf-8")
    return text.split(heading, 1)[1].split("\n### ", 1)[0]


# -- inputs --------------------------------------------------------------------------------


def test_inputs_are_exactly_the_doc_section_3_keys(clinical_docs) -> None:
    text = (clinical_docs / "symptom-checker.md").read_text(encoding="utf-8")
    section = text.split("## 3. Inputs", 1)[1].split("## 4.", 1)[0]
    keys = set(re.findall(r"^\| `(\w+)`", section, re.M)) | {"age_months"}
    assert set(INPUTS) == keys


def test_each_input_is_defined_once() -> None:
    """Lay answers live in inputs.toml; measurement/age/pregnancy keys only in variables.toml."""
    for spec in INPUTS.values():
        assert spec.registry == (spec.name in REGISTRY), spec.name
    assert {k for k, s in INPUTS.items() if s.registry} == {
        "age_years", "age_months", "pregnant", "weeks_postpartum", "temp_c", "heart_rate", "resp_rate", "spo2", "sbp",
    }  # fmt: skip


def test_checker_only_ranges_follow_section_3_4() -> None:
    for key in ("no_urine_hours", "recent_procedure_weeks"):
        assert (INPUTS[key].min, INPUTS[key].max) == (0, 1000)
    for key in ("temp_c", "heart_rate", "resp_rate", "spo2", "sbp", "age_years", "age_months", "weeks_postpartum"):
        assert (INPUTS[key].min, INPUTS[key].max) == (REGISTRY[key].min, REGISTRY[key].max)


@pytest.mark.parametrize(
    ("case", "code", "variable"),
    [
        ([], "not_an_object", None),
        ({"infection": "yes"}, "wrong_type", "infection"),
        ({"infection": 1}, "wrong_type", "infection"),
        ({"infection_sites": "lungs"}, "wrong_type", "infection_sites"),
        ({"infection_sites": ["lungs", 3]}, "wrong_type", "infection_sites"),
        ({"infection_sites": ["lung"]}, "invalid_value", "infection_sites"),
        ({"immune_weakness": ["chemo"]}, "invalid_value", "immune_weakness"),
        ({"chronic_conditions": [None]}, "wrong_type", "chronic_conditions"),
        ({"temp_c": 98.6}, "out_of_range", "temp_c"),
        ({"no_urine_hours": -1}, "out_of_range", "no_urine_hours"),
        ({"no_urine_hours": "12"}, "wrong_type", "no_urine_hours"),
        ({"recent_procedure_weeks": 1001}, "out_of_range", "recent_procedure_weeks"),
        ({"spo2": 101}, "out_of_range", "spo2"),
        ({"age_years": 131}, "out_of_range", "age_years"),
        ({"confused": True}, "unknown_variable", "confused"),
        ({"wbc": 12}, "unknown_variable", "wbc"),
        ({"heart_rate": 80, "feverish": True, "temp_c": 99}, "unknown_variable", "feverish"),
        ({"temp_c": 99, "feverish": True}, "out_of_range", "temp_c"),
    ],
)
def test_validation_first_error_in_key_order(case, code, variable) -> None:
    with pytest.raises(CaseError) as info:
        validate_answers(case)
    assert (info.value.code, info.value.variable) == (code, variable)


def test_null_is_not_answered() -> None:
    assert validate_answers({"infection": None, "temp_c": None, "infection_sites": None}) == {}
    out = calc_case({"age_years": 40, "infection": None})
    assert out["missing"] == ["infection"]


def test_infection_false_is_answered() -> None:
    assert calc_case({"age_years": 40, "infection": False})["missing"] == []


def test_age_months_wins_over_age_years() -> None:
    out = calc_case({"age_years": 40, "age_months": 5, "infection": True})
    assert out["risk_groups"] == ["under_1"]


# -- results -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", SAMPLE_CASES, ids=range(len(SAMPLE_CASES)))
def test_every_result_has_action_reasons_safety_net_and_disclaimer(case) -> None:
    out = calc_case(case)
    assert out["level"] in ("EMERGENCY", "URGENT", "MONITOR")
    assert out["action"] and out["disclaimer"]
    note = int("age_years" in out["missing"])  # §9 D13 sentence, after the reasons
    assert out["reasons"] and len(out["messages"]) == len(out["reasons"]) + len(out["also_noted"]) + note
    assert len(out["safety_net"]) == 5
    assert out["total"] == len(out["components"]["emergency"]) + len(out["components"]["urgent"])
    if out["level"] == "EMERGENCY":
        assert out["escalate_if"] == [] and out["reasons"] == out["components"]["emergency"]
    else:
        assert out["escalate_if"] and out["also_noted"] == []
        assert out["escalate_if"][-1] == {
            "level": "URGENT",
            "text": "The infection gets worse, or is not getting better",
        }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_ever_says_no_sepsis(lang) -> None:
    """P1, over every result text of every language (the screens are scanned in tests/unit/checker)."""
    forbidden = FORBIDDEN_EN if lang == "en" else FORBIDDEN_ES
    for section in result_texts(lang).values():
        for text in section.values():
            for phrase in forbidden:
                assert phrase not in text.lower(), (lang, phrase, text)


def test_no_scores_or_codes_in_result_texts() -> None:
    """P3: no scores, codes or percentages shown to the person."""
    for lang in LANGUAGES:
        for section in result_texts(lang).values():
            for text in section.values():
                assert not re.search(r"\b[EUM]\d\d\b|%|\bscore\b|puntuaci", text), text


def test_english_result_texts_are_the_doc_texts(clinical_docs) -> None:
    doc = CheckerDoc(clinical_docs / "symptom-checker.md")
    en = result_texts("en")
    assert en["action"] == doc.action
    assert en["reason"] == doc.reason
    assert [en["safety_net"][k] for k in SAFETY_NET] == doc.safety_net
    assert en["disclaimer"]["text"] == doc.disclaimer
    assert en["note"] == {"age_unknown": doc.age_note}
    by_prefix = {k.split(" (")[0]: v for k, v in doc.escalate.items()}
    for group, doc_group in (("under_5", "under 5 years"), ("5_to_11", "5–11 years"), ("12_plus", "12 and over")):
        assert [(lvl, en["escalate"][key]) for lvl, key in ESCALATION[group]] == by_prefix[doc_group]
    assert (ESCALATION_LAST[0], en["escalate"][ESCALATION_LAST[1]]) == doc.escalate_last


def test_same_text_means_same_key() -> None:
    """§7.5 "age unknown" drops repeated texts; the code does that by key, so equal texts must share one."""
    en = result_texts("en")["escalate"]
    assert len(set(en.values())) == len(en)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_result_catalogues_have_the_same_keys_and_no_empty_text(lang) -> None:
    en, other = result_texts("en"), result_texts(lang)
    assert {s: set(v) for s, v in other.items()} == {s: set(v) for s, v in en.items()}
    assert all(text.strip() for section in other.values() for text in section.values())


def test_rule_table_matches_doc_codes(clinical_docs) -> None:
    text = (clinical_docs / "symptom-checker.md").read_text(encoding="utf-8")
    section = text.split("## 6. Decision rules", 1)[1].split("### 6.3", 1)[0]
    assert [r.code for r in RULES] == re.findall(r"^\| ([EU]\d\d) \|", section, re.M)
    assert set(result_texts("en")["reason"]) == {r.code for r in RULES} | {"M00", "M01"}


def test_risk_group_order_is_the_doc_order(clinical_docs) -> None:
    text = (clinical_docs / "symptom-checker.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `risk_groups`"))
    assert tuple(re.findall(r"`(\w+)`", row)[1:]) == RISK_GROUPS


def test_age_boundaries_are_where_rules_change() -> None:
    assert age_boundaries_months() == (0, 3, 7, 12, 36, 60, 72, 96, 144, 192, 780, 900)


def test_age_limited_rules_are_the_doc_list(clinical_docs) -> None:
    """§6 names E09-E14, E16, U02-U07, U11; U07 keeps the 12+ urine cut-offs ("already the strictest")."""
    doc = CheckerDoc(clinical_docs / "symptom-checker.md")
    assert doc.age_limited - {"U07"} == AGE_LIMITED


def test_missing_age_reads_age_rules_at_their_strictest_and_urine_as_12_plus() -> None:
    """D13 (was: skipped). Urine without age stays on the 12+ cut-offs (D4): E08 only, not U07."""
    out = calc_case({"no_urine_hours": 20, "resp_rate": 70, "heart_rate": 200})
    assert out["components"] == {"emergency": ["E08", "E11", "E12"], "urgent": []}
    assert out["missing"] == ["age_years", "infection"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_age_adds_the_d13_sentence_last(lang) -> None:
    note = result_texts(lang)["note"]["age_unknown"]
    without_age = to_contract(check_answers({"spo2": 80}), lang)
    assert without_age["messages"] == [result_texts(lang)["reason"]["E13"], note]
    with_age = to_contract(check_answers({"age_months": 0, "spo2": 80}), lang)
    assert note not in with_age["messages"]


def test_age_months_alone_is_an_age() -> None:
    assert "age_years" not in calc_case({"age_months": 30})["missing"]
    assert calc_case({"age_months": 30})["messages"] == [result_texts("en")["reason"]["M00"]]


_MEASURES = st.fixed_dictionaries(
    {},
    optional={
        "infection": st.booleans(),
        "temp_c": st.floats(25, 45),
        "heart_rate": st.floats(0, 300),
        "resp_rate": st.floats(0, 100),
        "spo2": st.floats(0, 100),
        "sbp": st.floats(0, 350),
        "no_urine_hours": st.floats(0, 1000),
        "pregnant": st.booleans(),
        "immune_weakness": st.just(["other"]),
        "behaving_differently": st.booleans(),
        "leg_pain": st.booleans(),
    },
)


@settings(max_examples=300, deadline=None)
@given(case=_MEASURES, months=st.floats(0, 1560))
def test_missing_age_fires_every_age_limited_rule_that_some_age_fires(case, months) -> None:
    """D13 invariant: without an age, an age-limited rule fires whenever it fires at some age.

    ``months`` is any age (not only the band starts the rules try), so this also checks
    that the band starts stand for every age. The exception is the one the doc prints:
    SpO2 90 to < 92 (child U04) is E13 ("≤ 91") without an age.
    """
    without_age = check_answers(case)
    with_age = check_answers({**case, "age_months": months})
    fired_without = set(without_age.emergency + without_age.urgent)
    fired_with = set(with_age.emergency + with_age.urgent)
    for code in (fired_with & AGE_LIMITED) - fired_without:
        # the one printed exception (§6 U04 "age missing: 92 to 94; ≤ 91 is E13")
        assert code == "U04" and "E13" in fired_without, (code, fired_without)
    assert LEVELS.index(without_age.level) <= LEVELS.index(with_age.level) or (
        set(with_age.risk_groups) - set(without_age.risk_groups)
    ), "without an age the level may only be lower through an age risk group (U09/U12)"


def test_infection_sites_do_not_change_the_level() -> None:
    base = {"age_years": 40, "infection": True}
    assert (
        calc_case(base)["level"]
        == calc_case({**base, "infection_sites": list(INPUTS["infection_sites"].codes)})["level"]
    )
    assert check_answers({**base, "infection_sites": ["lungs"]}).infection_sites == ("lungs",)


# -- the calculator and CLI ----------------------------------------------------------------


def test_symptom_checker_is_a_calculator_but_not_a_score() -> None:
    assert "symptom_checker" in CALCULATORS
    assert "symptom_checker" not in SCORES


def test_calc_cli_contract() -> None:
    stdin = '{"age_years": 45, "infection": true, "confusion": true}\n\n{"age_years": 30, "infected": true}\nnope\n'
    result = CliRunner().invoke(app, ["calc", "symptom_checker"], input=stdin)
    assert result.exit_code == 1
    first, second, third = (json.loads(x) for x in result.stdout.splitlines())
    assert first["level"] == "EMERGENCY" and first["reasons"] == ["E01"]
    assert second == {
        "score": "symptom_checker",
        "error": {"code": "unknown_variable", "variable": "infected", "message": second["error"]["message"]},
    }
    assert second["error"]["message"].startswith("line 3:")
    assert third["error"]["code"] == "invalid_json"


def test_calc_cli_all_ok_exit_0_and_explain() -> None:
    result = CliRunner().invoke(
        app, ["calc", "symptom_checker", "--explain"], input='{"age_years": 80, "infection": true}\n'
    )
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["explanations"] == {"U09": "NICE most vulnerable; CDC"}
    assert "symptom-checker.md" in out["citation"]


def test_unknown_calculator_lists_symptom_checker() -> None:
    result = CliRunner().invoke(app, ["calc", "nope"], input="{}\n")
    assert result.exit_code == 2 and "symptom_checker" in result.stderr


def test_run_yields_in_order() -> None:
    lines = list(run("symptom_checker", ['{"confusion": true}', "", '{"infection": false}']))
    assert [(x.line, x.payload["level"]) for x in lines] == [(1, "EMERGENCY"), (3, "MONITOR")]
