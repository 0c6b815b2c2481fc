"""Admin: the audit trail, page by page."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from sepsiscope.service import audit
from sepsiscope.service.api.deps import ContextDep, require
from sepsiscope.service.api.schemas import AuditList, AuditOut
from sepsiscope.service.auth import ADMIN, Principal
from sepsiscope.service.db.models import AuditEntry

router = APIRouter(tags=["admin"])
Admin = Annotated[Principal, Depends(require(*ADMIN))]


@router.get("/audit", response_model=AuditList)
def list_audit(
    who: Admin,
    ctx: ContextDep,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditList:
    """Audit entries with ``seq`` > ``after``, oldest first (``next_after`` pages on)."""
    with ctx.sessions.begin() as session:
        rows = list(session.scalars(
            select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit)
        ))  # fmt: skip
        entries = [AuditOut(seq=e.seq, at=e.at, actor=e.actor, action=e.action, target=e.target,
                            detail=json.loads(e.detail), hash=e.hash) for e in rows]  # fmt: skip
        audit.append(session, who.actor, "audit.read", "audit", {"after": after, "limit": limit})
        return AuditList(entries=entries, next_after=rows[-1].seq if len(rows) == limit else None)
