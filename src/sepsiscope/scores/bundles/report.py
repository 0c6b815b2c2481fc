"""The bundle report of one encounter — shared/docs/clinical/adult-scores.md §4.3.

One JSON object per encounter: ``bundle``, ``t0``, ``elements`` (name →
``{"applicable", "met", "time", "deadline"}``), ``compliant`` and, for SEP-1,
``manual_version``, ``t_shock`` and ``t_hypotension``. ``compliant`` is false if any applicable
element is not met, else null if any applicable element is undecided (``met`` null), else true
(all-or-none, §4.2 "Compliance").

Two additions, both outside the compliance rule: ``detail`` on an element (why it is
applicable, undecided or what volume was given) and ``separate`` — elements the doc asks to be
reported beside the bundle (the SSC lactate re-measurement, due by T0 + 6 h, §4.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

BundleName = Literal["ssc_hour1", "sep1"]


@dataclass(frozen=True)
class Element:
    """One bundle element: does it apply, was it met (``None`` = the data cannot say), when, by when."""

    applicable: bool
    met: bool | None
    time: datetime | None
    deadline: datetime
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The §4.3 element object (timestamps as ISO 8601 with offset)."""
        out: dict[str, Any] = {
            "applicable": self.applicable,
            "met": self.met,
            "time": _iso(self.time),
            "deadline": _iso(self.deadline),
        }
        if self.detail:
            out["detail"] = self.detail
        return out


def compliant(elements: Mapping[str, Element]) -> bool | None:
    """All-or-none compliance over the applicable elements (§4.3)."""
    applicable = [e for e in elements.values() if e.applicable]
    if any(e.met is False for e in applicable):
        return False
    if any(e.met is None for e in applicable):
        return None
    return True


@dataclass(frozen=True)
class BundleReport:
    """The §4.3 object for one encounter."""

    bundle: BundleName
    t0: datetime | None
    elements: dict[str, Element]
    separate: dict[str, Element] = field(default_factory=dict)
    manual_version: str | None = None
    t_shock: datetime | None = None
    t_hypotension: datetime | None = None
    note: str | None = None

    @property
    def compliant(self) -> bool | None:
        """All-or-none compliance (§4.3); ``None`` without a time zero."""
        return compliant(self.elements) if self.t0 is not None else None

    def to_json(self) -> dict[str, Any]:
        """The §4.3 JSON object (plus ``separate`` and ``note`` when present)."""
        out: dict[str, Any] = {
            "bundle": self.bundle,
            "t0": _iso(self.t0),
            "elements": {k: v.to_json() for k, v in self.elements.items()},
            "compliant": self.compliant,
        }
        if self.bundle == "sep1":
            out["manual_version"] = self.manual_version
            out["t_shock"] = _iso(self.t_shock)
            out["t_hypotension"] = _iso(self.t_hypotension)
        if self.separate:
            out["separate"] = {k: v.to_json() for k, v in self.separate.items()}
        if self.note:
            out["note"] = self.note
        return out


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()
