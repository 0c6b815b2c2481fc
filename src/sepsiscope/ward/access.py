"""Who is looking at a ward page, and what they may do.

* No session (or an expired one, or one whose token was revoked): a page answers 303 to the
  sign-in page, a partial (HTMX request) answers 401 with ``HX-Redirect`` and an empty body.
  Neither carries any patient data.
* Nurses and clinicians read the ward, patients and alerts and act on alerts; an admin may
  also open the admin page. Integration tokens never sign in to pages (they only send data).
* A role that may not see a page gets the 403 page, which names no patient.

The roles are the service's own (:mod:`sepsiscope.service.auth`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from sepsiscope.service.auth import ADMIN, READ_PATIENTS, Principal, Role
from sepsiscope.service.context import ServiceContext
from sepsiscope.service.db.models import ApiToken
from sepsiscope.ward.session import SessionStore, WardSession, clear_cookie, cookie_of, is_ward_path
from sepsiscope.ward.templating import render

#: Roles that may sign in to the pages (not ``integration``).
PAGE_ROLES: tuple[Role, ...] = READ_PATIENTS
SIGN_IN = "/ward/sign-in"


class PageExit(Exception):
    """Stop handling a page and answer with ``response`` (sign-in redirect, 403 page, ...)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: the service principal (token name and role) and their session."""

    principal: Principal
    sid: str
    session: WardSession

    @property
    def is_admin(self) -> bool:
        return self.principal.role in ADMIN

    @property
    def label(self) -> str:
        """How the pages name the person: ``ward-4b (nurse)``."""
        return f"{self.principal.name} ({self.principal.role})"


def service(request: Request) -> ServiceContext:
    """The running service's context."""
    ctx: ServiceContext = request.app.state.service
    return ctx


def store(request: Request) -> SessionStore:
    """The ward's session store."""
    sessions: SessionStore = request.app.state.ward_sessions
    return sessions


def is_partial(request: Request) -> bool:
    """True for an HTMX request (a partial swap, not a page)."""
    return request.headers.get("hx-request") == "true"


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a ward path on this server, else ``/ward`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/ward"
    return target if is_ward_path(target.split("?", 1)[0]) else "/ward"


def to_sign_in(request: Request) -> Response:
    """The answer to a request without a live session (no data in it)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{SIGN_IN}?next={quote(safe_next(target), safe='/')}"
    if is_partial(request):
        response = Response(status_code=401, headers={"HX-Redirect": location})
    else:
        response = Response(status_code=303, headers={"Location": location if request.method == "GET" else SIGN_IN})
    if cookie_of(request):
        clear_cookie(request, response)
    return response


def principal_of(ctx: ServiceContext, session: WardSession | None) -> Principal | None:
    """The live token behind a signed-in session (``None``: anonymous, revoked or not a page role)."""
    if session is None or session.token_id is None:
        return None
    with ctx.sessions() as db:
        row = db.get(ApiToken, session.token_id)
        if row is None or row.revoked_at is not None or row.role not in PAGE_ROLES:
            return None
        return Principal(row.id, row.name, row.role)  # type: ignore[arg-type]


def viewer(request: Request, roles: tuple[Role, ...] = READ_PATIENTS) -> Viewer:
    """The signed-in person, or :class:`PageExit` (sign-in redirect, or the 403 page)."""
    sid = cookie_of(request)
    session = store(request).get(sid)
    principal = principal_of(service(request), session)
    if principal is None or sid is None or session is None:
        store(request).close(sid)
        raise PageExit(to_sign_in(request))
    who = Viewer(principal, sid, session)
    if principal.role != "admin" and principal.role not in roles:
        raise PageExit(forbidden(request, who))
    return who


def forbidden(request: Request, who: Viewer) -> Response:
    """The 403 page: this role may not open this page."""
    if is_partial(request):
        return Response(status_code=403)
    return render(request, "error.html", who, status=403, title="Not allowed",
                  message=f"Your role ({who.principal.role}) may not open this page.")  # fmt: skip
