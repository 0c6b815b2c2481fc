"""Refused credentials in the audit trail, without letting a flood of them grow it without bound.

Every refused bearer token (the service's own, a hospital OIDC JWT, an EHR's CDS Hooks JWT) is
worth an audit entry: who was turned away, from where, and why — never the token itself. A
misconfigured interface engine or an attacker can send hundreds a second, though, and each
entry is a write to the hash-chained trail. So each kind of refusal (the audit action) writes
at most one entry per ``window_s``: the first refusal of a window is written at once with its
reason; the ones after it are counted, by reason, and their counts ride on the next entry
written for that action (``suppressed``). Nothing is lost but the individual timestamps of a
burst, and the trail shows when refusals started and how many there were.

The counts live in the process: counts not yet written when it stops are lost (the first
refusal of every window always is written).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from sepsiscope.service import audit

WINDOW_S = 60.0


@dataclass
class _Window:
    opened: float
    suppressed: Counter[str] = field(default_factory=Counter)


class RefusalLog:
    """Rate-limited audit entries for refused credentials (one per action and window)."""

    def __init__(self, window_s: float = WINDOW_S, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.window_s, self.monotonic = window_s, monotonic
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def admit(self, action: str, reason: str) -> dict[str, int] | None:
        """Counts suppressed since the last entry (by reason) if an entry is due now, else ``None``."""
        now = self.monotonic()
        with self._lock:
            window = self._windows.get(action)
            if window is not None and now - window.opened < self.window_s:
                window.suppressed[reason] += 1
                return None
            self._windows[action] = _Window(now)
            return dict(window.suppressed) if window is not None else {}

    def record(self, sessions: sessionmaker[Session], actor: str, action: str, target: str,
               detail: dict[str, Any]) -> bool:  # fmt: skip
        """Write the refusal's audit entry if one is due (``detail["reason"]`` names why); whether it was."""
        suppressed = self.admit(action, str(detail.get("reason", "")))
        if suppressed is None:
            return False
        with sessions.begin() as session:
            audit.append(session, actor, action, target, {**detail, "suppressed": suppressed})
        return True
