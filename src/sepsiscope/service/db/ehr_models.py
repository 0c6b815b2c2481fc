"""Tables of the EHR integration (migration ``0002_ehr``): CDS Hooks cards, feedback, used token ids.

They share the service's declarative ``Base`` (one metadata, one Alembic environment).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sepsiscope.service.db.models import Base
from sepsiscope.service.db.types import UTCDateTime


class CdsCard(Base):
    """A card the service returned to an EHR (feedback names it by ``uuid``)."""

    __tablename__ = "cds_cards"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64))
    hook_instance: Mapped[str] = mapped_column(String(128))
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    indicator: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(140))
    suggestions: Mapped[list[str]] = mapped_column(JSON)  # suggestion uuids
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CdsFeedback(Base):
    """One feedback item of ``POST /cds-services/{id}/feedback``: accepted or overridden, and why."""

    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(64))
    card_uuid: Mapped[str] = mapped_column(String(36), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # accepted | overridden
    accepted_suggestions: Mapped[list[str]] = mapped_column(JSON)
    override_code: Mapped[str | None] = mapped_column(String(64))
    override_system: Mapped[str | None] = mapped_column(String(200))
    override_display: Mapped[str | None] = mapped_column(String(200))
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(160))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class UsedTokenId(Base):
    """A JWT ``jti`` already accepted from an issuer: a second use is a replay (CDS Hooks 2.0, security)."""

    __tablename__ = "used_jti"

    issuer: Mapped[str] = mapped_column(String(200), primary_key=True)
    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
