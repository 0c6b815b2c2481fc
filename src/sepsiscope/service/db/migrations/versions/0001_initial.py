"""Initial schema: patients, observations, events, timeline, alerts, tokens, audit.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("age_years", sa.Float),
        sa.Column("birth_date", sa.Date),
        sa.Column("sex", sa.String(16)),
        sa.Column("ward", sa.String(64)),
        sa.Column("bed", sa.String(64)),
        sa.Column("admitted_at", _TS),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(128), nullable=False, unique=True),
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("time", _TS, nullable=False),
        sa.Column("variable", sa.String(64), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("code", sa.String(32)),
        sa.Column("unit", sa.String(32)),
        sa.Column("sent_value", sa.String(64), nullable=False),
        sa.Column("sent_unit", sa.String(32)),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_index("ix_observations_patient_time", "observations", ["patient_id", "time"])
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(128), nullable=False, unique=True),
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("time", _TS, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("drug", sa.String(64)),
        sa.Column("route", sa.String(16)),
        sa.Column("specimen", sa.String(32)),
        sa.Column("fluid", sa.String(32)),
        sa.Column("volume_ml", sa.Float),
        sa.Column("rate", sa.Float),
        sa.Column("rate_unit", sa.String(32)),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_index("ix_events_patient_time", "events", ["patient_id", "time"])
    op.create_table(
        "patient_hours",
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patients.id"), primary_key=True),
        sa.Column("hour_start", _TS, primary_key=True),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("risk", sa.Float),
        sa.Column("risk_alert", sa.Boolean),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("snoozed_until", _TS),
        sa.Column("hour_start", _TS, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
    )
    op.create_index("ix_alerts_patient_rule", "alerts", ["patient_id", "rule"])
    op.create_index("ix_alerts_state", "alerts", ["state"])
    op.create_table(
        "alert_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_alert_actions_alert_id", "alert_actions", ["alert_id"])
    op.create_table(
        "rule_states",
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patients.id"), primary_key=True),
        sa.Column("rule", sa.String(64), primary_key=True),
        sa.Column("firing", sa.Boolean, nullable=False),
        sa.Column("armed", sa.Boolean, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(
        sa.table("audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("hash", sa.String)),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )


def downgrade() -> None:
    for table in (
        "audit_head", "audit_log", "api_tokens", "rule_states", "alert_actions", "alerts",
        "patient_hours", "events", "observations", "patients",
    ):  # fmt: skip
        op.drop_table(table)
