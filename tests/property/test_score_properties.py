"""Hypothesis invariants over the adult scores (shared/docs/style.md §3 "Property tests")."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from sepsiscope.scores.arrays import Inputs
from sepsiscope.scores.base import evaluate
from sepsiscope.scores.registry import SCORES
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import CONVERSIONS, convert, from_canonical
from sepsiscope.variables.validate import validate_case

ADULT = ("sirs", "qsofa", "news2", "mews", "sofa")


def value_of(name: str) -> st.SearchStrategy:
    var = REGISTRY[name]
    if var.kind == "boolean":
        return st.booleans()
    if var.kind == "code":
        return st.sampled_from(var.codes)
    if var.kind == "integer":
        return st.integers(int(var.min), int(var.max))
    return st.floats(var.min, var.max, allow_nan=False).map(lambda x: round(x, 2))


def case_for(score: str) -> st.SearchStrategy[dict]:
    defn = SCORES[score]
    names = sorted({i for c in defn.components for i in c.inputs} | set(defn.listed_inputs))
    return st.fixed_dictionaries({}, optional={n: value_of(n) for n in names})


#: Variables whose component can only get worse as the value moves away from this normal.
NORMALS = {
    ("news2", "resp_rate"): 16,
    ("news2", "sbp"): 150,
    ("news2", "heart_rate"): 70,
    ("news2", "temp_c"): 37,
    ("mews", "sbp"): 150,
    ("mews", "heart_rate"): 70,
    ("mews", "resp_rate"): 12,
    ("mews", "temp_c"): 37,
    ("sirs", "heart_rate"): 70,
    ("sirs", "temp_c"): 37,
    ("qsofa", "resp_rate"): 16,
    ("qsofa", "sbp"): 150,
}


@given(st.sampled_from(sorted(NORMALS)), st.floats(0, 1), st.floats(0, 1), st.booleans())
def test_worse_vital_never_lowers_its_component(key, f1, f2, above) -> None:
    score, name = key
    var = REGISTRY[name]
    normal = NORMALS[key]
    edge = var.max if above else var.min
    a, b = sorted((f1, f2))
    near, far = normal + (edge - normal) * a, normal + (edge - normal) * b
    comp = next(c.name for c in SCORES[score].components if name in c.inputs)
    p_near = evaluate(SCORES[score], {name: near}).components[comp]
    p_far = evaluate(SCORES[score], {name: far}).components[comp]
    assert p_far >= p_near


@given(st.floats(0, 3000), st.floats(0, 3000))
def test_lower_platelets_never_lower_sofa_coagulation(x, y) -> None:
    lo, hi = sorted((x, y))
    sofa = SCORES["sofa"]
    assert (
        evaluate(sofa, {"platelets": lo}).components["coagulation"]
        >= evaluate(sofa, {"platelets": hi}).components["coagulation"]
    )


@given(st.sampled_from(ADULT).flatmap(lambda s: st.tuples(st.just(s), case_for(s))))
def test_total_in_range_and_sum_of_components(arg) -> None:
    score, case = arg
    defn = SCORES[score]
    result = evaluate(defn, validate_case(case))
    comps = list(result.components.values())
    if result.total is not None:
        lo, hi = defn.total_range
        assert lo <= result.total <= hi
        assert result.total == sum(c or 0 for c in comps)
    if None not in comps:
        assert result.total == sum(comps)


@given(st.sampled_from(ADULT).flatmap(lambda s: st.tuples(st.just(s), case_for(s), st.data())))
def test_more_data_never_hides_data(arg) -> None:
    score, case, data = arg
    defn = SCORES[score]
    names = sorted({i for c in defn.components for i in c.inputs} | set(defn.listed_inputs))
    absent = [n for n in names if n not in case]
    assume(absent)
    extra = data.draw(st.sampled_from(absent))
    bigger = {**case, extra: data.draw(value_of(extra))}
    before = set(evaluate(defn, validate_case(case)).missing)
    after = set(evaluate(defn, validate_case(bigger)).missing)
    assert after <= before


@given(st.sampled_from(ADULT).flatmap(lambda s: st.tuples(st.just(s), st.lists(case_for(s), min_size=1, max_size=20))))
def test_scalar_equals_vectorised(arg) -> None:
    score, cases = arg
    defn = SCORES[score]
    cases = [validate_case(c) for c in cases]
    names = sorted({k for c in cases for k in c})
    cols = {}
    for name in names:
        var = REGISTRY[name]
        vals = []
        for c in cases:
            v = c.get(name)
            vals.append(np.nan if v is None else var.encode_code(v) if var.kind == "code" else float(v))
        cols[name] = np.array(vals)
    batch = defn.compute(Inputs(cols, len(cases)))
    for i, case in enumerate(cases):
        one = evaluate(defn, case)
        total = batch.total[i]
        assert (one.total is None and math.isnan(total)) or one.total == total
        for name, value in one.components.items():
            got = batch.components[name][i]
            assert (value is None and math.isnan(got)) or value == got


PAIRS = [(v, u) for v, units in CONVERSIONS.items() for u in units]


@given(st.sampled_from(PAIRS), st.floats(0, 1))
def test_units_round_trip(pair, frac) -> None:
    variable, unit = pair
    var = REGISTRY[variable]
    lo, hi = var.min, var.max
    if variable == "fio2":
        lo = 0.21
    x = lo + (hi - lo) * frac
    there = from_canonical(x, variable, unit)
    back = convert(there, variable, unit)
    assert back == __import__("pytest").approx(x, abs=1e-4)
