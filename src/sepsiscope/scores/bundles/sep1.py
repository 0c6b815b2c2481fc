"""CMS SEP-1 "Severe Sepsis and Septic Shock: Management Bundle" for one encounter.

Source: CMS/TJC Specifications Manual, measure SEP-1 (NQF #0500), measure text of manual v5.3
(discharges 01-01-18 to 06-30-18) plus vendor data-element definitions; rules:
shared/docs/clinical/adult-scores.md §4.2, report §4.3. Presentation times are in
:mod:`sepsiscope.scores.bundles.sep1_criteria`.

| element | applicable | met when (deadline) |
|---|---|---|
| ``initial_lactate`` | always | collected in [P − 6 h, P + 3 h] (P + 3 h) |
| ``blood_cultures`` | always | collected in [P − 24 h, P + 3 h] and not after the antibiotic (P + 3 h) |
| ``antibiotics`` | always | IV antibiotic started in [P − 24 h, P + 3 h] (P + 3 h) |
| ``repeat_lactate`` | initial lactate > 2 | a later lactate by P + 6 h (P + 6 h) |
| ``crystalloid`` | initial hypotension or septic shock | 30 mL/kg started in [R − 6 h, R + 3 h] (R + 3 h) |
| ``vasopressors`` | hypotension persisting after the crystalloid | a vasopressor running in [S, S + 6 h] (S + 6 h) |
| ``perfusion_reassessment`` | shock with persistent hypotension or lactate ≥ 4 | documented after fluids (S + 6 h) |

P = severe sepsis presentation, S = septic shock presentation, R = the earlier of initial
hypotension and S; the crystalloid element is null when the weight is unknown. Denominator exclusions (§4.2)
are not modelled; a vasopressor already running at S counts as started (§4.2 is silent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sepsiscope.scores.bundles.events import PatientEvents, first_in, running_in
from sepsiscope.scores.bundles.report import BundleReport, Element
from sepsiscope.scores.bundles.sep1_criteria import hypotensive_readings, severe_sepsis_time
from sepsiscope.variables.events import Event

#: §4.2: the version of the manual the rules were taken from (record it, §4.3).
MANUAL_VERSION = "5.3"
#: The SEP-1 elements of §4.2, in report order.
ELEMENTS = (
    "initial_lactate",
    "blood_cultures",
    "antibiotics",
    "repeat_lactate",
    "crystalloid",
    "vasopressors",
    "perfusion_reassessment",
)
H = timedelta(hours=1)
#: §4.2: 3-h elements are due 3 h after presentation; 6-h elements 6 h after.
DUE_3H, DUE_6H = 3 * H, 6 * H
#: §4.2: look-back 6 h (lactate, crystalloid, initial hypotension) and 24 h (cultures, antibiotics).
BACK_6H, BACK_24H = 6 * H, 24 * H
#: §4.2: initial hypotension is looked for up to 6 h after presentation.
HYPOTENSION_AFTER = 6 * H
#: §4.2: persistent hypotension = two consecutive low readings in the hour after the crystalloid.
PERSIST_WITHIN = 1 * H
#: §4.2: repeat lactate when the initial lactate is > 2 mmol/L …
LACTATE_REPEAT_ABOVE = 2.0
#: … septic shock (and the reassessment) when it is ≥ 4 mmol/L.
LACTATE_SHOCK_AT = 4.0
#: §4.2: the crystalloid target is 30 mL/kg.
FLUID_ML_PER_KG = 30.0


@dataclass(frozen=True)
class _Fluids:
    volume_ml: float
    target_ml: float | None
    completed: datetime | None  # when the cumulative volume reached the target


def _fluids(p: PatientEvents, lo: datetime, hi: datetime, weight: float | None) -> _Fluids:
    target = None if weight is None else FLUID_ML_PER_KG * weight
    total, completed = 0.0, None
    for e in p.crystalloids:
        if lo <= e.time <= hi:
            total += e.value or 0.0
            if completed is None and target is not None and total >= target:
                completed = e.end or e.time
    return _Fluids(total, target, completed)


def sep1(events: Iterable[Event], *, now: datetime | None = None, manual_version: str = MANUAL_VERSION) -> BundleReport:
    """The SEP-1 report of one encounter (§4.2, §4.3), as it stood at ``now`` when given."""
    p = PatientEvents.of(events, now)
    pres = severe_sepsis_time(p)
    if pres is None:
        return BundleReport("sep1", None, {}, manual_version=manual_version, note="no severe sepsis presentation")
    lactates = p.readings("lactate", pres - BACK_6H, pres + DUE_3H)
    initial = lactates[0] if lactates else None
    weight = p.weight_kg(pres)
    early = _fluids(p, pres - BACK_6H, pres + HYPOTENSION_AFTER, weight)
    bp = hypotensive_readings(p)
    t_hypo = next(
        (
            t
            for t, low in bp
            if low
            and pres - BACK_6H <= t <= pres + HYPOTENSION_AFTER
            and (early.completed is None or t < early.completed)
        ),
        None,
    )
    persistent = _persistent(bp, early.completed)
    shock = [t for t in (persistent, p.documented("septic_shock")[0] if p.documented("septic_shock") else None) if t]
    if initial is not None and initial[1] >= LACTATE_SHOCK_AT:
        shock.append(max(pres, initial[0]))
    t_shock = min(shock) if shock else None
    elements = {
        "initial_lactate": Element(True, initial is not None, initial[0] if initial else None, pres + DUE_3H),
        "blood_cultures": _cultures(p, pres),
        "antibiotics": _antibiotics(p, pres),
        "repeat_lactate": _repeat(p, pres, initial),
        "crystalloid": _crystalloid(p, t_hypo, t_shock, weight, pres),
        "vasopressors": _vasopressors(p, t_shock, persistent, pres),
        "perfusion_reassessment": _reassessment(p, t_shock, persistent, initial, early.completed, pres),
    }
    if now is not None:
        elements = {k: _open(v, now) for k, v in elements.items()}
    return BundleReport("sep1", pres, elements, manual_version=manual_version, t_shock=t_shock, t_hypotension=t_hypo)


def _open(e: Element, now: datetime) -> Element:
    if e.met is False and now < e.deadline:
        return Element(e.applicable, None, e.time, e.deadline, "open: due later")
    return e


def _persistent(bp: list[tuple[datetime, bool]], completed: datetime | None) -> datetime | None:
    if completed is None:
        return None
    after = [(t, low) for t, low in bp if completed < t <= completed + PERSIST_WITHIN]
    for (_, a), (t2, b) in zip(after, after[1:], strict=False):
        if a and b:
            return t2
    return None


def _cultures(p: PatientEvents, pres: datetime) -> Element:
    due = pres + DUE_3H
    culture = first_in(p.blood_cultures, pres - BACK_24H, due)
    abx = first_in(p.antibiotics_iv, pres - BACK_24H, due)
    if culture is None:
        return Element(True, False, None, due, "no blood culture in [P − 24 h, P + 3 h]")
    if abx is not None and culture.time > abx.time:
        return Element(True, False, culture.time, due, f"antibiotic at {abx.time.isoformat()} came first")
    return Element(True, True, culture.time, due)


def _antibiotics(p: PatientEvents, pres: datetime) -> Element:
    abx = first_in(p.antibiotics_iv, pres - BACK_24H, pres + DUE_3H)
    return Element(True, abx is not None, abx.time if abx else None, pres + DUE_3H)


def _repeat(p: PatientEvents, pres: datetime, initial: tuple[datetime, float] | None) -> Element:
    due = pres + DUE_6H
    if initial is None or initial[1] <= LACTATE_REPEAT_ABOVE:
        return Element(False, None, None, due, "initial lactate absent or ≤ 2 mmol/L")
    later = [t for t, _ in p.measures.get("lactate", []) if initial[0] < t <= due]
    return Element(True, bool(later), later[0] if later else None, due)


def _crystalloid(
    p: PatientEvents, t_hypo: datetime | None, t_shock: datetime | None, weight: float | None, pres: datetime
) -> Element:
    refs = [t for t in (t_hypo, t_shock) if t is not None]
    if not refs:
        return Element(False, None, None, pres + DUE_3H, "no initial hypotension and no septic shock")
    ref = min(refs)
    due = ref + DUE_3H
    given = _fluids(p, ref - BACK_6H, due, weight)
    detail = f"{given.volume_ml:g} mL crystalloid; target " + (
        f"{given.target_ml:g} mL" if given.target_ml is not None else "unknown (no weight)"
    )
    if given.volume_ml == 0:
        return Element(True, False, None, due, detail)
    if given.target_ml is None:
        return Element(True, None, None, due, detail)
    return Element(True, given.completed is not None, given.completed, due, detail)


def _vasopressors(p: PatientEvents, t_shock: datetime | None, persistent: datetime | None, pres: datetime) -> Element:
    if t_shock is None or persistent is None:
        return Element(False, None, None, (t_shock or pres) + DUE_6H, "no hypotension persisting after the crystalloid")
    due = t_shock + DUE_6H
    run = running_in(p.vasopressors, t_shock, due)
    return Element(True, run is not None, run.time if run else None, due)


def _reassessment(
    p: PatientEvents,
    t_shock: datetime | None,
    persistent: datetime | None,
    initial: tuple[datetime, float] | None,
    completed: datetime | None,
    pres: datetime,
) -> Element:
    high = initial is not None and initial[1] >= LACTATE_SHOCK_AT
    if t_shock is None or not (persistent is not None or high):
        return Element(False, None, None, (t_shock or pres) + DUE_6H, "no persistent hypotension or lactate ≥ 4")
    due = t_shock + DUE_6H
    after = completed or t_shock
    done = [t for t in p.documented("perfusion_reassessment") if after <= t <= due]
    return Element(True, bool(done), done[0] if done else None, due)
