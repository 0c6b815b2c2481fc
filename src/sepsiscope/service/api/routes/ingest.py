"""Observations and clinical events in: atomic batches, idempotent by client id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from sepsiscope.service import audit
from sepsiscope.service.api.deps import ContextDep, require
from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.api.schemas import Accepted, EventBatch, ObservationBatch
from sepsiscope.service.auth import WRITE_DATA, Principal
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.db.models import Patient
from sepsiscope.service.ingest import Stored, store_events, store_observations
from sepsiscope.service.monitor import recompute

router = APIRouter(tags=["data in"])
Writer = Annotated[Principal, Depends(require(*WRITE_DATA))]


def _check_size(ctx: ServiceContext, n: int, what: str) -> None:
    if n > ctx.settings.max_batch:
        raise ApiError(413, "batch_too_large", f"{n} {what} in one batch; send at most {ctx.settings.max_batch}",
                       field=what, value=n)  # fmt: skip


def _rescore(session: Session, ctx: ServiceContext, stored: Stored, now: datetime) -> Sequence[str]:
    for patient_id, earliest in sorted(stored.earliest.items()):
        patient = session.get(Patient, patient_id)
        assert patient is not None  # checked by the store
        recompute(session, patient, earliest, ctx.artifact, ctx.rules, now)
    return sorted(stored.earliest)


@router.post("/observations", response_model=Accepted)
def post_observations(body: ObservationBatch, who: Writer, ctx: ContextDep) -> Accepted:
    """Store a batch of observations (all or nothing) and rescore the patients it touches.

    A 2xx reply means the batch is committed to disk. A resent ``id`` is a no-op, counted
    in ``duplicates``.
    """
    _check_size(ctx, len(body.observations), "observations")
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        audit.lock_head(session)
        stored = store_observations(session, body.observations)
        patients = _rescore(session, ctx, stored, now)
        audit.append(session, who.actor, "observations.write", "observations",
                     {"accepted": stored.accepted, "duplicates": stored.duplicates, "patients": patients})  # fmt: skip
    return Accepted(accepted=stored.accepted, duplicates=stored.duplicates)


@router.post("/events", response_model=Accepted)
def post_events(body: EventBatch, who: Writer, ctx: ContextDep) -> Accepted:
    """Store a batch of clinical events (antibiotics, cultures, fluids, vasopressors, ventilation)."""
    _check_size(ctx, len(body.events), "events")
    with ctx.sessions.begin() as session:
        audit.lock_head(session)
        stored = store_events(session, body.events)
        audit.append(session, who.actor, "events.write", "events",
                     {"accepted": stored.accepted, "duplicates": stored.duplicates,
                      "patients": sorted(stored.earliest)})  # fmt: skip
    return Accepted(accepted=stored.accepted, duplicates=stored.duplicates)
