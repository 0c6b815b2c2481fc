"""Jinja2 for the ward pages: autoescaped templates, time and number filters, one render call.

Times are shown in UTC and say so (the server does not know the ward's time zone); the charts
use UTC too. Every page gets the signed-in person (``viewer``), the session's CSRF token and
the ward's "now" (``ServiceContext.clock``: the wall clock, or the demo's simulated one).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

if TYPE_CHECKING:
    from sepsiscope.ward.access import Viewer

#: Versions of the vendored scripts (static/htmx-VERSION.min.js, static/uplot-VERSION.*).
HTMX_VERSION = "2.0.11"
UPLOT_VERSION = "1.6.32"

env = Environment(
    loader=PackageLoader("sepsiscope.ward", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def hhmm(t: datetime | None) -> str:
    """``14:05`` (UTC); ``—`` when unknown."""
    return "—" if t is None else t.strftime("%H:%M")


def stamp(t: datetime | None) -> str:
    """``2026-12-05 14:05 UTC``; ``—`` when unknown."""
    return "—" if t is None else t.strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: float) -> str:
    """A span in words a nurse reads at a glance: ``45 s``, ``12 min``, ``3 h 05 min``, ``2 d 4 h``."""
    s = int(abs(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"


def ago(t: datetime | None, now: datetime) -> str:
    """How long before ``now`` (``—`` when unknown; ``in …`` for a time still to come)."""
    if t is None:
        return "—"
    gap = (now - t).total_seconds()
    return f"{duration(gap)} ago" if gap >= 0 else f"in {duration(gap)}"


def bed(text: str | None) -> str:
    """A bed as people say it: ``Bed 12`` for a bare number, the text as sent otherwise (``Bed 02``, ``Side room``)."""
    if not text:
        return "—"
    return f"Bed {text}" if text[:1].isdigit() else text


def percent(p: float | None) -> str:
    """A probability as a percentage with one decimal (``—`` when unknown)."""
    return "—" if p is None else f"{100 * p:.1f} %"


def number(v: Any) -> str:
    """A value as measured: integers without a decimal point, others to 3 significant figures."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.3g}"
    return str(v)


env.filters.update(bed=bed, hhmm=hhmm, stamp=stamp, percent=percent, number=number, duration=duration)
env.globals.update(ago=ago, htmx_version=HTMX_VERSION, uplot_version=UPLOT_VERSION)


def render(
    request: Request, name: str, viewer: Viewer | None, *, now: datetime | None = None, status: int = 200,
    **context: Any,
) -> HTMLResponse:  # fmt: skip
    """Render one template with the common context (``csrf``: the viewer's, unless given)."""
    if viewer is not None:
        context["csrf"] = viewer.session.csrf
    html = env.get_template(name).render(request=request, path=request.url.path, viewer=viewer, now=now, **context)
    return HTMLResponse(html, status_code=status)
