"""The scoring queue: which patients wait for the scorer, and from which time.

* A write calls :func:`mark` inside its own transaction, so the queue entry commits with the
  data: a ``kill -9`` after the 2xx loses no rescoring (the scorer finds the row after the
  restart). Each write bumps ``version`` and keeps the earliest ``since``.
* The scorer :func:`claim`\\ s patients: their ``since`` moves to ``claimed_since`` (the
  hours it now rescores) and ``since`` starts afresh for the writes that come in meanwhile.
* :func:`finish` runs in the transaction that stores the results: the row goes if its
  version is still the one claimed; otherwise only the claim is dropped and the patient is
  scored again from the newer writes' ``since``. A crash before the results commit leaves
  ``claimed_since`` in place, and the next claim starts from the earlier of the two.

Rows are taken in patient-id order, after the audit chain's head (every writing transaction
locks the head first), so on PostgreSQL no two transactions wait for each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sepsiscope.service.db.models import PendingScore
from sepsiscope.service.hourly import hour_floor

_TABLE: Table = PendingScore.__table__  # type: ignore[assignment]
_C = _TABLE.c


@dataclass(frozen=True)
class Claim:
    """One patient the scorer took: rescore from ``since``; ``version`` as taken."""

    patient_id: str
    since: datetime
    version: int
    marked_at: datetime


def mark(session: Session, earliest: Mapping[str, datetime], now: datetime) -> None:
    """Queue each patient for rescoring from its earliest changed time (in the caller's transaction)."""
    if not earliest:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for patient_id in sorted(earliest):
        stmt = insert(_TABLE).values(patient_id=patient_id, since=earliest[patient_id], claimed_since=None,
                                     version=1, marked_at=now)  # fmt: skip
        earlier = (_C.since.is_(None)) | (stmt.excluded.since < _C.since)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_C.patient_id],
            set_={"since": case((earlier, stmt.excluded.since), else_=_C.since), "version": _C.version + 1},
        )
        session.execute(stmt)


def claim(session: Session, limit: int) -> list[Claim]:
    """Take up to ``limit`` queued patients, the longest-waiting first (in the caller's transaction)."""
    oldest = select(PendingScore.patient_id).order_by(PendingScore.marked_at, PendingScore.patient_id).limit(limit)
    ids = sorted(session.scalars(oldest))
    taken = case(
        (_C.claimed_since.is_(None), _C.since),
        (_C.since.is_(None), _C.claimed_since),
        (_C.since < _C.claimed_since, _C.since),
        else_=_C.claimed_since,
    )
    out = []
    for patient_id in ids:
        row = session.execute(
            update(_TABLE).where(_C.patient_id == patient_id).values(claimed_since=taken, since=None)
            .returning(_C.patient_id, _C.claimed_since, _C.version, _C.marked_at)
        ).one_or_none()  # fmt: skip
        if row is not None and row.claimed_since is not None:
            out.append(Claim(row.patient_id, row.claimed_since, row.version, row.marked_at))
    return out


def finish(session: Session, done: Sequence[Claim]) -> list[str]:
    """Drop the claims whose results are being stored; return the patients now fully scored."""
    scored = []
    for item in sorted(done, key=lambda c: c.patient_id):
        gone = session.execute(
            delete(_TABLE).where(_C.patient_id == item.patient_id, _C.version == item.version)
        ).rowcount  # type: ignore[attr-defined]
        if gone:
            scored.append(item.patient_id)
        else:  # a write came in meanwhile: its ``since`` stays queued
            session.execute(update(_TABLE).where(_C.patient_id == item.patient_id).values(claimed_since=None))
    return scored


def since_of(session: Session, patient_ids: Sequence[str] | None = None) -> dict[str, datetime]:
    """Each queued patient's earliest hour not yet rescored (every queued patient when ``patient_ids`` is None)."""
    query = select(PendingScore.patient_id, PendingScore.since, PendingScore.claimed_since)
    if patient_ids is not None:
        query = query.where(PendingScore.patient_id.in_(list(patient_ids)))
    return {pid: hour_floor(min(t for t in (since, claimed) if t is not None))
            for pid, since, claimed in session.execute(query)}  # fmt: skip


def count(session: Session) -> int:
    """How many patients wait for the scorer."""
    return int(session.scalar(select(func.count()).select_from(PendingScore)) or 0)
