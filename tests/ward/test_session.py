"""Sign-in, the session cookie, CSRF, sign-out, revoked tokens, and no data without a session."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sepsiscope.ward import session as ward_session
from sepsiscope.ward.access import safe_next
from sepsiscope.ward.session import COOKIE, SessionStore, cookie_allowed
from tests.ward.conftest import Ward, sick_patient

PAGES = ["/ward", "/ward/alerts", "/ward/admin", "/patients/p1"]


def _cookie(response: object) -> str:
    header = response.headers.get("set-cookie")  # type: ignore[attr-defined]
    assert header and header.startswith(f"{COOKIE}="), header
    return str(header)


@pytest.mark.parametrize("path", PAGES)
def test_no_session_redirects_to_sign_in_without_data(ward: Ward, path: str) -> None:
    sick_patient(ward, bed="Bed-Zeta-7")
    r = ward.client().get(path)
    assert r.status_code == 303
    assert r.headers["location"] == f"/ward/sign-in?next={path}"
    assert r.content == b""


def test_partial_without_session_is_401_with_hx_redirect_and_empty(ward: Ward) -> None:
    sick_patient(ward, bed="Bed-Zeta-7")
    r = ward.client().get("/ward/rows", headers={"HX-Request": "true"})
    assert r.status_code == 401
    assert r.headers["hx-redirect"] == "/ward/sign-in?next=/ward/rows"
    assert r.content == b""
    plain = ward.client().get("/ward/rows")  # the partial asked for as a page
    assert plain.status_code == 303 and b"p1" not in plain.content


def test_a_forged_or_expired_cookie_is_no_session(ward: Ward) -> None:
    sick_patient(ward)
    c = ward.client()
    c.cookies.set(COOKIE, "made-up")
    r = c.get("/ward")
    assert r.status_code == 303 and "p1" not in r.text
    assert "Max-Age=0" in r.headers["set-cookie"] or "expires=" in r.headers["set-cookie"].lower()


def test_cookie_flags_over_http(ward: Ward) -> None:
    c = ward.client()
    header = _cookie(c.get("/ward/sign-in"))
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    assert "Secure" not in header and "Max-Age" not in header  # a browser-session cookie


def test_cookie_is_secure_over_https_and_changes_at_sign_in(ward: Ward) -> None:
    c = ward.client("https://testserver")
    r = c.get("/ward/sign-in")
    before = _cookie(r)
    assert "Secure" in before
    token = ward.csrf(c, "/ward/sign-in")
    r = c.post("/ward/sign-in", data={"csrf": token, "token": ward.tokens["nurse"], "next": "/ward"})
    after = _cookie(r)
    assert r.status_code == 303 and r.headers["location"] == "/ward"
    assert "Secure" in after and "HttpOnly" in after and "SameSite=strict" in after
    assert before.split(";")[0] != after.split(";")[0]  # a new id: no session fixation


@pytest.mark.parametrize(
    ("role", "status", "words"),
    [
        ("integration", 403, "cannot sign in"),
        (None, 401, "not valid"),
    ],
)
def test_sign_in_refused(ward: Ward, role: str | None, status: int, words: str) -> None:
    c = ward.client()
    token = ward.csrf(c, "/ward/sign-in")
    secret = ward.tokens[role] if role else "ssc_not-a-token"
    r = c.post("/ward/sign-in", data={"csrf": token, "token": secret, "next": "/ward"})
    assert r.status_code == status and words in r.text
    assert c.get("/ward").status_code == 303  # still not signed in


@pytest.mark.parametrize("sent", ["", "wrong", None])
def test_sign_in_needs_the_forms_csrf_token(ward: Ward, sent: str | None) -> None:
    c = ward.client()
    c.get("/ward/sign-in")
    data = {"token": ward.tokens["nurse"], "next": "/ward"}
    if sent is not None:
        data["csrf"] = sent
    r = c.post("/ward/sign-in", data=data)
    assert r.status_code == 403 and "expired" in r.text
    assert c.get("/ward").status_code == 303


def test_sign_out_needs_csrf_then_ends_the_session(ward: Ward) -> None:
    c = ward.sign_in("nurse")
    assert c.post("/ward/sign-out", data={"csrf": "wrong"}).status_code == 403
    assert c.get("/ward").status_code == 200
    old = c.cookies.get(COOKIE)
    r = c.post("/ward/sign-out", data={"csrf": ward.csrf(c)})
    assert r.status_code == 303 and r.headers["location"] == "/ward/sign-in"
    c.cookies.set(COOKIE, str(old))  # a copied cookie does not outlive sign-out
    assert c.get("/ward").status_code == 303


def test_revoking_the_token_ends_its_sessions(ward: Ward) -> None:
    from sepsiscope.service.db.models import ApiToken

    c = ward.sign_in("clinician")
    assert c.get("/ward").status_code == 200
    with ward.ctx.sessions.begin() as db:
        row = db.query(ApiToken).filter_by(name="test-clinician").one()
        row.revoked_at = datetime.now(UTC)
    assert c.get("/ward").status_code == 303


def test_sign_in_and_out_are_audited(ward: Ward) -> None:
    c = ward.sign_in("nurse")
    c.post("/ward/sign-out", data={"csrf": ward.csrf(c)})
    entries = ward.api("GET", "/api/v1/audit", role="admin")["entries"]
    actions = [(e["actor"], e["action"]) for e in entries]
    assert ("nurse:test-nurse", "ward.sign_in") in actions and ("nurse:test-nurse", "ward.sign_out") in actions


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/ward/alerts", "/ward/alerts"),
        ("/patients/p1?x=1", "/patients/p1?x=1"),
        ("//evil.example/ward", "/ward"),
        ("https://evil.example/ward", "/ward"),
        ("/\\evil.example", "/ward"),
        ("/check", "/ward"),
        ("/api/v1/patients", "/ward"),
        ("/wardrobe", "/ward"),
        ("", "/ward"),
        (None, "/ward"),
    ],
)
def test_next_stays_on_ward_pages(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_checker_stays_cookie_free_even_for_a_signed_in_browser(ward: Ward) -> None:
    c = ward.sign_in("nurse")
    for path in ("/check", "/learn", "/healthz", "/api/v1/patients"):
        r = c.get(path, headers={"Authorization": f"Bearer {ward.tokens['nurse']}"})
        assert "set-cookie" not in r.headers, path


@pytest.mark.parametrize(
    ("path", "headers", "allowed"),
    [
        ("/ward", [f"{COOKIE}=abc; HttpOnly"], True),
        ("/ward/sign-in", [f"{COOKIE}=abc; HttpOnly"], True),
        ("/patients/p1", [f"{COOKIE}=abc"], True),
        ("/ward", ["other=1"], False),
        ("/ward", [f"{COOKIE}=abc", "other=1"], False),
        ("/check", [f"{COOKIE}=abc"], False),
        ("/wardrobe", [f"{COOKIE}=abc"], False),
        ("/api/v1/patients", [f"{COOKIE}=abc"], False),
    ],
)
def test_only_the_ward_cookie_on_ward_paths(path: str, headers: list[str], allowed: bool) -> None:
    assert cookie_allowed(path, headers) is allowed


def test_store_expires_and_prunes(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(ward_session.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(ward_session, "MAX_SESSIONS", 3)
    store = SessionStore()
    signed, _ = store.open(token_id=1)
    anon, _ = store.open()
    clock[0] += ward_session.ANONYMOUS_LIFETIME_S - 1
    assert store.get(anon) is not None
    clock[0] += 1
    assert store.get(anon) is None  # the anonymous session's 30 minutes are over
    assert store.get(signed) is not None
    a, _ = store.open()
    b, _ = store.open()
    c, _ = store.open()  # the fourth: the oldest anonymous one goes, never a signed-in one first
    assert len(store) == 3 and store.get(a) is None and store.get(signed) is not None
    assert store.get(b) is not None and store.get(c) is not None
    clock[0] += ward_session.LIFETIME_S
    assert store.get(signed) is None  # one shift
