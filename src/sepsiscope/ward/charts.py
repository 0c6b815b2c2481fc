"""The patient page's charts as data: one JSON object the page embeds and ``static/ward.js`` draws.

Four panels share one time axis (UTC seconds): vitals and labs (each stored value at its time),
scores (the timeline's hourly NEWS2 and qSOFA points and 24-h SOFA) and model risk (with its
threshold). Alerts and clinical events are marks on the same axis, and so is the bundle's time
zero. The same numbers are in the page's tables, which are what a page without JavaScript shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sepsiscope.service.api.schemas import AlertOut, ObservationOut, TimelineHour
from sepsiscope.service.db.models import Event as EventRow
from sepsiscope.variables.registry import REGISTRY

#: Series of each measured panel, in drawing order, with the words on the chart.
VITALS = {"heart_rate": "Heart rate", "resp_rate": "Respiratory rate", "sbp": "Systolic BP",
          "map": "Mean arterial pressure", "spo2": "SpO₂", "temp_c": "Temperature"}  # fmt: skip
LABS = {"lactate": "Lactate", "creatinine": "Creatinine", "platelets": "Platelets", "bilirubin_total": "Bilirubin",
        "wbc": "White cells"}  # fmt: skip
#: Timeline columns of the scores panel.
SCORES = {"news2_points": "NEWS2 (points measured)", "qsofa_points": "qSOFA (points measured)", "sofa": "SOFA (24 h)"}
RISK = {"risk": "Model risk (%)", "threshold": "Alert threshold (%)"}
#: UCUM codes as a person writes them.
UNIT_TEXT = {"mm[Hg]": "mmHg", "Cel": "°C", "10*3/uL": "10³/µL", "/min": "/min", "%": "%", "mmol/L": "mmol/L",
             "mg/dL": "mg/dL"}  # fmt: skip
EVENT_TEXT = {
    "antibiotic_ordered": "Antibiotic ordered",
    "antibiotic_given": "Antibiotic given",
    "blood_culture_drawn": "Culture drawn",
    "fluid_bolus": "Fluid bolus",
    "vasopressor_started": "Vasopressor started",
    "vasopressor_stopped": "Vasopressor stopped",
    "ventilation_started": "Ventilation started",
    "ventilation_stopped": "Ventilation stopped",
}


def unit_text(variable: str) -> str:
    """The canonical unit of a variable, written for people ('' when it has none)."""
    unit = REGISTRY[variable].unit if variable in REGISTRY else None
    return "" if unit in (None, "1", "{score}") else UNIT_TEXT.get(unit, unit)


def _t(t: datetime) -> int:
    return int(t.timestamp())


def _panel(key: str, title: str, times: list[int], series: dict[str, list[float | None]],
           labels: dict[str, str]) -> dict[str, Any]:  # fmt: skip
    return {"id": key, "title": title, "x": times,
            "series": [{"key": k, "label": labels[k], "values": v} for k, v in series.items()]}  # fmt: skip


def _measured(key: str, title: str, observations: Sequence[ObservationOut], names: dict[str, str]) -> dict[str, Any]:
    rows = [o for o in observations if o.variable in names and isinstance(o.value, (int, float))
            and not isinstance(o.value, bool)]  # fmt: skip
    times = sorted({_t(o.time) for o in rows})
    index = {t: i for i, t in enumerate(times)}
    present = [n for n in names if any(o.variable == n for o in rows)]
    series: dict[str, list[float | None]] = {n: [None] * len(times) for n in present}
    for o in rows:
        series[o.variable][index[_t(o.time)]] = float(o.value)  # type: ignore[arg-type]
    labels = {n: f"{names[n]} ({unit_text(n)})" if unit_text(n) else names[n] for n in present}
    return _panel(key, title, times, series, labels)


def event_text(e: EventRow) -> str:
    """One event in words: kind and what (drug, route, specimen, fluid and volume, rate)."""
    parts = [EVENT_TEXT.get(e.kind, e.kind)]
    what = [p for p in (e.drug, e.route, e.specimen, e.fluid) if p]
    if e.volume_ml is not None:
        what.append(f"{e.volume_ml:g} mL")
    if e.rate is not None:
        what.append(f"{e.rate:g} {e.rate_unit or ''}".strip())
    return parts[0] + (": " + ", ".join(what) if what else "")


def chart_data(
    observations: Sequence[ObservationOut],
    hours: Sequence[TimelineHour],
    alerts: Sequence[AlertOut],
    events: Sequence[EventRow],
    threshold: float | None,
    t0: datetime | None,
) -> dict[str, Any]:
    """Everything the charts draw (see the module text)."""
    hour_x = [_t(h.hour_start) for h in hours]
    scores: dict[str, list[float | None]] = {}
    for k in SCORES:
        values = [h.scores.get(k) for h in hours]
        if any(v is not None for v in values):
            scores[k] = [float(v) if isinstance(v, (int, float)) else None for v in values]
    risk: dict[str, list[float | None]] = {}
    if any(h.risk is not None for h in hours):
        risk["risk"] = [None if h.risk is None else round(100 * h.risk, 2) for h in hours]
        if threshold is not None:
            risk["threshold"] = [round(100 * threshold, 2)] * len(hours)
    return {
        "panels": [
            _measured("vitals", "Vital signs", observations, VITALS),
            _measured("labs", "Laboratory results", observations, LABS),
            _panel("scores", "Scores (hourly)", hour_x, scores, {**SCORES}),
            _panel("risk", "Model risk (%)", hour_x, risk, RISK),
        ],
        "alerts": [{"t": _t(a.opened_at), "level": a.level, "label": f"{a.level} alert: {a.rule}"} for a in alerts],
        "events": [{"t": _t(e.time), "kind": e.kind, "label": event_text(e)} for e in events],
        "t0": _t(t0) if t0 is not None else None,
    }
