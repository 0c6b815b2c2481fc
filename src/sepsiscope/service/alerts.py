"""The alert lifecycle: open → acknowledged / snoozed → resolved, one active alert per rule.

* A rule that fires opens an alert unless one is active (open, acknowledged or snoozed)
  for the same patient and rule. An active alert does not fire again, unless the level
  rises: then it is escalated and opens again, whatever its state.
* A snooze ends at its time: if the condition still holds at the next evaluation, or when
  alerts are listed, the alert opens again ("snooze ended").
* After a resolve, the rule fires again only once its condition has cleared and returned.

Every change is an :class:`AlertAction` (who, when, note) and an audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sepsiscope.service import audit
from sepsiscope.service.alert_rules import Rule, level_rank
from sepsiscope.service.db.models import Alert, AlertAction, RuleState

ACTIVE = ("open", "acknowledged", "snoozed")
SYSTEM = "system:monitor"


class TransitionError(Exception):
    """An action that the alert's state does not allow (reply 409)."""


def _act(session: Session, alert: Alert, action: str, actor: str, now: datetime, note: str | None = None) -> None:
    session.add(AlertAction(alert_id=alert.id, action=action, actor=actor, at=now, note=note))
    alert.updated_at = now
    audit.append(session, actor, f"alert.{action}", f"alert/{alert.id}",
                 {"patient_id": alert.patient_id, "rule": alert.rule, "level": alert.level, "note": note})  # fmt: skip


def active_alerts(session: Session, patient_id: str) -> dict[str, Alert]:
    rows = session.scalars(select(Alert).where(Alert.patient_id == patient_id, Alert.state.in_(ACTIVE)))
    return {a.rule: a for a in rows}


def _end_snooze(session: Session, alert: Alert, now: datetime) -> None:
    if alert.state == "snoozed" and alert.snoozed_until is not None and alert.snoozed_until <= now:
        alert.state, alert.snoozed_until = "open", None
        _act(session, alert, "reopened", SYSTEM, now, "snooze ended")


def end_snoozes(session: Session, now: datetime) -> None:
    """Open again every alert whose snooze is over."""
    for alert in session.scalars(select(Alert).where(Alert.state == "snoozed", Alert.snoozed_until <= now)):
        _end_snooze(session, alert, now)


def apply_rules(
    session: Session,
    patient_id: str,
    rules: Sequence[Rule],
    fired: dict[str, tuple[str, list[str]] | None],
    hour_start: datetime,
    now: datetime,
) -> list[Alert]:
    """Open, escalate or re-arm alerts for one patient after an evaluation; return opened/escalated ones."""
    active = active_alerts(session, patient_id)
    states = {s.rule: s for s in session.scalars(select(RuleState).where(RuleState.patient_id == patient_id))}
    changed: list[Alert] = []
    for rule in rules:
        state = states.get(rule.id)
        if state is None:
            state = RuleState(patient_id=patient_id, rule=rule.id, firing=False, armed=True)
            session.add(state)
        result = fired.get(rule.id)
        alert = active.get(rule.id)
        if result is None:
            state.firing, state.armed = False, True  # condition cleared: a resolved rule may fire again
            if alert is not None:
                _end_snooze(session, alert, now)
            continue
        level, reasons = result
        state.firing = True
        if alert is not None:
            alert.reasons = reasons
            if level_rank(level) > level_rank(alert.level):
                alert.level, alert.state, alert.snoozed_until, alert.hour_start = level, "open", None, hour_start
                _act(session, alert, "escalated", SYSTEM, now, f"level rose to {level}")
                changed.append(alert)
            else:
                _end_snooze(session, alert, now)
        elif state.armed:
            alert = Alert(patient_id=patient_id, rule=rule.id, level=level, state="open", opened_at=now,
                          updated_at=now, hour_start=hour_start, reasons=reasons)  # fmt: skip
            session.add(alert)
            session.flush()
            _act(session, alert, "opened", SYSTEM, now)
            changed.append(alert)
    return changed


def acknowledge(session: Session, alert: Alert, actor: str, now: datetime, note: str | None) -> None:
    if alert.state not in ("open", "snoozed"):
        raise TransitionError(f"alert {alert.id} is {alert.state}; only an open or snoozed alert can be acknowledged")
    alert.state, alert.snoozed_until = "acknowledged", None
    _act(session, alert, "acknowledged", actor, now, note)


def snooze(session: Session, alert: Alert, actor: str, now: datetime, minutes: int, note: str | None) -> None:
    if alert.state not in ACTIVE:
        raise TransitionError(f"alert {alert.id} is {alert.state}; only an active alert can be snoozed")
    alert.state, alert.snoozed_until = "snoozed", now + timedelta(minutes=minutes)
    _act(session, alert, "snoozed", actor, now, f"{minutes} min" + (f": {note}" if note else ""))


def resolve(session: Session, alert: Alert, actor: str, now: datetime, reason: str) -> None:
    if alert.state not in ACTIVE:
        raise TransitionError(f"alert {alert.id} is already {alert.state}")
    alert.state, alert.snoozed_until = "resolved", None
    state = session.get(RuleState, (alert.patient_id, alert.rule))
    if state is not None:
        state.armed = not state.firing  # still firing: wait until the condition clears and returns
    _act(session, alert, "resolved", actor, now, reason)
