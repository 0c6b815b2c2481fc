"""Web pages of the symptom checker: ``/check`` (form and result) and ``/learn``.

Server-rendered (Jinja2), one form that works without JavaScript; ``static/checker.js``
only hides questions that do not apply and shows the emergency advice as soon as a danger
sign is ticked. Source of the rules and texts: shared/docs/clinical/symptom-checker.md.

Privacy: answers arrive in the POST body only, are used to render one page and are then
gone. Nothing is stored, logged or put in a cookie; the language is a ``?lang=`` link or a
hidden form field.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from sepsiscope.checker.catalogue import LANGUAGE_NAMES, Catalogue, catalogue, negotiate
from sepsiscope.checker.form import ParsedAnswers, parse_answers
from sepsiscope.checker.questions import UNKNOWN_AGE, Question, questionnaire
from sepsiscope.scores.symptom_checker import LANGUAGES, check_answers

router = APIRouter()
templates = Jinja2Templates(
    env=Environment(loader=PackageLoader("sepsiscope.checker", "templates"), autoescape=select_autoescape())
)

#: Sections of the education page, in order (symptom-checker.md §10).
LEARN_SECTIONS = ("what", "where", "shock", "signs", "risk", "prevent", "ask", "after", "numbers")
#: Sources cited on the education page (symptom-checker.md §1, §12): catalogue key -> address.
SOURCES = {
    "learn.source_cdc": "https://www.cdc.gov/sepsis/",
    "learn.source_nigms": "https://www.nigms.nih.gov/education/fact-sheets/Pages/sepsis.aspx",
    "learn.source_nice": "https://www.nice.org.uk/guidance/ng253",
    "learn.source_nhs": "https://www.nhs.uk/conditions/sepsis/",
}
_AGE_NOTES = {
    (0.0, 60.0): "check.ages_under_5",
    (0.0, 144.0): "check.ages_under_12",
    (144.0, 780.0): "check.ages_12_to_64",
}


def age_note(q: Question) -> str | None:
    """Catalogue key of the "for whom" note of an age-limited question (shown without JavaScript)."""
    if q.ages[0] == 0 and math.isinf(q.ages[1]):
        return None
    return _AGE_NOTES.get(q.ages, "check.ages_12_plus")


def _context(request: Request, lang: str, **extra: Any) -> dict[str, Any]:
    t: Catalogue = catalogue(lang)
    return {
        "request": request,
        "lang": lang,
        "t": t,
        "path": request.url.path,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        **extra,
    }


def _lang(request: Request, requested: str | None = None) -> str:
    return negotiate(requested or request.query_params.get("lang"), request.headers.get("accept-language"))


def _form_page(request: Request, lang: str, parsed: ParsedAnswers | None, values: dict[str, list[str]]) -> Any:
    return templates.TemplateResponse(
        request,
        "check.html",
        _context(
            request,
            lang,
            qn=questionnaire(),
            errors=parsed.errors if parsed else {},
            values=values,
            age_note=age_note,
            unknown_age=UNKNOWN_AGE,
            page_title=catalogue(lang)("check.title"),
        ),
        status_code=422 if parsed and parsed.errors else 200,
    )


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """The checker is the front page."""
    lang = request.query_params.get("lang")
    return RedirectResponse(f"/check?lang={lang}" if lang in LANGUAGES else "/check", status_code=303)


@router.get("/check", response_class=HTMLResponse)
def check_form(request: Request) -> Any:
    """The questionnaire: one form, danger signs first."""
    return _form_page(request, _lang(request), None, {})


def _unreadable_page(request: Request, lang: str) -> Any:
    """422: the answers could not be read; start again. The emergency call-out stays on top."""
    return templates.TemplateResponse(
        request,
        "unreadable.html",
        _context(request, lang, page_title=catalogue(lang)("unreadable.title")),
        status_code=422,
    )


@router.post("/check", response_class=HTMLResponse)
async def check_result(request: Request) -> Any:
    """Answers in the body -> the advice page (or the form again, to re-check a value).

    A value the form does not offer (unknown field, choice or code; two answers to a
    one-answer question; a number that does not parse) is never taken as "not ticked":
    the reply is 422 and a page asking to start again (nothing is logged or kept).
    """
    form = await request.form()
    values = {key: [str(v) for v in form.getlist(key)] for key in form.keys() if key != "lang"}
    lang = _lang(request, str(form.get("lang") or "") or None)
    parsed = parse_answers(values)
    if parsed.unreadable:
        return _unreadable_page(request, lang)
    if parsed.errors:
        return _form_page(request, lang, parsed, values)
    result = check_answers(parsed.answers)
    t = catalogue(lang)
    return templates.TemplateResponse(
        request,
        "result.html",
        _context(
            request,
            lang,
            result=result,
            escalate={
                level: [key for lvl, key in result.escalate_if if lvl == level] for level in ("EMERGENCY", "URGENT")
            },
            safety_net=("fast", "cannot_tell", "trust", "say_sepsis", "pregnant"),
            page_title=t(f"level.{result.level}"),
        ),
    )


@router.get("/learn", response_class=HTMLResponse)
def learn(request: Request) -> Any:
    """What sepsis is, septic shock, risk, signs, prevention and life after sepsis (§10)."""
    lang = _lang(request)
    return templates.TemplateResponse(
        request,
        "learn.html",
        _context(request, lang, sections=LEARN_SECTIONS, sources=SOURCES, page_title=catalogue(lang)("learn.title")),
    )


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """Liveness probe (no answers, nothing logged)."""
    return {"status": "ok"}


def not_found_page(request: Request) -> Any:
    """A plain 404 page in the person's language."""
    lang = _lang(request)
    return templates.TemplateResponse(
        request, "404.html", _context(request, lang, page_title=catalogue(lang)("error.not_found")), status_code=404
    )
