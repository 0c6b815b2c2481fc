"""Surviving Sepsis Campaign hour-1 bundle — Levy 2018, operationalised as decision D-14.

Source: Levy MM, Evans LE, Rhodes A. Crit Care Med 2018;46(6):997-1000. Rules:
shared/docs/clinical/adult-scores.md §4.1 (windows D-14, §7); report shape §4.3.

| element | applicable | met when |
|---|---|---|
| ``lactate`` | always | a lactate collected in [T0 − 6 h, T0 + 1 h] |
| ``blood_cultures`` | always | first blood culture in [T0 − 24 h, T0 + 1 h], not after the episode's first antibiotic |
| ``antibiotics`` | always | first IV antibiotic in [T0 − 24 h, T0 + 1 h] |
| ``fluids`` | SBP < 90, MAP < 65 or lactate ≥ 4.0 in [T0 − 6 h, T0 + 1 h] | crystalloid started in that window |
| ``vasopressors`` | MAP < 65 after the fluids (none: from T0) by T0 + 1 h | a vasopressor running in [T0, T0 + 1 h] |

The lactate re-measurement (initial > 2 mmol/L: a later lactate by T0 + 6 h) is reported in
``separate``, outside hour-1 compliance ("reported separately", §4.1). An action not found in the
events is ``met: false`` (the event table is the record); ``met`` is null only when the data
needed to decide are absent (e.g. the fluid element without weight reports no 30 mL/kg target
but is still decided by the start of a crystalloid, as §4.1 asks only that it *begins*).

Time zero (§4.1): ED triage for patients whose sepsis began in the emergency department (onset
before the first admission that follows the triage), otherwise ``t_onset`` (§3.5).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sepsiscope.scores.bundles.events import PatientEvents, first_in, running_in
from sepsiscope.scores.bundles.report import BundleReport, Element
from sepsiscope.variables.events import Event

#: adult-scores.md §4.1 / D-14: every hour-1 element is due by T0 + 1 h.
DUE = timedelta(hours=1)
#: D-14: look-back for lactate and fluids …
LOOKBACK_SHORT = timedelta(hours=6)
#: … and for cultures and antibiotics.
LOOKBACK_LONG = timedelta(hours=24)
#: §4.1: the lactate re-measurement is due by T0 + 6 h.
REMEASURE_DUE = timedelta(hours=6)
#: §4.1 (Levy 2018): re-measure when the initial lactate is > 2 mmol/L.
LACTATE_REMEASURE_ABOVE = 2.0
#: §4.1: fluids apply for lactate ≥ 4 mmol/L …
LACTATE_FLUIDS_AT = 4.0
#: … or hypotension: SBP < 90 mmHg …
SBP_BELOW = 90.0
#: … or MAP < 65 mmHg (also the vasopressor trigger).
MAP_BELOW = 65.0
#: The hour-1 elements of §4.1, in report order.
ELEMENTS = ("lactate", "blood_cultures", "antibiotics", "fluids", "vasopressors")
#: §4.1: the fluid target is 30 mL/kg crystalloid.
FLUID_ML_PER_KG = 30.0


def time_zero(events: Iterable[Event], t_onset: datetime | None) -> datetime | None:
    """SSC time zero (§4.1): ED triage if sepsis began in the ED, else ``t_onset``."""
    if t_onset is None:
        return None
    evs = sorted((e for e in events if e.kind == "encounter"), key=lambda e: e.time)
    triages = [e.time for e in evs if e.code == "ed_triage" and e.time <= t_onset]
    if not triages:
        return t_onset
    triage = triages[-1]
    admitted = [e.time for e in evs if e.code in ("hospital_admission", "icu_admission") and e.time > triage]
    return triage if not admitted or t_onset < admitted[0] else t_onset


def ssc_hour1(events: Iterable[Event], t0: datetime | None, *, now: datetime | None = None) -> BundleReport:
    """The hour-1 bundle of one encounter with time zero ``t0`` (§4.1), as it stood at ``now``.

    With ``now`` before an element's deadline, an element not yet met is ``met: null`` (still
    open): the ward dashboard's bundle clocks.
    """
    if t0 is None:
        return BundleReport("ssc_hour1", None, {}, note="no time zero: no Sepsis-3 onset and no ED triage")
    p = PatientEvents.of(events, now)
    due = t0 + DUE
    elements = {
        "lactate": _lactate(p, t0, due),
        "blood_cultures": _cultures(p, t0, due),
        "antibiotics": _antibiotics(p, t0, due),
        "fluids": _fluids(p, t0, due),
        "vasopressors": _vasopressors(p, t0, due),
    }
    separate = {"lactate_remeasure": _remeasure(p, t0)}
    if now is not None:
        elements = {k: _open(v, now) for k, v in elements.items()}
        separate = {k: _open(v, now) for k, v in separate.items()}
    return BundleReport("ssc_hour1", t0, elements, separate)


def _open(e: Element, now: datetime) -> Element:
    if e.met is False and now < e.deadline:
        return Element(e.applicable, None, e.time, e.deadline, "open: due later")
    return e


def _lactate(p: PatientEvents, t0: datetime, due: datetime) -> Element:
    found = p.readings("lactate", t0 - LOOKBACK_SHORT, due)
    return Element(True, bool(found), found[0][0] if found else None, due)


def _remeasure(p: PatientEvents, t0: datetime) -> Element:
    due = t0 + REMEASURE_DUE
    initial = p.readings("lactate", t0 - LOOKBACK_SHORT, t0 + DUE)
    if not initial or initial[0][1] <= LACTATE_REMEASURE_ABOVE:
        return Element(False, None, None, due, "initial lactate absent or ≤ 2 mmol/L")
    later = [r for r in p.measures.get("lactate", []) if initial[0][0] < r[0] <= due]
    return Element(True, bool(later), later[0][0] if later else None, due)


def _first_antibiotic(p: PatientEvents, t0: datetime, due: datetime) -> Event | None:
    return first_in(p.antibiotics, t0 - LOOKBACK_LONG, due)


def _cultures(p: PatientEvents, t0: datetime, due: datetime) -> Element:
    culture = first_in(p.blood_cultures, t0 - LOOKBACK_LONG, due)
    if culture is None:
        return Element(True, False, None, due, "no blood culture in [T0 − 24 h, T0 + 1 h]")
    abx = _first_antibiotic(p, t0, due)
    if abx is not None and culture.time > abx.time:
        return Element(True, False, culture.time, due, f"first antibiotic at {abx.time.isoformat()} came first")
    return Element(True, True, culture.time, due)


def _antibiotics(p: PatientEvents, t0: datetime, due: datetime) -> Element:
    abx = first_in(p.antibiotics_iv, t0 - LOOKBACK_LONG, due)
    return Element(True, abx is not None, abx.time if abx else None, due, None if abx else "no IV antibiotic in window")


def _hypoperfusion(p: PatientEvents, t0: datetime, due: datetime) -> tuple[bool, str]:
    lo = t0 - LOOKBACK_SHORT
    sbp, map_, lac = p.readings("sbp", lo, due), p.readings("map", lo, due), p.readings("lactate", lo, due)
    reasons = [
        name
        for name, hit in (
            ("SBP < 90", any(v < SBP_BELOW for _, v in sbp)),
            ("MAP < 65", any(v < MAP_BELOW for _, v in map_)),
            ("lactate ≥ 4", any(v >= LACTATE_FLUIDS_AT for _, v in lac)),
        )
        if hit
    ]
    if reasons:
        return True, ", ".join(reasons)
    if not (sbp or map_ or lac):
        return False, "no SBP, MAP or lactate in [T0 − 6 h, T0 + 1 h]: applicability unknown, taken as not applicable"
    return False, "no hypotension and lactate < 4"


def _fluids(p: PatientEvents, t0: datetime, due: datetime) -> Element:
    applies, why = _hypoperfusion(p, t0, due)
    if not applies:
        return Element(False, None, None, due, why)
    started = [e for e in p.crystalloids if t0 - LOOKBACK_SHORT <= e.time <= due]
    volume = sum(e.value or 0.0 for e in started)
    weight = p.weight_kg(t0)
    target = f"target {FLUID_ML_PER_KG * weight:g} mL" if weight is not None else "target unknown (no weight)"
    detail = f"{why}; {volume:g} mL crystalloid started in window; {target}"
    return Element(True, bool(started), started[0].time if started else None, due, detail)


def _vasopressors(p: PatientEvents, t0: datetime, due: datetime) -> Element:
    started = [e for e in p.crystalloids if t0 - LOOKBACK_SHORT <= e.time <= due]
    after = max((e.end or e.time) for e in started) if started else t0
    low = [t for t, v in p.readings("map", after, due) if v < MAP_BELOW]
    if not low:
        return Element(False, None, None, due, "no MAP < 65 after fluids by T0 + 1 h")
    run = running_in(p.vasopressors, t0, due)
    return Element(True, run is not None, run.time if run else None, due, f"MAP < 65 at {low[0].isoformat()}")
