"""The canonical event table reader: column map, zones, unit conversion, bad events located, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from sepsiscope.errors import ReadError, UsageError
from sepsiscope.io.events import EVENT_SCHEMA, frame_to_events, read_events

HEADER = "patient_id,time,kind,code,value,unit,route,end"
GOOD = [
    "p1,2026-03-01T08:00:00+01:00,antibiotic,ceftriaxone,2,g,iv,",
    "p1,2026-03-01 07:05Z,culture,blood,,,,",
    "p1,2026-03-01T07:10:00+00:00,measurement,lactate,27,mg/dL,,",
    "p1,2026-03-01T07:20,encounter,icu_admission,,,,".replace("07:20", "07:20+00:00"),
    "p2,2026-03-01T09:00:00Z,vasopressor,norepinephrine,0.1,ug/kg/min,iv,2026-03-01T10:30:00Z",
]


def _csv(tmp_path, lines, name="events.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_good_file_reads_into_the_canonical_schema(tmp_path) -> None:
    result = read_events(_csv(tmp_path, GOOD))
    assert dict(result.table.schema) == EVENT_SCHEMA
    assert result.table.height == 5 and result.report.rows_quarantined == 0
    first = result.table.row(0, named=True)
    assert first["time"] == datetime(2026, 3, 1, 7, 0, tzinfo=UTC)  # +01:00 → UTC
    lactate = result.table.filter(pl.col("code") == "lactate").row(0, named=True)
    assert (round(lactate["value"], 2), lactate["unit"]) == (3.0, "mmol/L")  # 27 mg/dL converted
    (conv,) = result.report.problems
    assert (conv.line, conv.action, conv.value, conv.reason) == (4, "converted", "27 mg/dL", "unit_converted")


def test_events_round_trip_to_objects(tmp_path) -> None:
    events = frame_to_events(read_events(_csv(tmp_path, GOOD)).table)
    assert events[4].end == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert all(e.time.tzinfo is not None for e in events)


BAD = [
    ("unknown_drug", "p1,2026-03-01T09:00:00Z,antibiotic,penicillin_x,,,iv,", "code", "penicillin_x", "unknown_code"),
    (
        "negative_volume",
        "p1,2026-03-01T09:00:00Z,fluid,lactated_ringers,-250,mL,iv,",
        "value",
        "-250",
        "negative_value",
    ),
    (
        "stop_before_start",
        "p1,2026-03-01T09:00:00Z,vasopressor,norepinephrine,0.1,ug/kg/min,iv,2026-03-01T08:00:00Z",
        "end",
        "2026-03-01T08:00:00Z",
        "end_before_start",
    ),
    (
        "time_without_zone",
        "p1,2026-03-01T09:00:00,culture,blood,,,,",
        "time",
        "2026-03-01T09:00:00",
        "time_without_zone",
    ),
    (
        "end_without_zone",
        "p1,2026-03-01T09:00:00Z,ventilation,invasive,,,,2026-03-01T10:00:00",
        "end",
        "2026-03-01T10:00:00",
        "time_without_zone",
    ),
    ("not_a_time", "p1,yesterday+01:00,culture,blood,,,,", "time", "yesterday+01:00", "not_a_time"),
    ("not_a_number", "p1,2026-03-01T09:00:00Z,measurement,lactate,high,,,", "value", "high", "not_a_number"),
    ("no_patient", ",2026-03-01T09:00:00Z,culture,blood,,,,", "patient_id", None, "missing_value"),
    ("unknown_kind", "p1,2026-03-01T09:00:00Z,procedure,x,,,,", "kind", "procedure", "unknown_kind"),
    (
        "unknown_unit",
        "p1,2026-03-01T09:00:00Z,measurement,lactate,2,furlongs,,",
        "unit",
        "furlongs",
        "not_canonical_unit",
    ),
]


@pytest.mark.parametrize(("line", "field", "value", "reason"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_event_names_file_line_field_value(tmp_path, line, field, value, reason) -> None:
    path = _csv(tmp_path, [GOOD[0], line])
    with pytest.raises(ReadError) as info:
        read_events(path)
    err = info.value
    assert (err.file, err.line, err.field, err.value) == ("events.csv", 3, field, value)
    assert str(err).startswith(f"events.csv, line 3, field {field!r}: ")
    result = read_events(path, on_invalid="quarantine")
    assert result.table.height == 1 and result.report.rows_quarantined == 1
    (p,) = [p for p in result.report.problems if p.action == "quarantined"]
    assert (p.file, p.line, p.field, p.value, p.reason) == ("events.csv", 3, field, value, reason)
    assert p.raw == line


def test_quarantine_goes_on_and_keeps_the_good_rows(tmp_path) -> None:
    lines = [GOOD[0], BAD[0][1], GOOD[1], BAD[1][1], GOOD[4]]
    result = read_events(_csv(tmp_path, lines), on_invalid="quarantine")
    assert result.table.height == 3
    assert [p.line for p in result.report.problems] == [3, 5]
    assert "2 rows quarantined" in result.report.summary()


def test_column_map_and_unknown_columns(tmp_path) -> None:
    path = tmp_path / "mapped.csv"
    path.write_text("stay,charttime,kind,code\ns1,2026-03-01T09:00:00Z,culture,urine\n", encoding="utf-8")
    table = read_events(path, columns={"stay": "patient_id", "charttime": "time"}).table
    assert table.row(0, named=True)["patient_id"] == "s1"
    with pytest.raises(ReadError, match="unknown columns: 'stay', 'charttime'"):
        read_events(path)
    with pytest.raises(UsageError, match="canonical columns are"):
        read_events(path, columns={"stay": "subject"})


def test_parquet_with_zoned_and_naive_times(tmp_path) -> None:
    base = {"patient_id": ["a"], "kind": ["culture"], "code": ["blood"]}
    zoned = tmp_path / "zoned.parquet"
    pl.DataFrame({**base, "time": [datetime(2026, 3, 1, 9, tzinfo=UTC)]}).write_parquet(zoned)
    assert read_events(zoned).table.height == 1
    naive = tmp_path / "naive.parquet"
    pl.DataFrame({**base, "time": [datetime(2026, 3, 1, 9)]}).write_parquet(naive)
    with pytest.raises(ReadError) as info:
        read_events(naive)
    assert (info.value.file, info.value.line, info.value.field) == ("naive.parquet", 0, "time")
    assert "row index 0 (0-based)" in str(info.value)
