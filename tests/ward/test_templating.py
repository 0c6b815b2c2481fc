"""The pages' filters: spans in words on both sides of each unit's edge, numbers, beds, autoescape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sepsiscope.ward.templating import ago, bed, duration, env, number, percent

NOW = datetime(2026, 12, 5, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (59, "59 s"), (60, "1 min"), (3599, "59 min"), (3600, "1 h 00 min"), (3660, "1 h 01 min"),
     (86399, "23 h 59 min"), (86400, "1 d 0 h"), (90000, "1 d 1 h"), (-120, "2 min")],
)  # fmt: skip
def test_duration_edges(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_ago_past_future_and_unknown() -> None:
    assert ago(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert ago(NOW + timedelta(minutes=5), NOW) == "in 5 min"
    assert ago(None, NOW) == "—"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (True, "yes"),
        (False, "no"),
        (120.0, "120"),
        (37.25, "37.2"),
        (0.0483, "0.0483"),
        ("V", "V"),
        (3, "3"),
    ],
)
def test_number(value: object, text: str) -> None:
    assert number(value) == text


@pytest.mark.parametrize(("raw", "text"), [("12", "Bed 12"), ("Bed 02", "Bed 02"), ("Side room", "Side room"),
                                           ("", "—"), (None, "—")])  # fmt: skip
def test_bed(raw: str | None, text: str) -> None:
    assert bed(raw) == text


def test_percent() -> None:
    assert percent(None) == "—" and percent(0.0483) == "4.8 %" and percent(1.0) == "100.0 %"


def test_templates_autoescape() -> None:
    html = env.from_string("{{ x }}").render(x='<script>"&')
    assert html == "&lt;script&gt;&#34;&amp;"
    page = env.get_template("error.html").render(title="T", message="<b>bed 4</b>", viewer=None, back="/ward")
    assert "&lt;b&gt;bed 4&lt;/b&gt;" in page and "<b>bed 4</b>" not in page
