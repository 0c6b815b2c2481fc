"""``sepsiscope check``: the terminal questionnaire, driven through CliRunner input."""

from __future__ import annotations

from typer.testing import CliRunner

from sepsiscope.checker.catalogue import catalogue
from sepsiscope.cli import app

runner = CliRunner()


def _lines(*answers: str) -> str:
    return "\n".join(answers) + "\n"


def test_danger_sign_stops_and_shows_emergency() -> None:
    t = catalogue("en")
    result = runner.invoke(app, ["check"], input=_lines("10", "y"), terminal_width=200)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert t("cli.stop_emergency") in out
    assert t("level.EMERGENCY") in out and "Call emergency services now" in out
    assert t("reason.E01") in out
    assert t("q.hard_to_wake") not in out  # stopped asking after the first danger sign (P5)


def test_urgent_path_asks_only_what_applies() -> None:
    t = catalogue("en")
    answers = _lines(
        "11",  # 65 to 74 years
        "", "", "", "", "",  # five danger signs (no baby questions at 65+)
        "y", "1", "",  # infection yes, in the lungs, getting worse: not sure
        "", "", "y", "y", "", "", "", "",  # signs: short of breath, fever; no urine hours: skip
        "", "", "", "", "", "",  # immune, chronic, frail, procedure, survivor, hospital
        "n",  # no home measurements
    )  # fmt: skip
    result = runner.invoke(app, ["check"], input=answers, terminal_width=200)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert t("level.URGENT") in out
    assert t("reason.U01") in out and t("reason.U12") in out
    assert t("q.weak_high_pitched_cry") not in out and t("q.pregnant") not in out
    assert t("result.escalate_EMERGENCY") in out and t("disclaimer.text") in out


def test_out_of_range_reading_is_asked_again_in_spanish() -> None:
    t = catalogue("es")
    answers = _lines(
        "1",  # under 3 months
        "", "", "", "", "", "", "",  # seven danger signs (baby questions included)
        "", "", "", "", "", "", "", "", "", "", "", "",  # infection, worse, 9 signs, no urine (no sites)
        "", "", "", "", "",  # immune, chronic, procedure, survivor, hospital (no frail/pregnancy)
        "s",  # measurements: yes
        "100.8", "C",  # 100.8 °C is out of range: asked again
        "100.8", "F",  # 38.2 °C
        "", "", "",  # pulse, breaths, oxygen (no blood pressure under 12)
    )  # fmt: skip
    result = runner.invoke(app, ["check", "--lang", "es"], input=answers, terminal_width=200)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert t("error.temp_c") in out
    assert t("level.EMERGENCY") in out and t("reason.E09") in out


def test_unknown_language_is_a_usage_error() -> None:
    assert runner.invoke(app, ["check", "--lang", "fr"]).exit_code == 2
