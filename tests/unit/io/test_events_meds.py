"""MEDS shards → canonical events through a TOML code map: mapping, runs, zones, unmapped codes reported."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sepsiscope.errors import ReadError, UsageError
from sepsiscope.io.meds_events import CodeMap, read_meds

CODE_MAP = """
time_zone = "Europe/Berlin"
ignore = ["MEDS_BIRTH", "DIAGNOSIS//"]

[codes."LAB//50813//mmol/L"]
kind = "measurement"
code = "lactate"
unit = "mmol/L"

[codes."LAB//50813//mg/dL"]
kind = "measurement"
code = "lactate"
unit = "mg/dL"

[codes."MICRO//BLOOD"]
kind = "culture"
code = "blood"

[prefixes."MEDICATION//START//Vancomycin"]
kind = "antibiotic"
code = "vancomycin"
route = "iv"

[codes."INFUSION_START//221906"]
kind = "vasopressor"
code = "norepinephrine"
unit = "ug/kg/min"
part = "start"

[codes."INFUSION_END//221906"]
kind = "vasopressor"
code = "norepinephrine"
part = "end"
"""


def _shard(path, rows) -> None:
    subject, time, code, value = zip(*rows, strict=True)
    table = pa.table(
        {
            "subject_id": pa.array(subject, pa.int64()),
            "time": pa.array(time, pa.timestamp("us")),
            "code": pa.array(code, pa.string()),
            "numeric_value": pa.array(value, pa.float32()),
        }
    )
    pq.write_table(table, path)


def _dataset(tmp_path, rows):
    (tmp_path / "data").mkdir()
    _shard(tmp_path / "data" / "0.parquet", rows)
    cmap = tmp_path / "codes.toml"
    cmap.write_text(CODE_MAP, encoding="utf-8")
    return tmp_path, cmap


GOOD = [
    (1, None, "MEDS_BIRTH", None),
    (1, datetime(2026, 3, 1, 9, 0), "MEDICATION//START//Vancomycin 1g IV", 1.0),
    (1, datetime(2026, 3, 1, 9, 5), "MICRO//BLOOD", None),
    (1, datetime(2026, 3, 1, 9, 10), "LAB//50813//mg/dL", 27.0),
    (1, datetime(2026, 3, 1, 10, 0), "INFUSION_START//221906", 0.1),
    (1, datetime(2026, 3, 1, 12, 0), "INFUSION_END//221906", None),
    (2, datetime(2026, 3, 1, 8, 0), "DIAGNOSIS//ICD10//A41.9", None),
]


def test_maps_codes_pairs_runs_and_applies_the_zone(tmp_path) -> None:
    root, cmap = _dataset(tmp_path, GOOD)
    result = read_meds(root, cmap)
    t = result.table
    assert t.get_column("kind").to_list() == ["antibiotic", "culture", "measurement", "vasopressor"]
    assert t.row(0, named=True)["time"] == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # Berlin winter = UTC+1
    run = t.row(3, named=True)
    assert (run["end"], run["value"]) == (datetime(2026, 3, 1, 11, 0, tzinfo=UTC), pytest.approx(0.1))
    assert round(t.row(2, named=True)["value"], 2) == 3.0  # mg/dL converted
    assert any("ignore list" in n for n in result.report.notes)
    assert any("merged" in n for n in result.report.notes)
    assert [p.action for p in result.report.problems] == ["converted"]


@pytest.mark.parametrize(
    ("row", "field", "value", "reason"),
    [
        ((1, datetime(2026, 3, 1, 9), "LAB//99999//x", 1.0), "code", "LAB//99999//x", "unmapped_code"),
        (
            (1, datetime(2026, 3, 1, 9), "INFUSION_END//221906", None),
            "code",
            "INFUSION_END//221906",
            "end_without_start",
        ),
        ((1, None, "MICRO//BLOOD", None), "time", None, "missing_value"),
        ((1, datetime(2026, 3, 1, 9), "LAB//50813//mmol/L", 80.0), "value", "80.0", "out_of_range"),
    ],
    ids=["unmapped_code", "end_without_start", "static_row", "implausible_lactate"],
)
def test_bad_rows_reported_with_file_row_field_value(tmp_path, row, field, value, reason) -> None:
    root, cmap = _dataset(tmp_path, [GOOD[1], row])
    with pytest.raises(ReadError) as info:
        read_meds(root, cmap)
    assert (info.value.file, info.value.line, info.value.field) == ("0.parquet", 1, field)
    result = read_meds(root, cmap, on_invalid="quarantine")
    assert result.table.height == 1
    (p,) = result.report.problems
    assert (p.file, p.line, p.field, p.value, p.reason, p.action) == (
        "0.parquet",
        1,
        field,
        value,
        reason,
        "quarantined",
    )


def test_time_zone_is_required_and_checked(tmp_path) -> None:
    root, cmap = _dataset(tmp_path, GOOD[1:3])
    plain = CodeMap.load(cmap)
    no_zone = CodeMap(plain.codes, plain.prefixes, plain.ignore, None)
    with pytest.raises(UsageError, match="carry no zone"):
        read_meds(root, no_zone)
    assert read_meds(root, no_zone, time_zone="UTC").table.row(0, named=True)["time"].hour == 9
    with pytest.raises(UsageError, match="unknown time zone"):
        read_meds(root, no_zone, time_zone="Mars/Olympus")


def test_code_map_entries_are_checked(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[codes."X"]\nkind = "antibiotic"\ncode = "aspirin"\n', encoding="utf-8")
    with pytest.raises(ReadError, match="codes.X") as info:
        CodeMap.load(bad)
    assert info.value.file == "bad.toml"


def test_not_a_meds_shard(tmp_path) -> None:
    (tmp_path / "data").mkdir()
    pq.write_table(pa.table({"x": [1]}), tmp_path / "data" / "0.parquet")
    cmap = tmp_path / "codes.toml"
    cmap.write_text(CODE_MAP, encoding="utf-8")
    with pytest.raises(ReadError, match="not a MEDS data shard"):
        read_meds(tmp_path, cmap)
