"""EHR integration: CDS Hooks cards and feedback, used JWT ids (replay protection).

Revision ID: 0002_ehr
Revises: 0001
Create Date: 2026-12-05

An independent branch beside ``0002`` (the scorer's queue); ``engine.migrate`` upgrades to every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ehr"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cds_cards",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("hook_instance", sa.String(128), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("indicator", sa.String(16), nullable=False),
        sa.Column("summary", sa.String(140), nullable=False),
        sa.Column("suggestions", sa.JSON, nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
    )
    op.create_index("ix_cds_cards_patient_id", "cds_cards", ["patient_id"])
    op.create_table(
        "cds_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("card_uuid", sa.String(36), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("accepted_suggestions", sa.JSON, nullable=False),
        sa.Column("override_code", sa.String(64)),
        sa.Column("override_system", sa.String(200)),
        sa.Column("override_display", sa.String(200)),
        sa.Column("user_comment", sa.Text),
        sa.Column("outcome_at", _TS, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_cds_feedback_card_uuid", "cds_feedback", ["card_uuid"])
    op.create_table(
        "used_jti",
        sa.Column("issuer", sa.String(200), primary_key=True),
        sa.Column("jti", sa.String(200), primary_key=True),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=False),
    )
    op.create_index("ix_used_jti_expires_at", "used_jti", ["expires_at"])


def downgrade() -> None:
    op.drop_table("used_jti")
    op.drop_table("cds_feedback")
    op.drop_table("cds_cards")
