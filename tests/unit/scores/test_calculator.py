"""The calculator contract end to end through the CLI (adult-scores.md §5)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sepsiscope.cli import app

runner = CliRunner()


def _calc(score: str, stdin: str, *args: str):
    return runner.invoke(app, ["calc", score, *args], input=stdin)


def test_one_line_out_per_non_blank_line_in_order() -> None:
    stdin = '{"heart_rate": 95}\n\n   \n{"heart_rate": 80}\n'
    result = _calc("sirs", stdin)
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert result.exit_code == 0
    assert [x["components"]["heart_rate"] for x in lines] == [1, 0]


def test_malformed_line_gets_error_and_others_are_scored() -> None:
    stdin = '{"heart_rate": 95}\n{"heart_rate": NaN}\n[1]\n{"heart_rate": 80}\n'
    result = _calc("sirs", stdin)
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [x.get("error", {}).get("code") for x in lines] == [None, "invalid_json", "not_an_object", None]
    assert lines[1]["error"]["message"].startswith("line 2:")
    assert set(lines[1]) == {"score", "error"}


@pytest.mark.parametrize("score", ["sofa2", "nope"])
def test_unknown_or_unverified_score_is_usage_error(score: str) -> None:
    result = _calc(score, "{}\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    if score == "sofa2":
        assert "sofa2 thresholds not verified" in result.stderr


def test_not_adult() -> None:
    result = _calc("qsofa", '{"age_years": 17.9, "resp_rate": 24}\n{"age_years": 18, "resp_rate": 24}\n')
    first, second = (json.loads(x) for x in result.stdout.splitlines())
    assert first["error"]["code"] == "not_adult" and first["error"]["variable"] == "age_years"
    assert second["components"]["resp_rate"] == 1


def test_explain_adds_reasons_and_citation() -> None:
    result = _calc("news2", '{"resp_rate": 25}\n', "--explain")
    out = json.loads(result.stdout)
    assert "resp_rate 25 /min" in out["explanations"]["resp_rate"]
    assert "adult-scores.md §2.3" in out["citation"]
