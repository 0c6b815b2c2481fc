"""``/patients/{id}``: one patient's picture, charts, alerts with reasons, events and bundle clocks.

The picture, observations, timeline and alerts are the API's own reads (each audited as the
API audits it); the events are read here and audited as ``patient.events.read``. The bundle
checklist is :mod:`sepsiscope.ward.bundle` (the one definition in ``scores``).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.responses import Response

from sepsiscope.service import audit
from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.api.routes.alerts import list_alerts
from sepsiscope.service.api.routes.patients import get_observations, get_patient, get_timeline
from sepsiscope.service.clinical_events import sofa_series
from sepsiscope.ward import read
from sepsiscope.ward.access import service, viewer
from sepsiscope.ward.bundle import canonical_events, checklist
from sepsiscope.ward.charts import VITALS, chart_data, event_text, unit_text
from sepsiscope.ward.routes.alerts import done_message
from sepsiscope.ward.templating import render

router = APIRouter()
#: The API's patient id pattern (``service.api.routes.patients.PatientId``).
PATIENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
#: Score objects shown in the "now" panel, in order, with their names in words.
NOW_SCORES = {"news2": "NEWS2", "qsofa": "qSOFA", "sofa": "SOFA", "sirs": "SIRS", "mews": "MEWS",
              "phoenix": "Phoenix", "pediatric_sirs": "Paediatric SIRS"}  # fmt: skip


@router.get("/patients/{patient_id}")
def patient_page(request: Request, patient_id: str) -> Response:
    """The patient page (404 page for an unknown or malformed id, with no data)."""
    who = viewer(request)
    ctx = service(request)
    if not PATIENT_ID.match(patient_id):
        return render(request, "error.html", who, status=404, title="Not found", message="No such patient.")
    try:
        detail = get_patient(patient_id, who.principal, ctx)
    except ApiError:
        return render(request, "error.html", who, status=404, title="Not found", message="No such patient.")
    observations = get_observations(patient_id, who.principal, ctx).observations
    hours = get_timeline(patient_id, who.principal, ctx).hours
    alerts = list_alerts(who.principal, ctx, patient_id=patient_id).alerts
    with ctx.sessions.begin() as db:
        events = read.events(db, patient_id)
        audit.append(db, who.principal.actor, "patient.events.read", f"patient/{patient_id}")
    now = ctx.clock()
    sofa = sofa_series([(h.hour_start, h.scores.get("sofa")) for h in hours])
    bundle = checklist(canonical_events(events, observations, detail.patient.admitted_at), sofa, now)
    threshold = detail.risk.threshold if detail.risk else None
    charts = chart_data(observations, hours, alerts, events, threshold, bundle.report.t0)
    return render(
        request, "patient.html", who, now=now, title=f"Patient {patient_id}", p=detail,
        alerts=alerts, active=[a for a in alerts if a.state != "resolved"], observations=observations,
        hours=list(reversed(hours)), events=events, event_text=event_text, bundle=bundle, charts=charts,
        now_scores=[(k, label, detail.scores[k]) for k, label in NOW_SCORES.items() if k in detail.scores],
        unit_text=unit_text, vitals=VITALS, done=done_message(request),
    )  # fmt: skip
