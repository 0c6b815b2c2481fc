"""Scoring queue: one row per patient whose timeline and alerts wait for the scorer.

A write inserts or bumps the row in its own transaction (so a ``kill -9`` after the 2xx loses
no rescoring). The scorer moves ``since`` to ``claimed_since`` when it takes the patient, and
deletes the row once the patient is scored, unless a newer write came in meanwhile.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pending_scores",
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patients.id"), primary_key=True),
        sa.Column("since", _TS),
        sa.Column("claimed_since", _TS),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("marked_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pending_scores")
