"""Alerts: list by state or patient; acknowledge, snooze, resolve (each recorded with who and when)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from sepsiscope.service import alerts as lifecycle
from sepsiscope.service import audit
from sepsiscope.service.api.deps import ContextDep, require
from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.api.schemas import AcknowledgeIn, AlertList, AlertOut, AlertState, ResolveIn, SnoozeIn
from sepsiscope.service.api.views import alerts_out
from sepsiscope.service.auth import ACT_ON_ALERTS, READ_PATIENTS, Principal
from sepsiscope.service.db.models import Alert

router = APIRouter(tags=["alerts"])
Reader = Annotated[Principal, Depends(require(*READ_PATIENTS))]
Actor = Annotated[Principal, Depends(require(*ACT_ON_ALERTS))]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/alerts", response_model=AlertList)
def list_alerts(
    who: Reader,
    ctx: ContextDep,
    state: Annotated[AlertState | None, Query()] = None,
    patient_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> AlertList:
    """Alerts, newest first; filter by ``state`` and ``patient_id``."""
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        lifecycle.end_snoozes(session, now)
        query = select(Alert).order_by(Alert.id.desc())
        if state is not None:
            query = query.where(Alert.state == state)
        if patient_id is not None:
            query = query.where(Alert.patient_id == patient_id)
        out = AlertList(alerts=alerts_out(session, list(session.scalars(query))))
        audit.append(session, who.actor, "alerts.read", "alerts", {"state": state, "patient_id": patient_id})
        return out


def _act(ctx: ContextDep, alert_id: int, do: Callable[[Session, Alert, datetime], None]) -> AlertOut:
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        audit.lock_head(session)
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise ApiError(404, "unknown_alert", f"alert {alert_id} does not exist", field="alert_id", value=alert_id)
        lifecycle.end_snoozes(session, now)
        do(session, alert, now)
        session.flush()
        return alerts_out(session, [alert])[0]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge(alert_id: AlertId, body: AcknowledgeIn, who: Actor, ctx: ContextDep) -> AlertOut:
    """Someone has seen the alert and is acting on it."""
    return _act(ctx, alert_id, lambda s, a, now: lifecycle.acknowledge(s, a, who.actor, now, body.note))


@router.post("/alerts/{alert_id}/snooze", response_model=AlertOut)
def snooze(alert_id: AlertId, body: SnoozeIn, who: Actor, ctx: ContextDep) -> AlertOut:
    """Quiet the alert for ``minutes``; it opens again after that if its condition still holds."""
    return _act(ctx, alert_id, lambda s, a, now: lifecycle.snooze(s, a, who.actor, now, body.minutes, body.note))


@router.post("/alerts/{alert_id}/resolve", response_model=AlertOut)
def resolve(alert_id: AlertId, body: ResolveIn, who: Actor, ctx: ContextDep) -> AlertOut:
    """Close the alert with a reason; the rule fires again only after its condition clears and returns."""
    return _act(ctx, alert_id, lambda s, a, now: lifecycle.resolve(s, a, who.actor, now, body.reason))
