"""Observations and clinical events in: atomic batches, idempotent by client id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sepsiscope.service import audit
from sepsiscope.service.api.deps import ContextDep, require
from sepsiscope.service.api.errors import ApiError
from sepsiscope.service.api.schemas import Accepted, EventBatch, ObservationBatch
from sepsiscope.service.auth import WRITE_DATA, Principal
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.ingest import Stored, store_events, store_observations

router = APIRouter(tags=["data in"])
_ATTEMPTS = 3
Writer = Annotated[Principal, Depends(require(*WRITE_DATA))]


def _check_size(ctx: ServiceContext, n: int, what: str) -> None:
    if n > ctx.settings.max_batch:
        raise ApiError(413, "batch_too_large", f"{n} {what} in one batch; send at most {ctx.settings.max_batch}",
                       field=what, value=n)  # fmt: skip


def _committed(ctx: ServiceContext, write: Callable[[Session], Stored]) -> Stored:
    """Run ``write`` through the group writer (``writer.py``) and return once it is committed.
    Two processes (or a service without its writer thread) may run batches resending the same
    new ids at once, and collide on the unique id: the loser runs again and then finds the ids
    stored (duplicates, or 409 if different)."""
    for attempt in range(_ATTEMPTS):
        try:
            return ctx.writer.run(write)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@router.post("/observations", response_model=Accepted)
def post_observations(body: ObservationBatch, who: Writer, ctx: ContextDep) -> Accepted:
    """Store a batch of observations (all or nothing) and queue the patients it touches for rescoring.

    A 2xx reply means the batch is committed to disk, with the patients queued: the scorer
    rewrites their timelines from the earliest changed hour and judges the alert rules
    within moments (docs/service.md, "Scoring"). A resent ``id`` is a no-op, counted in
    ``duplicates``.
    """
    _check_size(ctx, len(body.observations), "observations")

    def write(session: Session) -> Stored:
        stored = store_observations(session, body.observations)
        audit.append(session, who.actor, "observations.write", "observations",
                     {"accepted": stored.accepted, "duplicates": stored.duplicates,
                      "patients": sorted(stored.earliest)})  # fmt: skip
        return stored

    stored = _committed(ctx, write)
    if stored.earliest:
        ctx.scorer.notify()
    return Accepted(accepted=stored.accepted, duplicates=stored.duplicates)


@router.post("/events", response_model=Accepted)
def post_events(body: EventBatch, who: Writer, ctx: ContextDep) -> Accepted:
    """Store a batch of clinical events (antibiotics, cultures, fluids, vasopressors, ventilation)."""
    _check_size(ctx, len(body.events), "events")

    def write(session: Session) -> Stored:
        stored = store_events(session, body.events)
        audit.append(session, who.actor, "events.write", "events",
                     {"accepted": stored.accepted, "duplicates": stored.duplicates,
                      "patients": sorted(stored.earliest)})  # fmt: skip
        return stored

    stored = _committed(ctx, write)
    return Accepted(accepted=stored.accepted, duplicates=stored.duplicates)
