"""``sepsiscope demo --table``: the terminal's ranked ward, no server."""

from __future__ import annotations

from typer.testing import CliRunner

from sepsiscope.cli import app


def test_table_ranks_the_synthetic_ward_and_says_what_it_is() -> None:
    result = CliRunner().invoke(app, ["demo", "--table", "--patients", "6", "--hours", "24", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Synthetic ward (seed 3): 6 patients, hour 24" in result.output
    assert "never replaces" in result.output
    assert result.output.count("Bed ") >= 6


def test_live_demo_refuses_a_speed_that_is_not_positive() -> None:
    result = CliRunner().invoke(app, ["demo", "--no-browser", "--speed", "0"])
    assert result.exit_code == 2
