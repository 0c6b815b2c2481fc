"""Age resolution for the age-banded pediatric scores (Phoenix, Phoenix-8, pediatric SIRS).

Source: shared/docs/clinical/pediatric-obstetric.md §0.2 (most specific key wins:
``age_days``, else ``age_months``, else ``age_years``; 1 month = 30.4375 days; ages are
chronological, not corrected for prematurity) and §0.1 (the ``not_pediatric`` error; a
negative age is already ``out_of_range`` through the registry).

The column functions serve the vectorised ``compute`` of each score; the scalar helpers
serve ``ScoreDefinition.check_population``, which sees the validated case dict. Both use
the same conversion, so the population check and the age bands always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sepsiscope.errors import CaseError
from sepsiscope.scores.arrays import BoolArray, FloatArray, Inputs
from sepsiscope.scores.base import Population

DAYS_PER_MONTH = 30.4375
MONTHS_PER_YEAR = 12
#: Most specific first (§0.2).
AGE_KEYS = ("age_days", "age_months", "age_years")
#: 18 years; Phoenix includes it (≤ 216), pediatric SIRS excludes it (< 216).
PEDIATRIC_LIMIT_MONTHS = 216


def age_months(x: Inputs) -> FloatArray:
    """Age in months from the most specific age key present; NaN where none is given."""
    months = x["age_years"] * MONTHS_PER_YEAR
    months = np.where(x.present("age_months"), x["age_months"], months)
    return np.where(x.present("age_days"), x["age_days"] / DAYS_PER_MONTH, months)  # type: ignore[no-any-return]


def age_days(x: Inputs) -> FloatArray:
    """Age in days from the most specific age key present; NaN where none is given."""
    return np.where(x.present("age_days"), x["age_days"], age_months(x) * DAYS_PER_MONTH)  # type: ignore[no-any-return]


def in_age_range(x: Inputs, limit_months: float = PEDIATRIC_LIMIT_MONTHS, *, limit_included: bool) -> BoolArray:
    """Vectorised twin of :func:`pediatric_population`: False where the row would be ``not_pediatric``.

    Rows without any age key are in range (the calculator scores them without the
    age-dependent parts). For cohort callers, which must drop or flag rows that are False.
    """
    months = age_months(x)
    too_old = months > limit_months if limit_included else months >= limit_months
    return ~too_old  # type: ignore[no-any-return]


def age_key(case: Mapping[str, Any]) -> str | None:
    """The age key §0.2 uses for this case (the most specific one present), or ``None``."""
    return next((key for key in AGE_KEYS if case.get(key) is not None), None)


def case_age_months(case: Mapping[str, Any]) -> float | None:
    """Scalar twin of :func:`age_months` for one validated case."""
    key = age_key(case)
    if key is None:
        return None
    value = float(case[key])
    if key == "age_days":
        return value / DAYS_PER_MONTH
    if key == "age_years":
        return value * MONTHS_PER_YEAR
    return value


def pediatric_population(limit_months: float = PEDIATRIC_LIMIT_MONTHS, *, limit_included: bool) -> Population:
    """A ``check_population`` raising ``not_pediatric`` above the score's age range.

    ``limit_included=True``: ages up to and including ``limit_months`` are scored (Phoenix,
    error when > 216). ``False``: the limit itself is out of range (pediatric SIRS, error
    when ≥ 216). No age key: nothing to check (the age-dependent parts are then unscored).
    """

    def check(case: Mapping[str, Any]) -> None:
        key, months = age_key(case), case_age_months(case)
        if key is None or months is None:
            return
        too_old = months > limit_months if limit_included else months >= limit_months
        if too_old:
            bound = f"> {limit_months:g}" if limit_included else f"≥ {limit_months:g}"
            raise CaseError(
                "not_pediatric",
                key,
                f"{key} {case[key]:g} is {months:g} months ({bound} months): this score is for children under 18",
            )

    return check
