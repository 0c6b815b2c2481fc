"""``/ward``: one row per patient, in the order ``GET /api/v1/patients`` gives (the same function).

``/ward/rows`` is the table body alone; the page asks for it every 5 s (HTMX) and swaps it in
place, and the focused link keeps its focus (same ``id``). Without JavaScript the page has a
Refresh link. Each read is audited as the API's ward read is (it is the same call).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sepsiscope.service.api.routes.patients import list_patients
from sepsiscope.service.api.schemas import WardRow
from sepsiscope.ward import read
from sepsiscope.ward.access import Viewer, service, viewer
from sepsiscope.ward.sparkline import sparkline
from sepsiscope.ward.templating import render

router = APIRouter()
#: The NEWS2 risk bands of the calculator (adult-scores.md §2.3), as CSS classes.
NEWS2_RISK_CLASS = {"high": "high", "medium": "medium", "low-medium": "lowmedium", "low": "low"}


def summary(rows: list[WardRow]) -> str:
    """One sentence a screen reader announces when it changes."""
    alerts = [a for r in rows for a in r.open_alerts]
    opened = sum(a.state == "open" for a in alerts)
    emergency = sum(a.level == "emergency" and a.state == "open" for a in alerts)
    text = f"{len(rows)} patient{'s' if len(rows) != 1 else ''}; {opened} open alert{'s' if opened != 1 else ''}"
    return text + (f", {emergency} at emergency level" if emergency else "") + "."


def board(who: Viewer, request: Request) -> dict[str, Any]:
    """The ward's rows (the API's ranking), their sparklines and the summary."""
    ctx = service(request)
    now = ctx.clock()
    ward = list_patients(who.principal, ctx)
    with ctx.sessions() as db:
        series = read.risk_series(db, [r.patient_id for r in ward.patients], now)
    threshold = ctx.artifact.threshold
    rows = [
        {"row": r, "spark": sparkline(series.get(r.patient_id, []), threshold, now),
         "news2_class": NEWS2_RISK_CLASS.get(str(r.scores.get("news2_risk")), "unknown")}
        for r in ward.patients
    ]  # fmt: skip
    return {"rows": rows, "summary": summary(ward.patients), "now": now}


@router.get("/ward")
def ward_page(request: Request) -> Response:
    """The whole ward, most urgent first."""
    who = viewer(request)
    data = board(who, request)
    return render(request, "ward.html", who, title="Ward", **data)


@router.get("/ward/rows")
def ward_rows(request: Request) -> Response:
    """The ward table's body (HTMX polling); 401 with no patient data without a session."""
    who = viewer(request)
    data = board(who, request)
    return render(request, "_ward_rows.html", who, **data)
