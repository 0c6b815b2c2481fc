"""Sign-in with a service token, and sign-out (both audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sepsiscope.service import audit
from sepsiscope.service.auth import authenticate
from sepsiscope.ward.access import PAGE_ROLES, principal_of, safe_next, service, store, viewer
from sepsiscope.ward.session import WardSession, clear_cookie, cookie_of, csrf_ok, set_cookie
from sepsiscope.ward.templating import render

router = APIRouter()


def _form(request: Request, next_: str, *, error: str | None = None, status: int = 200) -> Response:
    """The sign-in form with a fresh anonymous session (its CSRF token) unless one is live."""
    sessions = store(request)
    sid = cookie_of(request)
    session = sessions.get(sid)
    fresh = session is None or session.token_id is not None
    if fresh:
        sid, session = sessions.open()
    assert session is not None and sid is not None
    response = render(request, "sign_in.html", None, status=status, csrf=session.csrf, next=next_, error=error,
                      title="Sign in")  # fmt: skip
    if fresh:
        set_cookie(request, response, sid)
    return response


@router.get("/ward/sign-in")
def sign_in_page(request: Request) -> Response:
    """The sign-in form (already signed in: straight to the ward)."""
    next_ = safe_next(request.query_params.get("next"))
    if principal_of(service(request), store(request).get(cookie_of(request))) is not None:
        return Response(status_code=303, headers={"Location": next_})
    return _form(request, next_)


@router.post("/ward/sign-in")
async def sign_in(request: Request) -> Response:
    """Check the CSRF token and the service token; a nurse, clinician or admin gets a new session."""
    form = await request.form()
    next_ = safe_next(str(form.get("next") or ""))
    sessions = store(request)
    old_sid = cookie_of(request)
    anonymous: WardSession | None = sessions.get(old_sid)
    if not csrf_ok(anonymous, form.get("csrf")):
        return _form(request, next_, error="The form had expired. Please sign in again.", status=403)
    token = str(form.get("token") or "").strip()
    ctx = service(request)
    with ctx.sessions.begin() as db:
        who = authenticate(db, token) if token else None
        if who is None:
            return _form(request, next_, error="That token is not valid (unknown or revoked).", status=401)
        if who.role not in PAGE_ROLES:
            return _form(request, next_, status=403, error=f"A {who.role} token sends data and cannot sign in to "
                         "the pages. Use a nurse, clinician or admin token.")  # fmt: skip
        audit.append(db, who.actor, "ward.sign_in", "ward")
    sessions.close(old_sid)
    sid, _ = sessions.open(who.token_id)
    response = Response(status_code=303, headers={"Location": next_})
    set_cookie(request, response, sid)
    return response


@router.post("/ward/sign-out")
async def sign_out(request: Request) -> Response:
    """End the session (needs its CSRF token) and go back to the sign-in page."""
    who = viewer(request)
    form = await request.form()
    if not csrf_ok(who.session, form.get("csrf")):
        return render(request, "error.html", who, status=403, title="Form expired",
                      message="The form had expired. Reload the page and try again.")  # fmt: skip
    ctx = service(request)
    with ctx.sessions.begin() as db:
        audit.append(db, who.principal.actor, "ward.sign_out", "ward")
    store(request).close(who.sid)
    response = Response(status_code=303, headers={"Location": "/ward/sign-in"})
    clear_cookie(request, response)
    return response
