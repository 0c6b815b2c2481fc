"""The ``patient-view`` card: risk and trend, criteria met, top reasons, open alert, bundle suggestions.

No card when there is nothing to say: no active alert and no model risk at or above its
threshold. Otherwise one card, ``critical`` with an emergency alert and ``warning`` otherwise.
Every number is the service's own (the calculator objects, the model's calibrated risk and
reasons, the alert rules' reasons); the suggestions are the hour-1 bundle elements that apply
and are not met (``scores.bundles``), each with a draft resource (``drafts.py``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sepsiscope.ehr.cds.drafts import LABELS, draft
from sepsiscope.ehr.cds.ehr_fhir import EhrData
from sepsiscope.ehr.cds.picture import Picture
from sepsiscope.ehr.cds.schemas import Action, Card, Coding, Source, Suggestion
from sepsiscope.scores.bundles import Element

SOURCE = Source(label="sepsiscope early-warning service", url="https://sepsiscope.org/docs/ehr-integration")
OVERRIDE_SYSTEM = "https://sepsiscope.org/fhir/CodeSystem/cds-override-reason"
OVERRIDE_REASONS = [
    Coding(system=OVERRIDE_SYSTEM, code="already-assessed", display="Patient already assessed; plan in place"),
    Coding(system=OVERRIDE_SYSTEM, code="not-infection", display="Not sepsis: another cause explains the findings"),
    Coding(system=OVERRIDE_SYSTEM, code="data-wrong", display="The values shown are wrong or out of date"),
    Coding(system=OVERRIDE_SYSTEM, code="comfort-care", display="Comfort care / limits of treatment"),
]
#: How far back the risk trend looks (the newest hour against the one this long before it).
TREND = timedelta(hours=4)
#: Scores whose criteria the card lists (those the alert rules use).
CRITERIA = ("news2", "qsofa", "sirs")


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _trend(pic: Picture) -> str | None:
    if not pic.risk_hours:
        return None
    last_t, last = pic.risk_hours[-1]
    before = [(t, r) for t, r in pic.risk_hours if t <= last_t - TREND]
    if not before:
        return f"{_pct(last)} (no risk {TREND.seconds // 3600} h earlier to compare)"
    t0, r0 = before[-1]
    hours = int((last_t - t0).total_seconds() // 3600)
    word = "rising" if last - r0 >= 0.05 else ("falling" if r0 - last >= 0.05 else "steady")
    return f"{word}: {_pct(r0)} → {_pct(last)} over {hours} h"


def _criteria(pic: Picture) -> list[str]:
    assert pic.snapshot is not None
    out = []
    for name in CRITERIA:
        obj = pic.snapshot.scores.get(name)
        if not obj or "components" not in obj:
            continue
        points = {k: v for k, v in obj["components"].items() if isinstance(v, (int, float)) and v > 0}
        if not points:
            continue
        total = obj.get("total")
        shown = total if total is not None else f"{sum(points.values())} (from the parts measured)"
        parts = []
        for var, pts in sorted(points.items(), key=lambda kv: -kv[1]):
            latest = pic.snapshot.latest.get(var)
            value = f" {_num(latest['value'])} {latest.get('unit') or ''}".rstrip() if latest else ""
            parts.append(f"{var}{value} → {pts}")
        missing = f"; not measured: {', '.join(obj['missing'])}" if obj.get("missing") else ""
        out.append(f"**{name.upper()} {shown}**: {', '.join(parts)}{missing}")
    return out


def _suggest(pic: Picture) -> list[tuple[str, Element]]:
    items = {**pic.bundle.elements, **pic.bundle.separate}
    return [(name, e) for name, e in items.items() if e.applicable and e.met is not True]


def _element_line(name: str, e: Element, pic: Picture) -> str:
    due = e.deadline.strftime("%H:%M UTC")
    if e.met is None and pic.now <= e.deadline:
        return f"- {LABELS[name]}: to do, due by {due}"
    why = f" ({e.detail})" if e.detail and not e.detail.startswith("open") else ""
    return f"- {LABELS[name]}: not done, due by {due}{why}"


def patient_view_card(pic: Picture, ehr: EhrData) -> Card | None:
    """The card for ``pic``, or ``None`` when there is nothing to say."""
    snap = pic.snapshot
    if snap is None:
        return None
    risk = snap.risk or {}
    risk_alert = bool(risk.get("alert"))
    if not pic.alerts and not risk_alert:
        return None
    level = "critical" if any(a.level == "emergency" for a in pic.alerts) else "warning"
    trend = _trend(pic)
    head = f"Sepsis alert ({pic.alerts[0].level})" if pic.alerts else "Sepsis risk above threshold"
    risk_text = f"risk {_pct(risk['probability'])}" if risk.get("probability") is not None else "no model risk"
    summary = f"{head}: {risk_text}" + (f", {trend.split(':')[0]}" if trend and ":" in trend else "")
    lines: list[str] = []
    if risk.get("probability") is not None:
        lines.append(f"**Risk** {_pct(risk['probability'])} (alerts at {_pct(risk['threshold'])})"
                     + (f"; trend {trend}" if trend else ""))  # fmt: skip
    elif risk.get("note"):
        lines.append(f"**Risk**: {risk['note']}")
    for a in pic.alerts:
        lines.append(f"**Open alert** ({a.rule}, {a.level}, {a.state}): {'; '.join(a.reasons)}")
    lines += _criteria(pic)
    reasons = [r["text"] for r in risk.get("reasons", [])[:3]]
    if reasons:
        lines.append("**Top reasons**: " + "; ".join(reasons))
    todo = _suggest(pic)
    if pic.bundle.t0 is not None:
        t0 = pic.bundle.t0.strftime("%H:%M UTC")
        provisional = ", provisional: when the alert fired" if pic.provisional_t0 else ""
        steps = [_element_line(n, e, pic) for n, e in todo] or ["- every applicable element is done"]
        lines.append("\n".join([f"**Hour-1 bundle** (time zero {t0}{provisional}):", *steps]))
    if ehr.missing:
        lines.append("**Not read from the EHR**: " + "; ".join(ehr.missing))
    lines.append("_Supports, never replaces, clinical judgement._")
    suggestions = [
        Suggestion(label=LABELS[name], uuid=str(uuid.uuid4()), isRecommended=True, actions=[
            Action(type="create", description=LABELS[name], resource=draft(name, pic.patient_id, pic.weight_kg)),
        ])
        for name, _ in todo
    ]  # fmt: skip
    return Card(
        uuid=str(uuid.uuid4()), summary=summary[:140], detail="\n\n".join(lines), indicator=level,  # type: ignore[arg-type]
        source=SOURCE, suggestions=suggestions or None, selectionBehavior="any" if suggestions else None,
        overrideReasons=OVERRIDE_REASONS,
    )  # fmt: skip


def as_json(card: Card) -> dict[str, Any]:
    """The card as CDS Hooks JSON (absent fields left out)."""
    return card.model_dump(mode="json", exclude_none=True)
