"""Sepsis-3 onset per suspected-infection episode — Singer 2016, Seymour 2016.

Source: shared/docs/clinical/adult-scores.md §3.4 (the −48 h / +24 h window, ΔSOFA ≥ 2) and
§3.5 (onset):

* ``t_SOFA`` — the earliest hour ``t`` with ``t_SI − 48 h ≤ t ≤ t_SI + 24 h`` and ΔSOFA(t) ≥ 2;
* ``t_onset`` = min(``t_SI``, ``t_SOFA``);
* every episode is evaluated and reported; the patient's onset is the earliest ``t_onset``
  (ricu's default looks at the first episode only).

Hours are labelled by their end (§3.1), so ``t`` is the end of the hour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sepsiscope.scores.sepsis3.baseline import Baseline, check_baseline, delta_sofa
from sepsiscope.scores.sepsis3.hourly import SofaHour, check_series
from sepsiscope.scores.sepsis3.infection import Episode

#: adult-scores.md §3.4 (Seymour 2016): hours from t_SI − 48 h …
WINDOW_BEFORE = timedelta(hours=48)
#: … to t_SI + 24 h, both ends included (§3.1 "windows closed at both ends").
WINDOW_AFTER = timedelta(hours=24)
#: adult-scores.md §3.4: the sepsis criterion is ΔSOFA ≥ 2 (Singer 2016).
DELTA_SOFA_SEPSIS = 2


@dataclass(frozen=True)
class Onset:
    """The Sepsis-3 evaluation of one SI episode (adult-scores.md §3.5 "output").

    ``t_sofa``, ``t_onset``, ``delta_sofa`` and ``sofa`` are ``None`` when no hour of the
    window has ΔSOFA ≥ 2 (the episode is not sepsis). ``reference_sofa`` is the SOFA the rise
    was measured from (the baseline value at ``t_sofa``).
    """

    episode: Episode
    baseline: Baseline
    t_sofa: datetime | None
    t_onset: datetime | None
    delta_sofa: int | None
    sofa: int | None
    reference_sofa: int | None

    @property
    def t_si(self) -> datetime:
        """The episode's suspected-infection time."""
        return self.episode.t_si

    @property
    def sepsis(self) -> bool:
        """True when the episode meets Sepsis-3 (a ΔSOFA ≥ 2 hour in its window)."""
        return self.t_onset is not None


def onset(
    episodes: Iterable[Episode],
    hourly_sofa: Sequence[SofaHour],
    *,
    baseline: Baseline = "zero",
    baseline_sofa: int = 0,
) -> list[Onset]:
    """Evaluate each SI episode of one patient against its hourly SOFA series (§3.4, §3.5).

    ``hourly_sofa`` is the patient's hourly SOFA (§3.3), labelled by hour end, strictly
    increasing. ``baseline_sofa`` is a documented chronic SOFA, used by the ``zero`` rule only.
    """
    rule = check_baseline(baseline)
    check_series(hourly_sofa)
    return [_one(e, hourly_sofa, rule, baseline_sofa) for e in episodes]


def earliest(onsets: Iterable[Onset]) -> Onset | None:
    """The episode with the earliest ``t_onset`` (the patient's onset, §3.5), or ``None``."""
    septic = [o for o in onsets if o.t_onset is not None]
    return min(septic, key=lambda o: (o.t_onset, o.t_si)) if septic else None


def _one(episode: Episode, hours: Sequence[SofaHour], rule: Baseline, baseline_sofa: int) -> Onset:
    lo, hi = episode.t_si - WINDOW_BEFORE, episode.t_si + WINDOW_AFTER
    # min24 looks 23 h before each window hour; the other rules see the window only.
    first_needed = lo - timedelta(hours=23) if rule == "min24" else lo
    series = [h for h in hours if first_needed <= h.time <= hi]
    deltas = delta_sofa(series, lo, baseline=rule, baseline_sofa=baseline_sofa)
    for h, (delta, ref) in zip(series, deltas, strict=True):
        if h.time < lo or delta is None or delta < DELTA_SOFA_SEPSIS:
            continue
        return Onset(episode, rule, h.time, min(episode.t_si, h.time), delta, h.total, ref)
    return Onset(episode, rule, None, None, None, None, None)
