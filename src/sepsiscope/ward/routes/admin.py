"""``/ward/admin`` (admin only): the tokens (names, roles, revoked or not) and the audit chain's state.

The audit chain is recomputed on each visit (:func:`sepsiscope.service.audit.verify`) and the
visit is audited (``audit.verify``). A token's secret is never shown: only its hash is stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sepsiscope.service import audit
from sepsiscope.service.auth import ADMIN
from sepsiscope.ward import read
from sepsiscope.ward.access import service, viewer
from sepsiscope.ward.templating import render

router = APIRouter()


@router.get("/ward/admin")
def admin_page(request: Request) -> Response:
    """Tokens and audit verification; 403 page for any other role."""
    who = viewer(request, ADMIN)
    ctx = service(request)
    with ctx.sessions.begin() as db:
        tokens = read.tokens(db)
        check = audit.verify(db)
        audit.append(db, who.principal.actor, "audit.verify", "audit",
                     {"checked": check.checked, "ok": check.ok, "broken_seq": check.broken_seq})  # fmt: skip
        rows = [(t.id, t.name, t.role, t.created_at, t.revoked_at) for t in tokens]
    return render(request, "admin.html", who, now=ctx.clock(), title="Admin", tokens=rows, check=check)
