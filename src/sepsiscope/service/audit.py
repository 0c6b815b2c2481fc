"""The audit trail: append-only entries, each hash-chained to the one before.

``hash = SHA-256(prev_hash | seq | at | actor | action | target | detail)`` where ``detail``
is canonical JSON (sorted keys, no spaces). Appending locks the one ``audit_head`` row, so
entries get consecutive numbers even with concurrent writers, on SQLite and PostgreSQL.
:func:`verify` recomputes the chain and names the first entry that does not match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sepsiscope.service.auth import create_token
from sepsiscope.service.db.models import ApiToken, AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical_json(detail: Any) -> str:
    """The exact text hashed and stored for an entry's detail."""
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, target: str, detail: str) -> str:
    """SHA-256 of one entry chained to the previous hash."""
    material = "\x1f".join((prev_hash, str(seq), at, actor, action, target, detail))
    return hashlib.sha256(material.encode()).hexdigest()


def lock_head(session: Session) -> AuditHead:
    """Lock the chain head for this transaction (serialises writers on PostgreSQL)."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
    return head


def append(session: Session, actor: str, action: str, target: str, detail: Any = None) -> AuditEntry:
    """Append one entry in the caller's transaction (committed with the work it records)."""
    head = lock_head(session)
    seq = head.seq + 1
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    text = canonical_json(detail if detail is not None else {})
    digest = entry_hash(head.hash, seq, at, actor, action, target, text)
    entry = AuditEntry(
        seq=seq, at=at, actor=actor, action=action, target=target, detail=text, prev_hash=head.hash, hash=digest
    )
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


@dataclass(frozen=True)
class Verification:
    """Result of :func:`verify`: entries checked, and the first broken one (if any)."""

    checked: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _entries(session: Session, batch: int = 5_000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch))
        chunk = list(rows)
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify(session: Session) -> Verification:
    """Recompute the whole chain; stop at the first entry that does not match."""
    prev, expected_seq, checked = GENESIS, 1, 0
    for e in _entries(session):
        if e.seq != expected_seq:
            return Verification(checked, expected_seq, f"entry {expected_seq} is missing (next is {e.seq})")
        if e.prev_hash != prev:
            return Verification(checked, e.seq, "its prev_hash does not match the previous entry's hash")
        if entry_hash(prev, e.seq, e.at, e.actor, e.action, e.target, e.detail) != e.hash:
            return Verification(checked, e.seq, "its content does not match its hash (changed after writing)")
        prev, expected_seq, checked = e.hash, expected_seq + 1, checked + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev):
        return Verification(checked, checked + 1, f"the head says {head.seq} entries but {checked} are chained")
    return Verification(checked)


def issue_token(session: Session, role: str, name: str | None, actor: str) -> tuple[ApiToken, str]:
    """Make a token for ``role`` and record who made it (``token.created``; never the token itself)."""
    row, token = create_token(session, role, name)
    append(session, actor, "token.created", f"token/{row.id}", {"name": row.name, "role": role})
    return row, token
