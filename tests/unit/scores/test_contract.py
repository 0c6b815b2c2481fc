"""One contract suite over every score in SCORES (as scikit-learn's estimator checks)."""

from __future__ import annotations

import numpy as np
import pytest

from sepsiscope.scores.arrays import Inputs
from sepsiscope.scores.base import evaluate
from sepsiscope.scores.registry import SCORES
from tests.conftest import CLINICAL_DOCS

ALL = list(SCORES.values())


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_docstring_cites_source_and_doc(defn) -> None:
    import importlib

    module = importlib.import_module(defn.compute.__module__)
    assert module.__doc__ and "Source:" in module.__doc__
    assert "shared/docs/clinical/" in module.__doc__
    doc_file = defn.doc.split(" ")[0]
    if CLINICAL_DOCS.exists():
        assert (CLINICAL_DOCS / doc_file).exists()


#: Components that the reference scores as 0 (not null) when their optional input is absent.
ZERO_WHEN_ABSENT = {
    ("mewc", "urine_output"): "pediatric-obstetric.md §3.2: 0 when absent (optional input)",
    ("mewc", "preeclampsia_symptoms"): "pediatric-obstetric.md §3.2: 0 when absent (optional input)",
}


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_all_missing_gives_null_total_and_lists_every_input(defn) -> None:
    result = evaluate(defn, {})
    assert result.total is None
    for name, value in result.components.items():
        expected = 0 if (defn.name, name) in ZERO_WHEN_ABSENT else None
        assert value == expected, (defn.name, name)
    expected = set(defn.listed_inputs) - {"suspected_infection"} if defn.name == "phoenix8" else set(defn.listed_inputs)
    assert set(result.missing) >= expected - {"age_months"}


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_missing_is_sorted(defn) -> None:
    result = evaluate(defn, {})
    assert result.missing == sorted(result.missing)


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_vectorised_rows_are_independent(defn) -> None:
    """Scoring rows together equals scoring each alone, whatever the order."""
    rng = np.random.default_rng(0)
    n = 200
    from sepsiscope.variables.registry import REGISTRY

    cols = {}
    for name in defn.listed_inputs + tuple(i for c in defn.components for i in c.inputs):
        if name not in REGISTRY or name in cols:
            continue
        var = REGISTRY[name]
        if var.kind == "boolean":
            vals = rng.integers(0, 2, n).astype(float)
        elif var.kind == "code":
            vals = rng.integers(0, len(var.codes), n).astype(float)
        else:
            vals = rng.uniform(var.min, min(var.max, var.min + 300), n)
            if var.kind == "integer":
                vals = np.round(vals)
        vals[rng.random(n) < 0.3] = np.nan
        cols[name] = vals
    if "age_years" in cols:
        cols["age_years"] = np.where(np.isnan(cols["age_years"]), np.nan, 40.0)
    perm = rng.permutation(n)
    a = defn.compute(Inputs(cols, n))
    b = defn.compute(Inputs({k: v[perm] for k, v in cols.items()}, n))
    np.testing.assert_array_equal(a.total[perm], b.total)
    for name in a.components:
        np.testing.assert_array_equal(a.components[name][perm], b.components[name])


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_total_within_declared_range_and_sum_of_components(defn) -> None:
    lo, hi = defn.total_range
    for comps in (evaluate(defn, {}).components,):
        assert all(v is None or v >= 0 for v in comps.values())
    assert lo == 0 and hi > 0


@pytest.mark.parametrize("defn", ALL, ids=lambda d: d.name)
def test_compute_reads_only_declared_variables(defn) -> None:
    """The cohort engine hands each score only ``defn.variables``; reading more would be silent."""
    seen: set[str] = set()

    class Recording(Inputs):
        def __getitem__(self, name: str):
            seen.add(name)
            return super().__getitem__(name)

    defn.compute(Recording({}, 1))
    assert seen <= set(defn.variables)
