"""Clinical events from MEDS (Medical Event Data Standard) Parquet shards, through a code map.

MEDS rows are (subject_id, time, code, numeric_value, text_value) with naive times (the standard
stores no zone), checked against ``meds.DataSchema``. Which MEDS codes are which of our events is
**data**: a TOML code map (see docs/sepsis3.md, "Reading MEDS")::

    time_zone = "UTC"                          # the zone the dataset's times are in
    ignore = ["MEDS_BIRTH", "DIAGNOSIS//"]     # code prefixes read, counted and not used

    [codes."LAB//50813//mmol/L"]               # an exact MEDS code
    kind = "measurement"
    code = "lactate"
    unit = "mmol/L"

    [prefixes."MEDICATION//START//Vancomycin"] # every code starting with this
    kind = "antibiotic"
    code = "vancomycin"
    route = "iv"

    [codes."INFUSION_END//221906"]             # runs come as a start code and an end code
    kind = "vasopressor"
    code = "norepinephrine"
    part = "end"

A row whose code is neither mapped nor ignored is a problem (``unmapped_code``); an end with no
open start is ``end_without_start``; every mapped row is then checked as an event
(:func:`sepsiscope.variables.events.validate_event`). Strict by default, quarantine on request,
as every reader (style.md §4). Rows are located by file and 0-based row index.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import meds
import numpy as np
import polars as pl
import pyarrow.parquet as pq

from sepsiscope.errors import ReadError, UnitError, UsageError
from sepsiscope.io.meds_codes import CodeMap, Target
from sepsiscope.io.report import (
    PROBLEM_SCHEMA,
    Flagged,
    IntArray,
    OnInvalid,
    ReadReport,
    ReadResult,
    literal,
    resolve_rows,
)
from sepsiscope.variables.events import Event, InvalidEvent, validate_event
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import convert

_HINT = "add the code to the code map (or to its ignore list), or pass on_invalid='quarantine'"


def read_meds(
    source: str | Path | Sequence[str | Path],
    code_map: CodeMap | str | Path,
    *,
    time_zone: str | None = None,
    on_invalid: OnInvalid = "error",
) -> ReadResult:
    """Read MEDS shards (a MEDS root, a ``data`` folder, one file or a list) into the canonical event table.

    ``time_zone`` (else the code map's ``time_zone``) names the zone of the dataset's naive times;
    without one the read is refused rather than guessed.
    """
    if on_invalid not in ("error", "quarantine"):
        raise UsageError(f"on_invalid must be 'error' or 'quarantine', not {on_invalid!r}")
    cmap = code_map if isinstance(code_map, CodeMap) else CodeMap.load(code_map)
    zone = time_zone or cmap.time_zone
    if not zone:
        raise UsageError(
            "MEDS times carry no zone: pass time_zone= (CLI: --time-zone) or set time_zone in the code map"
        )
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {zone!r}") from None
    files = _shards(source)
    report = ReadReport(
        source=str(source), files=[f.name for f in files], line_meaning="row index in the shard (0-based)"
    )
    parts = [_shard(f, cmap, zone, report) for f in files]
    frame = pl.concat(parts, how="vertical") if parts else _empty()
    report.rows_read = frame.height
    return _finish(frame, report, on_invalid)


def _shards(source: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(source, (str, Path)):
        p = Path(source)
        if p.is_dir():
            root = p / meds.data_subdirectory if (p / meds.data_subdirectory).is_dir() else p
            found = sorted(root.rglob("*.parquet"))
            if not found:
                raise ReadError(
                    "no MEDS Parquet shards", file=str(p), hint=f"expected {meds.data_subdirectory}/*.parquet"
                )
            return found
        return [p]
    return [Path(s) for s in source]


def _shard(path: Path, cmap: CodeMap, zone: str, report: ReadReport) -> pl.DataFrame:
    try:
        table = meds.DataSchema.align(pq.read_table(path))
    except Exception as exc:  # noqa: BLE001 — pyarrow and the schema raise many types; all mean "not MEDS"
        raise ReadError(f"not a MEDS data shard ({str(exc).splitlines()[0]})", file=path.name) from None
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    df = df.with_row_index("row").with_columns(pl.lit(path.name).alias("file"))
    codes = df.get_column("code").unique().to_list()
    ignored = {c for c in codes if cmap.ignored(c) and cmap.lookup(c) is None}
    targets = {c: cmap.lookup(c) for c in codes if c not in ignored}
    n_ignored = int(df.get_column("code").is_in(list(ignored)).sum())
    if n_ignored:
        report.notes.append(f"{path.name}: {n_ignored} rows of codes on the code map's ignore list")
    df = df.filter(~pl.col("code").is_in(list(ignored)))
    mapping = pl.DataFrame(
        {
            "code": list(targets),
            "kind": [t.kind if t else None for t in targets.values()],
            "ours": [t.code if t else None for t in targets.values()],
            "unit": [t.unit if t else None for t in targets.values()],
            "route": [t.route if t else None for t in targets.values()],
            "part": [t.part if t else None for t in targets.values()],
        },
        schema={
            "code": pl.String,
            "kind": pl.String,
            "ours": pl.String,
            "unit": pl.String,
            "route": pl.String,
            "part": pl.String,
        },
    )
    joined = df.join(mapping, on="code", how="left").select(
        "file",
        pl.col("row").cast(pl.Int64),
        pl.col("subject_id").cast(pl.String).alias("patient_id"),
        pl.col("time").dt.replace_time_zone(zone).dt.convert_time_zone("UTC").cast(pl.Datetime("us", "UTC")),
        pl.col("code").alias("meds_code"),
        "kind",
        pl.col("ours").alias("code"),
        pl.col("numeric_value").cast(pl.Float64).alias("value"),
        "unit",
        "route",
        "part",
    )
    return _convert_units(joined, report)


def _convert_units(df: pl.DataFrame, report: ReadReport) -> pl.DataFrame:
    """Measurements mapped with a unit other than the registry's: converted, each one recorded."""
    todo = df.with_row_index("k").filter(
        (pl.col("kind") == "measurement") & pl.col("unit").is_not_null() & pl.col("value").is_not_null()
    )
    values, units = df.get_column("value").to_list(), df.get_column("unit").to_list()
    for (var, src), group in todo.group_by(["code", "unit"]):
        canonical = REGISTRY[str(var)].unit if str(var) in REGISTRY else None
        if canonical in (None, src):
            continue
        ks = group.get_column("k").to_numpy().astype(np.int64)
        try:
            new = convert(group.get_column("value").to_numpy(), str(var), str(src))
        except UnitError:
            continue  # validate_event reports the unit, naming it
        report.add_frame(
            pl.DataFrame(
                {
                    "file": group.get_column("file"),
                    "line": group.get_column("row"),
                    "field": ["value"] * len(ks),
                    "value": [f"{v:g} {src}" for v in group.get_column("value")],
                    "reason": ["unit_converted"] * len(ks),
                    "action": ["converted"] * len(ks),
                    "new_value": [f"{v:g} {canonical}" for v in new],
                    "raw": [None] * len(ks),
                    "detail": [f"{var} converted from {src}"] * len(ks),
                },
                schema=PROBLEM_SCHEMA,
            )
        )
        for k, v in zip(ks.tolist(), new.tolist(), strict=True):
            values[k], units[k] = v, canonical
    return df.with_columns(pl.Series("value", values, dtype=pl.Float64), pl.Series("unit", units, dtype=pl.String))


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "file": pl.String,
            "row": pl.Int64,
            "patient_id": pl.String,
            "time": pl.Datetime("us", "UTC"),
            "meds_code": pl.String,
            "kind": pl.String,
            "code": pl.String,
            "value": pl.Float64,
            "unit": pl.String,
            "route": pl.String,
            "part": pl.String,
        }
    )


def _finish(frame: pl.DataFrame, report: ReadReport, on_invalid: OnInvalid) -> ReadResult:
    frame = frame.with_row_index("i").sort(["patient_id", "kind", "code", "time", "i"], nulls_last=True)
    files, rows = frame.get_column("file").to_list(), frame.get_column("row").to_numpy().astype(np.int64)
    records = frame.select("patient_id", "time", "kind", "code", "value", "unit", "route", "part", "meds_code").rows()
    ends: list[object] = [None] * frame.height
    merged = np.zeros(frame.height, dtype=np.bool_)
    problems: list[Flagged] = []
    open_start: dict[tuple[str, str, str], int] = {}
    for k, (pid, time, kind, code, _value, _unit, _route, part, meds_code) in enumerate(records):
        problem = _row_problem(kind, time, meds_code)
        if problem is not None:
            problems.append(_flag(k, *problem))
        elif part == "start":
            open_start[(pid, kind, code)] = k
        elif part == "end":
            start = open_start.pop((pid, kind, code), None)
            if start is None:
                problems.append(_flag(k, "code", meds_code, "end_without_start", f"end {meds_code} with no open start"))
            else:
                ends[start], merged[k] = time, True
    bad = {int(f.rows[0]) for f in problems}
    for k, (_pid, time, kind, code, value, unit, route, _part, _m) in enumerate(records):
        if k in bad or merged[k]:
            continue
        try:
            validate_event(Event(time, kind, code, value, unit, route, ends[k]))  # type: ignore[arg-type]
        except InvalidEvent as err:
            problems.append(_flag(k, err.field or "code", err.value, err.code, err.reason))

    def locate(idx: IntArray) -> tuple[list[str], IntArray]:
        return [files[int(i)] for i in idx], rows[idx]

    def raw_text(idx: IntArray) -> list[str]:
        return [" ".join(str(records[int(i)][j]) for j in (0, 1, 8, 4)) for i in idx]

    keep = resolve_rows(
        frame.height,
        problems,
        on_invalid=on_invalid,
        locate=locate,
        raw_text=raw_text,
        report=report,
        line_label="row index {line} (0-based)",
    )
    if merged.any():
        report.notes.append(f"{int(merged.sum())} end rows merged into their start (the run's end time)")
    out = (
        frame.with_columns(pl.Series("end", ends, dtype=pl.Datetime("us", "UTC")))
        .filter(pl.Series(keep & ~merged))
        .sort("i")
        .select("patient_id", "time", "kind", "code", "value", "unit", "route", "end")
    )
    report.rows_out = out.height
    return ReadResult(out, report)


def _row_problem(kind: str | None, time: object, meds_code: str) -> tuple[str, str | None, str, str] | None:
    if kind is None:
        return "code", meds_code, "unmapped_code", f"MEDS code {meds_code!r} is not in the code map"
    if time is None:
        return "time", None, "missing_value", f"MEDS code {meds_code!r} has no time (a static row)"
    return None


def _flag(k: int, field: str, value: str | None, reason: str, message: str) -> Flagged:
    return Flagged(np.array([k], dtype=np.int64), field, [value], reason, literal(message), _HINT)


__all__ = ["CodeMap", "Target", "read_meds"]
