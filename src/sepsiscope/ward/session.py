"""Sign-in sessions of the ward pages: server-side, one HttpOnly cookie, a CSRF token per session.

A session is a random 32-byte id in the cookie ``sepsiscope_ward`` (HttpOnly, SameSite=Strict,
Path=/, Secure when the page was served over https, no Max-Age: gone when the browser closes).
The server keeps, per id (stored as its SHA-256), the token row it belongs to, its CSRF token
and its expiry. The cookie carries no token, name or role, and nothing about a patient.

* Visiting the sign-in page opens an anonymous session (30 minutes) so that the sign-in form
  has a CSRF token too; signing in replaces it with a fresh id (no session fixation).
* A signed-in session lasts one shift (12 h) and ends at sign-out, when its token is revoked
  (checked on every request) or when the server restarts (sessions live in memory).
* Every POST carries the session's CSRF token in the form field ``csrf``; a POST without the
  right one is refused (:func:`csrf_ok`, constant-time comparison).

The application deletes every ``Set-Cookie`` except this one on ward paths
(:func:`cookie_allowed`); the symptom checker stays cookie-free.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "sepsiscope_ward"
#: A signed-in session lasts one 12-hour shift, then the person signs in again.
LIFETIME_S = 12 * 3600
#: An anonymous session (the sign-in form's CSRF token) lasts 30 minutes.
ANONYMOUS_LIFETIME_S = 30 * 60
#: At most this many sessions are kept; past it, expired and then the oldest anonymous ones go.
MAX_SESSIONS = 10_000


@dataclass
class WardSession:
    """What the server keeps about one browser: its token row (``None`` = not signed in)."""

    csrf: str
    expires: float
    token_id: int | None = None
    serial: int = 0  # order of opening (the oldest anonymous session goes first when full)


class SessionStore:
    """In-memory sessions, keyed by the SHA-256 of the cookie value; thread-safe."""

    def __init__(self) -> None:
        self._items: dict[str, WardSession] = {}
        self._lock = threading.Lock()
        self._serial = itertools.count()

    @staticmethod
    def _key(sid: str) -> str:
        return hashlib.sha256(sid.encode()).hexdigest()

    def open(self, token_id: int | None = None) -> tuple[str, WardSession]:
        """A new session (anonymous unless ``token_id``); returns the cookie value and the session."""
        sid = secrets.token_urlsafe(32)
        lifetime = LIFETIME_S if token_id is not None else ANONYMOUS_LIFETIME_S
        session = WardSession(secrets.token_urlsafe(32), time.monotonic() + lifetime, token_id, next(self._serial))
        with self._lock:
            if len(self._items) >= MAX_SESSIONS:
                self._prune()
            self._items[self._key(sid)] = session
        return sid, session

    def get(self, sid: str | None) -> WardSession | None:
        """The live session of a cookie value, or ``None`` (an expired one is dropped)."""
        if not sid:
            return None
        key = self._key(sid)
        with self._lock:
            session = self._items.get(key)
            if session is not None and session.expires <= time.monotonic():
                del self._items[key]
                return None
            return session

    def close(self, sid: str | None) -> None:
        """End a session (sign-out, revoked token)."""
        if sid:
            with self._lock:
                self._items.pop(self._key(sid), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _prune(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._items.items() if s.expires <= now]:
            del self._items[key]
        anonymous = sorted((s.serial, k) for k, s in self._items.items() if s.token_id is None)
        for _, key in anonymous[: max(0, len(self._items) - MAX_SESSIONS + 1)]:
            del self._items[key]
        while len(self._items) >= MAX_SESSIONS:  # all signed in: the one closest to expiry goes
            del self._items[min(self._items, key=lambda k: self._items[k].expires)]


def cookie_of(request: Request) -> str | None:
    """The session cookie's value, if the browser sent one."""
    return request.cookies.get(COOKIE)


def set_cookie(request: Request, response: Response, sid: str) -> None:
    """Give the browser its session id: HttpOnly, SameSite=Strict, Secure over https."""
    response.set_cookie(COOKIE, sid, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")


def clear_cookie(request: Request, response: Response) -> None:
    """Tell the browser to forget its session id."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")


def csrf_ok(session: WardSession | None, sent: object) -> bool:
    """True when the form's ``csrf`` field is this session's token (constant time)."""
    if session is None or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(session.csrf.encode(), sent.encode())


def is_ward_path(path: str) -> bool:
    """True for the ward's pages (``/ward``, ``/ward/…``, ``/patients/…``)."""
    return path == "/ward" or path.startswith(("/ward/", "/patients/"))


def cookie_allowed(path: str, set_cookies: list[str]) -> bool:
    """Whether a response may keep its ``Set-Cookie`` headers: only the ward cookie, on ward paths."""
    return is_ward_path(path) and all(h.split("=", 1)[0].strip() == COOKIE for h in set_cookies)
