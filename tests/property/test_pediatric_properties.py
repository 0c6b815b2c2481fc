"""Hypothesis invariants over the pediatric and obstetric scores (pediatric-obstetric.md).

Phoenix monotonicity (a worse value never lowers the score), ``missing`` never grows when an
observation is added, the structural rules of §1.4/§1.8/§1.11/§2.4/§3.2, and the scalar
calculator path agreeing with the vectorised ``compute`` on whole batches.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from sepsiscope.errors import CaseError
from sepsiscope.scores.age import in_age_range
from sepsiscope.scores.arrays import Inputs
from sepsiscope.scores.base import ScoreDefinition, evaluate
from sepsiscope.scores.registry import SCORES
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.validate import validate_case

SCORE_NAMES = ("phoenix", "phoenix8", "pediatric_sirs", "omqsofa", "mewc")
#: Highest age accepted per key (§0.1: Phoenix ≤ 216 months, pediatric SIRS < 216 months).
AGE_MAX = {
    "phoenix": {"age_days": 6574.5, "age_months": 216, "age_years": 18},
    "phoenix8": {"age_days": 6574.5, "age_months": 216, "age_years": 18},
    "pediatric_sirs": {"age_days": 6574, "age_months": 215.99, "age_years": 17.99},
}
#: Extra variables a score reads that its components do not name (modifiers, population).
EXTRA_INPUTS = {
    "phoenix": ("suspected_infection",),
    "omqsofa": ("pregnant", "weeks_postpartum"),
    "mewc": ("pregnant", "weeks_postpartum"),
}
#: Values on or next to the documents' edges, drawn often so the properties meet them.
EDGES = {
    "map": (17, 25, 31, 32, 36, 38, 39, 44, 45, 49, 52),
    "lactate": (4.99, 5, 10.99, 11),
    "pao2": (25, 50, 99.98, 100, 200),
    "spo2": (37, 55, 73, 97, 98),
    "fio2": (0.21, 0.25, 0.5, 1.0),
    "platelets": (99.9, 100),
    "inr": (1.3, 1.31),
    "d_dimer": (2, 2.01),
    "fibrinogen": (99.9, 100),
    "gcs": (10, 11, 14, 15),
    "creatinine": (0.3, 0.4, 0.6, 0.7, 0.8, 1.0),
    "glucose": (50, 150),
    "anc": (0.5,),
    "alc": (1.0,),
    "alt": (102,),
    "bilirubin_total": (4,),
    "heart_rate": (50, 90, 100, 110, 120, 130, 140, 180),
    "resp_rate": (10, 14, 18, 22, 24, 25, 30, 34, 40, 50),
    "wbc": (4.5, 5, 6, 11, 13.5, 15.5, 17.5, 19.5, 34),
    "temp_c": (36.0, 38.5),
    "sbp": (89.9, 90, 160),
    "dbp": (100,),
    "bands_pct": (10,),
    "urine_ml_per_h": (35,),
    "weeks_postpartum": (6,),
    "age_months": (1, 12, 24, 60, 72, 144, 156),
    "age_days": (7,),
}


def value_of(name: str, score: str | None = None) -> st.SearchStrategy[Any]:
    """A valid value of a registry variable (ages kept inside the score's population)."""
    var = REGISTRY[name]
    if var.kind == "boolean":
        return st.booleans()
    if var.kind == "code":
        return st.sampled_from(var.codes)
    lo, hi = float(var.min), float(var.max)  # type: ignore[arg-type]
    if score in AGE_MAX and name in AGE_MAX[score]:
        hi = AGE_MAX[score][name]
    if var.kind == "integer":
        return st.integers(int(lo), int(hi))
    edges = [e for e in EDGES.get(name, ()) if lo <= e <= hi]
    strategies = [
        st.floats(lo, hi, allow_nan=False),
        st.floats(lo, hi, allow_nan=False).map(lambda v: min(max(round(v, 1), lo), hi)),
    ]
    if edges:
        strategies.append(st.sampled_from(edges))
    return st.one_of(*strategies)


def inputs_of(score: str) -> list[str]:
    defn = SCORES[score]
    names = {i for c in defn.components for i in c.inputs} | set(defn.listed_inputs) | set(EXTRA_INPUTS.get(score, ()))
    return sorted(n for n in names if n in REGISTRY)


def case_for(score: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={n: value_of(n, score) for n in inputs_of(score)})


def scored(score: str, case: dict[str, Any]) -> Any:
    return evaluate(SCORES[score], validate_case(case))


def score_and_case() -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    return st.sampled_from(SCORE_NAMES).flatmap(lambda s: st.tuples(st.just(s), case_for(s)))


# --- Phoenix: worse never scores lower (§1.4-§1.7) ---------------------------------------------

#: variable -> (component, True if a higher value is worse)
PHOENIX_WORSE = {
    "lactate": ("cardiovascular", True),
    "vasoactive_count": ("cardiovascular", True),
    "map": ("cardiovascular", False),
    "platelets": ("coagulation", False),
    "inr": ("coagulation", True),
    "d_dimer": ("coagulation", True),
    "fibrinogen": ("coagulation", False),
    "gcs": ("neurologic", False),
    "pao2": ("respiratory", False),
    "fio2": ("respiratory", True),
}


@given(case_for("phoenix"), st.sampled_from(sorted(PHOENIX_WORSE)), st.data())
def test_phoenix_worse_value_never_lowers_score(case, name, data) -> None:
    component, higher_is_worse = PHOENIX_WORSE[name]
    a, b = data.draw(value_of(name, "phoenix")), data.draw(value_of(name, "phoenix"))
    better, worse = sorted((a, b), reverse=not higher_is_worse)
    r_better = scored("phoenix", {**case, name: better})
    r_worse = scored("phoenix", {**case, name: worse})
    assert r_worse.components[component] >= r_better.components[component]
    assert r_worse.total >= r_better.total
    assert r_worse.extras["threshold_met"] >= r_better.extras["threshold_met"]


@given(
    case_for("phoenix"),
    st.sampled_from(("ventilated_invasive", "ventilated", "supplemental_o2", "noninvasive_support")),
)
def test_phoenix_more_support_never_lowers_respiratory(case, flag) -> None:
    without = scored("phoenix", {**case, flag: False}).components["respiratory"]
    with_support = scored("phoenix", {**case, flag: True}).components["respiratory"]
    assert with_support >= without


@given(case_for("phoenix"), st.booleans())
def test_phoenix_fixed_pupils_never_lower_neurologic(case, either) -> None:
    other = "one_fixed" if either else "both_reactive"
    assert (
        scored("phoenix", {**case, "pupils": "both_fixed"}).components["neurologic"]
        >= scored("phoenix", {**case, "pupils": other}).components["neurologic"]
    )


@given(case_for("phoenix"))
def test_phoenix_respiratory_at_most_one_without_imv(case) -> None:
    result = scored("phoenix", {**case, "ventilated_invasive": False})
    assert result.components["respiratory"] in (0, 1)


@given(case_for("phoenix"), st.floats(97.01, 100), st.floats(97.01, 100))
def test_phoenix_spo2_above_97_is_never_used(case, s1, s2) -> None:
    case = {k: v for k, v in case.items() if k != "pao2"}
    assert (
        scored("phoenix", {**case, "spo2": s1}).components["respiratory"]
        == scored("phoenix", {**case, "spo2": s2}).components["respiratory"]
    )


@given(case_for("phoenix"))
def test_phoenix_definitions_follow_total(case) -> None:
    result = scored("phoenix", case)
    total, extras = result.total, result.extras
    assert extras["threshold_met"] is (total is not None and total >= 2)
    if total is not None:
        assert 0 <= total <= 13
        assert total == sum(c or 0 for c in result.components.values())
    else:
        assert all(c is None for c in result.components.values())
    if not extras["threshold_met"] or case.get("suspected_infection") is False:
        assert extras["sepsis"] is False
    elif case.get("suspected_infection") is True:
        assert extras["sepsis"] is True
    else:
        assert extras["sepsis"] is None
    if extras["sepsis"] is False or (result.components["cardiovascular"] or 0) < 1:
        assert extras["septic_shock"] is False
    else:
        assert extras["septic_shock"] is extras["sepsis"]


@given(case_for("phoenix8"))
def test_phoenix8_extends_phoenix(case) -> None:
    p8 = scored("phoenix8", case)
    p4 = scored("phoenix", case)
    for name, value in p4.components.items():
        assert p8.components[name] == value
    assert p8.extras["phoenix_total"] == p4.total
    if p8.total is None:
        assert all(c is None for c in p8.components.values())
    else:
        assert p8.total == (p4.total or 0) + sum(
            p8.components[n] or 0 for n in ("endocrine", "immunologic", "renal", "hepatic")
        )
        assert 0 <= p8.total <= 17


# --- pediatric SIRS, MEWC, omqSOFA rules (§2.4, §3.1, §3.2) ------------------------------------


@given(case_for("pediatric_sirs"))
def test_pediatric_sirs_positive_rule(case) -> None:
    result = scored("pediatric_sirs", case)
    comps = result.components
    values = list(comps.values())
    ones, nulls = values.count(1), values.count(None)
    positive = result.extras["positive"]
    if positive is True:
        assert ones >= 2 and (comps["temperature"] == 1 or comps["wbc"] == 1)
    elif positive is False:
        assert ones + nulls < 2 or (comps["temperature"] == 0 and comps["wbc"] == 0)
    else:
        assert ones + nulls >= 2 and not (comps["temperature"] == 0 and comps["wbc"] == 0)
        assert not (ones >= 2 and (comps["temperature"] == 1 or comps["wbc"] == 1))
    assert (result.extras["age_group"] is None) == all(k not in case for k in ("age_days", "age_months", "age_years"))


@given(case_for("mewc"))
def test_mewc_positive_iff_a_trigger(case) -> None:
    result = scored("mewc", case)
    values = list(result.components.values())
    if 1 in values:
        assert result.extras["positive"] is True
    elif None in values:
        assert result.extras["positive"] is None
        assert result.total is None
    else:
        assert result.extras["positive"] is False
        assert result.total == 0


@given(case_for("omqsofa"))
def test_omqsofa_population_never_changes_the_score(case) -> None:
    base = {k: v for k, v in case.items() if k not in ("pregnant", "weeks_postpartum")}
    with_population = scored("omqsofa", case)
    without = scored("omqsofa", base)
    assert with_population.components == without.components
    assert with_population.missing == without.missing
    expected = case.get("pregnant") is True or case.get("weeks_postpartum", math.inf) <= 6
    assert with_population.extras["in_population"] is expected


# --- common contract properties ----------------------------------------------------------------


@given(score_and_case(), st.data())
def test_adding_an_observation_never_grows_missing(arg, data) -> None:
    score, case = arg
    absent = [n for n in inputs_of(score) if n not in case]
    assume(absent)
    name = data.draw(st.sampled_from(absent))
    bigger = {**case, name: data.draw(value_of(name, score))}
    before = set(scored(score, case).missing)
    after = set(scored(score, bigger).missing)
    assert after <= before


@given(score_and_case())
def test_missing_is_sorted_and_listed(arg) -> None:
    score, case = arg
    result = scored(score, case)
    assert result.missing == sorted(result.missing)
    assert set(result.missing) <= set(SCORES[score].listed_inputs)


def _batch(defn: ScoreDefinition, cases: list[dict[str, Any]]) -> Inputs:
    names = sorted({k for c in cases for k in c})
    cols = {}
    for name in names:
        var = REGISTRY[name]
        col = []
        for c in cases:
            v = c.get(name)
            col.append(np.nan if v is None else var.encode_code(v) if var.kind == "code" else float(v))
        cols[name] = np.array(col, dtype=np.float64)
    return Inputs(cols, len(cases))


def _same(scalar: Any, column_value: float) -> bool:
    return (scalar is None and math.isnan(column_value)) or scalar == column_value


@given(
    st.sampled_from(SCORE_NAMES).flatmap(
        lambda s: st.tuples(st.just(s), st.lists(case_for(s), min_size=1, max_size=40))
    )
)
def test_scalar_equals_vectorised(arg) -> None:
    score, cases = arg
    defn = SCORES[score]
    cases = [validate_case(c) for c in cases]
    batch = defn.compute(_batch(defn, cases))
    for i, case in enumerate(cases):
        one = evaluate(defn, case)
        assert _same(one.total, batch.total[i])
        for name, value in one.components.items():
            assert _same(value, batch.components[name][i]), (name, case)
        assert one.missing == sorted(name for name, mask in batch.missing.items() if mask[i])
        for extra in defn.extras:
            assert one.extras[extra.name] == extra.decode(float(batch.extras[extra.name][i])), (extra.name, case)


@given(
    st.sampled_from(("phoenix", "pediatric_sirs")),
    st.dictionaries(
        st.sampled_from(("age_days", "age_months", "age_years")),
        st.one_of(st.floats(0, 30000), st.sampled_from((17.99, 18, 18.01, 215.99, 216, 216.01, 6574.5, 6575))),
        max_size=3,
    ),
)
def test_population_check_matches_vectorised_mask(score, ages) -> None:
    """``not_pediatric`` from the scalar check exactly where the column mask says out of range (§0.1, §0.2)."""
    case = {k: min(v, REGISTRY[k].max) for k, v in ages.items()}
    included = score == "phoenix"
    mask = in_age_range(_batch(SCORES[score], [case]), limit_included=included)
    try:
        SCORES[score].check_population(case)  # type: ignore[misc]
        raised = False
    except CaseError as err:
        assert err.code == "not_pediatric"
        assert err.variable == next(k for k in ("age_days", "age_months", "age_years") if k in case)
        raised = True
    assert raised == (not bool(mask[0]))
