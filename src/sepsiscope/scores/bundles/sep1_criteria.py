"""SEP-1 severe sepsis and septic shock presentation times — CMS/TJC SEP-1 (manual v5.3 text).

Source: shared/docs/clinical/adult-scores.md §4.2 (checked against the v5.3 measure text and
vendor data-element definitions; re-verify for the reporting period, §8).

Severe sepsis: (a) documented infection (``documentation`` ``infection_suspected``), (b) ≥ 2
SIRS criteria in SEP-1's form, (c) ≥ 1 organ dysfunction — all within 6 h of each other; the
presentation time is when the last was met, or a documented ``severe_sepsis`` if earlier.

Not observable from events and therefore not modelled: an SBP drop > 40 mmHg from a documented
baseline, urine output < 0.5 mL/kg/h for 2 h, and "explained by a chronic condition or
medication" exclusions (all need chart review).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sepsiscope.scores.bundles.events import PatientEvents

#: §4.2: a, b and c must fall within 6 h of each other.
SEVERE_SPAN = timedelta(hours=6)
#: §4.2 (b): SEP-1's SIRS criteria, each (variable, test).
SIRS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "temperature_high": ("temp_c", lambda v: v > 38.3),
    "temperature_low": ("temp_c", lambda v: v < 36.0),
    "heart_rate": ("heart_rate", lambda v: v > 90),
    "resp_rate": ("resp_rate", lambda v: v > 20),
    "wbc_high": ("wbc", lambda v: v > 12.0),  # 10^3/uL: > 12 000/uL
    "wbc_low": ("wbc", lambda v: v < 4.0),  # < 4 000/uL
    "bands": ("bands_pct", lambda v: v > 10.0),
}
#: A temperature (or WBC) high and low are one criterion each (SIRS counts criteria, not tests).
SIRS_CRITERION = {
    "temperature_high": "temperature",
    "temperature_low": "temperature",
    "heart_rate": "heart_rate",
    "resp_rate": "resp_rate",
    "wbc_high": "wbc",
    "wbc_low": "wbc",
    "bands": "wbc",
}
#: §4.2 (c): organ dysfunction from measurements.
ORGAN: dict[str, tuple[str, Callable[[float], bool]]] = {
    "sbp": ("sbp", lambda v: v < 90),
    "map": ("map", lambda v: v < 65),
    "creatinine": ("creatinine", lambda v: v > 2.0),
    "bilirubin": ("bilirubin_total", lambda v: v > 2.0),
    "platelets": ("platelets", lambda v: v < 100.0),  # 10^3/uL: < 100 000/uL
    "inr": ("inr", lambda v: v > 1.5),
    "aptt": ("ptt", lambda v: v > 60.0),
    "lactate": ("lactate", lambda v: v > 2.0),
}
#: §4.2 hypotension for initial/persistent hypotension: SBP < 90 or MAP < 65.
HYPOTENSION: dict[str, Callable[[float], bool]] = {"sbp": lambda v: v < 90, "map": lambda v: v < 65}


def _hits(p: PatientEvents, tests: dict[str, tuple[str, Callable[[float], bool]]]) -> list[tuple[datetime, str]]:
    out: list[tuple[datetime, str]] = []
    for name, (code, test) in tests.items():
        out.extend((t, name) for t, v in p.measures.get(code, []) if test(v))
    return sorted(out)


def severe_sepsis_time(p: PatientEvents) -> datetime | None:
    """Severe sepsis presentation time (§4.2), or ``None``."""
    infection = [(t, "a") for t in p.documented("infection_suspected")]
    sirs = [(t, SIRS_CRITERION[n]) for t, n in _hits(p, SIRS)]
    organ = [(t, "c") for t, _ in _hits(p, ORGAN)]
    organ += [(e.time, "c") for e in p.ventilation]  # a new need for mechanical ventilation
    found: datetime | None = None
    for t in sorted({t for t, _ in infection + sirs + organ}):
        lo = t - SEVERE_SPAN
        ok_a = any(lo <= s <= t for s, _ in infection)
        ok_b = len({n for s, n in sirs if lo <= s <= t}) >= 2
        ok_c = any(lo <= s <= t for s, _ in organ)
        if ok_a and ok_b and ok_c:
            found = t
            break
    documented = p.documented("severe_sepsis")
    candidates = [x for x in (found, documented[0] if documented else None) if x is not None]
    return min(candidates) if candidates else None


def hypotensive_readings(p: PatientEvents) -> list[tuple[datetime, bool]]:
    """Every SBP/MAP reading in time order: (time, hypotensive)."""
    readings = [(t, HYPOTENSION[code](v)) for code in HYPOTENSION for t, v in p.measures.get(code, [])]
    return sorted(readings)
