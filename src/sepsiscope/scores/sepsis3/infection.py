"""Suspected infection (SI) episodes from antibiotic and culture events — Seymour 2016.

Source: Seymour CW et al., JAMA 2016;315(8):762-774 (antibiotic + body-fluid culture, 24 h / 72 h).
Rules and edge cases: shared/docs/clinical/adult-scores.md §3.2 and decision D-12 (§7):

* antibiotic first: a culture at ``t_cx`` with ``t_abx ≤ t_cx ≤ t_abx + 24 h`` → ``t_SI = t_abx``;
* culture first: an antibiotic at ``t_abx`` with ``t_cx < t_abx ≤ t_cx + 72 h`` → ``t_SI = t_cx``;
* an antibiotic and a culture at the same instant qualify (antibiotic-first row, D-12);
* every qualifying pair is an episode; pairs with the same ``t_SI`` collapse into one.

Only systemic antibiotic administrations count (routes in ``events.toml`` [routes] systemic:
not topical, ophthalmic, otic or inhaled) and only body-fluid specimens (``events.toml``
[codes] specimens). Orders (``antibiotic_order``) are not administrations and do not count.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sepsiscope.variables.events import EVENTS, Event

#: adult-scores.md §3.2: a culture up to 24 h after the antibiotic (antibiotic first).
ABX_FIRST_MAX = timedelta(hours=24)
#: adult-scores.md §3.2: an antibiotic up to 72 h after the culture (culture first).
CULTURE_FIRST_MAX = timedelta(hours=72)

Order = Literal["antibiotic_first", "culture_first"]


@dataclass(frozen=True)
class Episode:
    """One suspected-infection episode: its time ``t_si`` and the pair that made it.

    ``order`` says which came first; ``t_antibiotic``/``t_culture`` are the earliest partner
    pair giving this ``t_si`` (adult-scores.md §3.2).
    """

    t_si: datetime
    order: Order
    t_antibiotic: datetime
    t_culture: datetime
    antibiotic: str
    specimen: str


def suspected_infection(
    events: Iterable[Event],
    *,
    routes: Collection[str] | None = None,
    specimens: Collection[str] | None = None,
) -> list[Episode]:
    """Every SI episode of one patient, ordered by ``t_si`` (adult-scores.md §3.2).

    ``routes`` (default: the systemic routes of ``events.toml``) and ``specimens`` (default: every
    body-fluid specimen) narrow the events that count; the PhysioNet 2019 rule (§3.6) passes the
    intravenous routes and ``{"blood"}``.
    """
    allowed_routes = EVENTS.systemic_routes if routes is None else frozenset(routes)
    allowed_specimens = EVENTS.codes("specimens") if specimens is None else frozenset(specimens)
    abx: list[Event] = []
    cultures: list[Event] = []
    for e in events:
        if e.kind == "antibiotic" and e.route in allowed_routes:
            abx.append(e)
        elif e.kind == "culture" and e.code in allowed_specimens:
            cultures.append(e)
    abx.sort(key=lambda e: (e.time, e.code))
    cultures.sort(key=lambda e: (e.time, e.code))
    found: dict[datetime, Episode] = {}
    for a in abx:
        for c in cultures:
            if a.time <= c.time <= a.time + ABX_FIRST_MAX:
                episode = Episode(a.time, "antibiotic_first", a.time, c.time, a.code, c.code)
            elif c.time < a.time <= c.time + CULTURE_FIRST_MAX:
                episode = Episode(c.time, "culture_first", a.time, c.time, a.code, c.code)
            else:
                continue
            kept = found.get(episode.t_si)
            if kept is None or _partner_gap(episode) < _partner_gap(kept):
                found[episode.t_si] = episode
    return [found[t] for t in sorted(found)]


def _partner_gap(e: Episode) -> tuple[int, timedelta]:
    # Prefer the antibiotic-first reading of a tie, then the closest partner (deterministic collapse).
    return (0 if e.order == "antibiotic_first" else 1, abs(e.t_culture - e.t_antibiotic))
