"""The service's tables (SQLAlchemy 2 declarative). Migrations: ``db/migrations``.

Observations and events keep what was sent (value and unit as given) beside the canonical
value, so nothing the client said is lost. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sepsiscope.service.db.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base of every service table."""


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    age_years: Mapped[float | None] = mapped_column(Float)
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(16))
    ward: Mapped[str | None] = mapped_column(String(64))
    bed: Mapped[str | None] = mapped_column(String(64))
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (Index("ix_observations_patient_time", "patient_id", "time"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(128), unique=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    variable: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None] = mapped_column(Float)  # numbers and booleans (1/0), canonical unit
    code: Mapped[str | None] = mapped_column(String(32))  # code variables (e.g. ACVPU)
    unit: Mapped[str | None] = mapped_column(String(32))  # canonical unit
    sent_value: Mapped[str] = mapped_column(String(64))  # as sent (JSON text)
    sent_unit: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_patient_time", "patient_id", "time"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(128), unique=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    drug: Mapped[str | None] = mapped_column(String(64))
    route: Mapped[str | None] = mapped_column(String(16))
    specimen: Mapped[str | None] = mapped_column(String(32))
    fluid: Mapped[str | None] = mapped_column(String(32))
    volume_ml: Mapped[float | None] = mapped_column(Float)
    rate: Mapped[float | None] = mapped_column(Float)
    rate_unit: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PatientHour(Base):
    """One row of a patient's timeline: the cohort engine's scores and the model's risk."""

    __tablename__ = "patient_hours"

    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    hour_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    scores: Mapped[dict[str, object]] = mapped_column(JSON)  # {"news2": 7, "news2_risk": "high", ...}
    risk: Mapped[float | None] = mapped_column(Float)
    risk_alert: Mapped[bool | None] = mapped_column(Boolean)


class PendingScore(Base):
    """A patient whose timeline and alerts wait for the scorer (``service/scorer.py``).

    ``since`` is the earliest observation time written since the scorer last took the
    patient; ``claimed_since`` is the ``since`` the scorer took and has not yet finished (kept
    until its results commit, so a crash mid-scoring loses nothing); ``version`` counts the
    writes, so the scorer removes the row only when no write came in while it scored;
    ``marked_at`` is when the row was made (the queue is served oldest first).
    """

    __tablename__ = "pending_scores"

    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_patient_rule", "patient_id", "rule"), Index("ix_alerts_state", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    rule: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hour_start: Mapped[datetime] = mapped_column(UTCDateTime)  # the data hour that fired it
    reasons: Mapped[list[str]] = mapped_column(JSON)


class AlertAction(Base):
    __tablename__ = "alert_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # opened, escalated, reopened, acknowledged, snoozed, resolved
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class RuleState(Base):
    """Per patient and rule: whether the condition held at the last evaluation, and re-arming."""

    __tablename__ = "rule_states"

    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(64), primary_key=True)
    firing: Mapped[bool] = mapped_column(Boolean)
    armed: Mapped[bool] = mapped_column(Boolean)  # False after a resolve, until the condition clears


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One audit entry; ``hash`` = SHA-256 over the previous hash and this entry's fields."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, exactly as hashed
    actor: Mapped[str] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last entry, one row; locking it serialises writers (and so the chain)."""

    __tablename__ = "audit_head"
    __table_args__ = (UniqueConstraint("id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
