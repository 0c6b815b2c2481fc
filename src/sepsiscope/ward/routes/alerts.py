"""The alert inbox (open, acknowledged, snoozed) and the three actions as forms.

Listing and acting go through the API's own functions (``service.api.routes.alerts``), so an
action from a page is the same lifecycle step as one through the API: the alert's state and
history, and an audit entry naming the signed-in token (``nurse:ward-4b``) and the time.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from sepsiscope.service.alert_rules import level_rank
from sepsiscope.service.alerts import TransitionError
from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.api.routes import alerts as api
from sepsiscope.service.api.schemas import AcknowledgeIn, AlertOut, ResolveIn, SnoozeIn
from sepsiscope.service.auth import ACT_ON_ALERTS
from sepsiscope.ward import read
from sepsiscope.ward.access import Viewer, safe_next, service, viewer
from sepsiscope.ward.session import csrf_ok
from sepsiscope.ward.templating import render

router = APIRouter()
SECTIONS = (("open", "Open"), ("acknowledged", "Acknowledged"), ("snoozed", "Snoozed"))
ACTIONS = ("acknowledge", "snooze", "resolve")
DONE = {"acknowledge": "acknowledged", "snooze": "snoozed", "resolve": "resolved"}


@router.get("/ward/alerts")
def inbox(request: Request) -> Response:
    """Active alerts by state, emergency first and then newest, each with its actions."""
    who = viewer(request)
    ctx = service(request)
    sections = [(state, title, _urgent_first(api.list_alerts(who.principal, ctx, state=state).alerts))  # type: ignore[arg-type]
                for state, title in SECTIONS]  # fmt: skip
    with ctx.sessions() as db:
        beds = read.beds(db, [a.patient_id for _, _, alerts in sections for a in alerts])
    return render(request, "alerts.html", who, now=ctx.clock(), title="Alerts", sections=sections, beds=beds,
                  done=done_message(request))  # fmt: skip


def _urgent_first(alerts: list[AlertOut]) -> list[AlertOut]:
    """Higher level first (the rules' own order of levels), then newest first as the API lists them."""
    return sorted(alerts, key=lambda a: (-level_rank(a.level), -a.id))


def done_message(request: Request) -> str | None:
    """The confirmation after an action (``?done=acknowledged-12``), in words."""
    raw = request.query_params.get("done", "")
    action, _, alert_id = raw.partition("-")
    if action in DONE.values() and alert_id.isdigit():
        return f"Alert {alert_id} {action}."
    return None


def _problem(request: Request, who: Viewer, status: int, title: str, message: str, back: str) -> Response:
    return render(request, "error.html", who, status=status, title=title, message=message, back=back)


def _body(action: str, form: Any) -> AcknowledgeIn | SnoozeIn | ResolveIn:
    note = str(form.get("note") or "").strip() or None
    if action == "acknowledge":
        return AcknowledgeIn(note=note)
    if action == "snooze":
        return SnoozeIn(minutes=form.get("minutes"), note=note)
    return ResolveIn(reason=str(form.get("reason") or "").strip())


def _act(who: Viewer, request: Request, action: str, alert_id: int, body: Any) -> AlertOut:
    ctx = service(request)
    if action == "acknowledge":
        return api.acknowledge(alert_id, body, who.principal, ctx)
    if action == "snooze":
        return api.snooze(alert_id, body, who.principal, ctx)
    return api.resolve(alert_id, body, who.principal, ctx)


@router.post("/ward/alerts/{alert_id}/{action}")
async def act(request: Request, alert_id: str, action: str) -> Response:
    """Acknowledge, snooze (minutes) or resolve (reason); then back to the page it came from."""
    who = viewer(request, ACT_ON_ALERTS)
    form = await request.form()
    back = safe_next(str(form.get("back") or "/ward/alerts")).split("?", 1)[0].split("#", 1)[0]
    if not csrf_ok(who.session, form.get("csrf")):
        return _problem(request, who, 403, "Form expired", "The form had expired; nothing was changed. "
                        "Reload the page and try again.", back)  # fmt: skip
    if action not in ACTIONS or not alert_id.isdigit() or not 1 <= int(alert_id) <= 2**31 - 1:
        return _problem(request, who, 404, "Not found", "There is no such alert action.", back)
    try:
        body = _body(action, form)
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or action
        return _problem(request, who, 422, "Not changed", f"{field}: {first['msg']}. Nothing was changed.", back)
    try:
        _act(who, request, action, int(alert_id), body)
    except ApiError as e:
        return _problem(request, who, e.status, "Not changed", e.message, back)
    except TransitionError as e:
        return _problem(request, who, 409, "Not changed", f"{e}. Nothing was changed.", back)
    return Response(status_code=303, headers={"Location": f"{back}?done={DONE[action]}-{alert_id}#alert-{alert_id}"})
