"""Parsing the columns of an event table and checking each row as an :class:`Event`.

Times: ISO 8601 text with ``Z`` or an offset (``2026-03-01T08:00:00+01:00``; a space instead of
``T`` and missing seconds are accepted) or a zoned Parquet timestamp; stored in UTC. Text with no
zone is refused (``time_without_zone``), never read as local time. Values: numbers; text that is
not a number is refused (``not_a_number``). Measurements in a unit other than the registry's are
converted (``variables.units``) and each conversion is recorded.

Each parsed row then goes through :func:`sepsiscope.variables.events.validate_event`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from sepsiscope.errors import ReadError, UnitError
from sepsiscope.io.report import PROBLEM_SCHEMA, IntArray, ReadReport, number_text
from sepsiscope.variables.events import Event, InvalidEvent, validate_event
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import convert

_ZONE = r"(?:[Zz]|[+-]\d{2}:?\d{2})$"
_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
Problem = tuple[int, ReadError, str]
Locate = Callable[[IntArray], tuple[list[str], IntArray]]
UTC_US = pl.Datetime("us", "UTC")


def _text(frame: pl.DataFrame, name: str) -> pl.Series:
    if name not in frame.columns:
        return pl.Series(name, [None] * frame.height, dtype=pl.String)
    s = frame.get_column(name).cast(pl.String).str.strip_chars()
    return s.set(s == "", None)  # type: ignore[arg-type]


def _times(frame: pl.DataFrame, name: str) -> tuple[pl.Series, pl.Series, pl.Series]:
    """(UTC times, original text, reason or null) for one time column."""
    n = frame.height
    if name not in frame.columns:
        none = pl.Series(name, [None] * n, dtype=UTC_US)
        return none, pl.Series([None] * n, dtype=pl.String), pl.Series([None] * n, dtype=pl.String)
    col = frame.get_column(name)
    if isinstance(col.dtype, pl.Datetime):
        text = col.cast(pl.String)
        if col.dtype.time_zone is None:
            reason = pl.select(pl.when(col.is_not_null()).then(pl.lit("time_without_zone"))).to_series()
            return pl.Series(name, [None] * n, dtype=UTC_US), text, reason
        return col.dt.convert_time_zone("UTC").cast(UTC_US), text, pl.Series([None] * n, dtype=pl.String)
    text = _text(frame, name)
    norm = text.str.replace(" ", "T", literal=True).str.replace(r"[Zz]$", "+00:00")
    parsed = pl.select(
        pl.coalesce([norm.str.to_datetime(format=f, time_zone="UTC", strict=False) for f in _FORMATS])
    ).to_series()
    zoned = text.str.contains(_ZONE)
    reason = pl.select(
        pl.when(text.is_null())
        .then(None)
        .when(~zoned)
        .then(pl.lit("time_without_zone"))
        .when(parsed.is_null())
        .then(pl.lit("not_a_time"))
    ).to_series()
    return parsed.cast(UTC_US).alias(name), text, reason


@dataclass
class EventRows:
    """The parsed columns of one event table (one entry per source row)."""

    columns: dict[str, pl.Series]
    texts: dict[str, pl.Series]
    reasons: dict[str, pl.Series]

    @classmethod
    def parse(cls, frame: pl.DataFrame) -> EventRows:
        """Parse every column (no checks of meaning yet)."""
        cols: dict[str, pl.Series] = {}
        texts: dict[str, pl.Series] = {}
        reasons: dict[str, pl.Series] = {}
        for name in ("patient_id", "kind", "code", "unit", "route"):
            cols[name] = _text(frame, name).alias(name)
        for name in ("time", "end"):
            cols[name], texts[name], reasons[name] = _times(frame, name)
        raw = frame.get_column("value") if "value" in frame.columns else pl.Series([None] * frame.height)
        if raw.dtype.is_numeric():
            cols["value"] = raw.cast(pl.Float64).alias("value")
            texts["value"] = pl.Series(number_text(raw), dtype=pl.String)
        else:
            t = _text(frame, "value") if "value" in frame.columns else raw.cast(pl.String)
            cols["value"] = t.cast(pl.Float64, strict=False).alias("value")
            texts["value"] = t
            reasons["value"] = pl.select(
                pl.when(t.is_not_null() & cols["value"].is_null()).then(pl.lit("not_a_number"))
            ).to_series()
        return cls(cols, texts, reasons)

    def convert_units(self, report: ReadReport, locate: Locate) -> None:
        """Convert measurements given in another unit to the registry's unit, recording each one."""
        kind, code, unit, value = (self.columns[k] for k in ("kind", "code", "unit", "value"))
        frame = pl.DataFrame({"kind": kind, "code": code, "unit": unit}).with_row_index("r")
        todo = frame.filter((pl.col("kind") == "measurement") & pl.col("unit").is_not_null())
        missing = value.is_null().to_numpy()
        values = value.fill_null(np.nan).to_numpy().copy()
        units = unit.to_list()
        for (var, src), group in todo.group_by(["code", "unit"]):
            if var not in REGISTRY or REGISTRY[str(var)].unit in (None, src):
                continue
            rows = group.get_column("r").to_numpy().astype(np.int64)
            try:
                converted = convert(values[rows], str(var), str(src))
            except UnitError:
                continue  # validate_event reports the unit, naming it
            files, lines = locate(rows)
            report.add_frame(
                pl.DataFrame(
                    {
                        "file": files,
                        "line": lines,
                        "field": ["value"] * len(rows),
                        "value": [f"{v:g} {src}" for v in values[rows]],
                        "reason": ["unit_converted"] * len(rows),
                        "action": ["converted"] * len(rows),
                        "new_value": [f"{v:g} {REGISTRY[str(var)].unit}" for v in converted],
                        "raw": [None] * len(rows),
                        "detail": [f"{var} converted from {src}"] * len(rows),
                    },
                    schema=PROBLEM_SCHEMA,
                )
            )
            values[rows] = converted
            for r in rows:
                units[r] = REGISTRY[str(var)].unit
        self.columns["value"] = pl.Series("value", values, dtype=pl.Float64).scatter(np.flatnonzero(missing), None)
        self.columns["unit"] = pl.Series("unit", units, dtype=pl.String)

    def check(self, report: ReadReport, locate: Locate) -> list[Problem]:
        """Every row's first problem: parse problems first, then :func:`validate_event`."""
        self.convert_units(report, locate)
        problems: list[Problem] = []
        parse = self._parse_problems()
        for row, event in enumerate(self.events()):
            if row in parse:
                problems.append(parse[row])
                continue
            if event is None:
                continue
            try:
                validate_event(event)
            except InvalidEvent as err:
                if err.field in self.texts:  # name the value as the file wrote it
                    err.value = self.texts[err.field][row]
                problems.append((row, err, err.code))
        return problems

    def _parse_problems(self) -> dict[int, Problem]:
        found: dict[int, Problem] = {}
        for name in ("patient_id", "time", "kind", "code"):
            for row in np.flatnonzero(self.columns[name].is_null().to_numpy()):
                if name in self.reasons and self.reasons[name][int(row)] is not None:
                    continue
                found.setdefault(int(row), (int(row), ReadError(f"no {name}", field=name), "missing_value"))
        for name, reasons in self.reasons.items():
            for row in np.flatnonzero(reasons.is_not_null().to_numpy()):
                reason, text = reasons[int(row)], self.texts[name][int(row)]
                message = {
                    "time_without_zone": f"time {text} has no time zone (give an offset such as +00:00, or Z)",
                    "not_a_time": f"{text!r} is not an ISO 8601 time",
                    "not_a_number": f"{text!r} is not a number",
                }[reason]
                found.setdefault(int(row), (int(row), ReadError(message, field=name, value=text), reason))
        return found

    def events(self) -> Iterator[Event | None]:
        """Each row as an :class:`Event` (``None`` where a required field is absent)."""
        c = self.columns
        for t, kind, code, value, unit, route, end in zip(
            c["time"], c["kind"], c["code"], c["value"], c["unit"], c["route"], c["end"], strict=True
        ):
            if t is None or kind is None or code is None:
                yield None
                continue
            yield Event(t, kind, code, value, unit, route, end)

    def table(self) -> pl.DataFrame:
        """The canonical event table (every row; the caller filters the quarantined ones)."""
        names = ("patient_id", "time", "kind", "code", "value", "unit", "route", "end")
        return pl.DataFrame([self.columns[k] for k in names])


def frame_to_events(frame: pl.DataFrame) -> list[Event]:
    """Rows of a canonical event table (one patient, say) as :class:`Event` objects, in row order."""
    out = []
    for t, kind, code, value, unit, route, end in frame.select(
        "time", "kind", "code", "value", "unit", "route", "end"
    ).iter_rows():
        out.append(Event(t, kind, code, value, unit, route, end))
    return out
