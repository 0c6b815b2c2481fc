"""The live demo's ward clock and options."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sepsiscope.demo.live import LiveOptions, WardClock, ward_origin
from sepsiscope.errors import UsageError

ORIGIN = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_clock_holds_origin_until_started_then_runs_at_speed_then_freezes() -> None:
    wall = FakeMonotonic()
    clock = WardClock(ORIGIN, speed=0.5, monotonic=wall)
    wall.now += 30
    assert clock() == ORIGIN
    clock.start()
    wall.now += 2.0  # two wall seconds at half a ward hour per second: one ward hour
    assert clock() == ORIGIN + timedelta(hours=1)
    wall.now += 1.0
    clock.freeze()
    wall.now += 60.0
    assert clock() == ORIGIN + timedelta(hours=1.5)


@pytest.mark.parametrize("speed", [0.0, -1.0, float("nan")])
def test_clock_and_options_refuse_a_speed_that_is_not_positive(speed: float) -> None:
    with pytest.raises(UsageError, match="speed must be positive"):
        WardClock(ORIGIN, speed)
    with pytest.raises(UsageError, match="speed must be positive"):
        LiveOptions(speed=speed)


def test_clock_needs_an_offset() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        WardClock(datetime(2026, 12, 5, 13, 0), 1.0)


@pytest.mark.parametrize(("field", "value"), [("patients", 0), ("hours", 0)])
def test_options_refuse_an_empty_ward(field: str, value: int) -> None:
    with pytest.raises(UsageError, match=f"{field} must be at least 1"):
        LiveOptions(**{field: value})


def test_ward_starts_on_the_current_hour_in_utc() -> None:
    local = datetime(2026, 12, 5, 14, 37, 12, tzinfo=UTC).astimezone(ZoneInfo("America/Lima"))
    assert ward_origin(local) == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
