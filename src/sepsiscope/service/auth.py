"""Bearer tokens and roles.

A token is 32 random bytes (URL-safe text with a ``ssc_`` prefix), shown once when it is
made; only its SHA-256 is stored (a high-entropy secret needs no slow hash). Roles:

=============  ==============================================================
integration    writes patients, observations and events
nurse          reads patients and alerts, acts on alerts
clinician      reads patients and alerts, acts on alerts
admin          everything, plus tokens and the audit trail
=============  ==============================================================
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from sepsiscope.errors import UsageError
from sepsiscope.service.db.models import ApiToken

Role = Literal["integration", "nurse", "clinician", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
TOKEN_PREFIX = "ssc_"

#: What each permission needs. ``admin`` holds every permission.
WRITE_DATA: tuple[Role, ...] = ("integration", "admin")
READ_PATIENTS: tuple[Role, ...] = ("nurse", "clinician", "admin")
ACT_ON_ALERTS: tuple[Role, ...] = ("nurse", "clinician", "admin")
ADMIN: tuple[Role, ...] = ("admin",)


class BearerRefused(Exception):
    """A bearer verifier recognised the token as its kind and refused it; ``reason`` is for the audit trail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: Another way to accept a bearer token (the EHR layer's OIDC verifier, set as
#: ``app.state.bearer_verifier``): the principal, ``None`` when the token is not of its kind, or
#: :class:`BearerRefused` when it is and was refused.
BearerVerifier = Callable[[str], "Principal | None"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name and role."""

    token_id: int
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """How the audit trail and alert histories name this caller."""
        return f"{self.role}:{self.name}"


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, role: str, name: str | None = None) -> tuple[ApiToken, str]:
    """Store a new token for ``role``; return the row and the token text (shown once)."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name or f"{role}-{secrets.token_hex(3)}",
        role=role,
        token_hash=hash_token(token),
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row, token


def authenticate(session: Session, token: str) -> Principal | None:
    """The principal of a live token, or ``None``."""
    digest = hash_token(token)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Principal(row.id, row.name, row.role)  # type: ignore[arg-type]
