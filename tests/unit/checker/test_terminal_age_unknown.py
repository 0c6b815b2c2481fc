"""``sepsiscope check`` in the terminal with the age unknown (symptom-checker.md §6, D13).

Driven through :func:`sepsiscope.checker.terminal.run_check` with a scripted stdin, so the
same flow as the command runs. With "I'm not sure" (Enter) as the age, every question is
asked, including the home measurements, and each age-limited rule is read at its
strictest; the D13 sentence is printed. Both sides of the changed edges.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from sepsiscope.checker.catalogue import catalogue
from sepsiscope.checker.questions import questionnaire
from sepsiscope.checker.terminal import run_check


def _answers(age: str, heart: str = "", resp: str = "", spo2: str = "", sbp: str = "") -> str:
    qn = questionnaire()
    months = None if age == "" else qn.age_groups[int(age) - 1].months
    lines = [age]
    for section in qn.sections:
        asked = [q for q in qn.in_section(section) if q.shown_for(months)]
        if section == "measurements":
            lines.append("y")  # "do you have home measurements?"
            values = {"temp_c": "", "heart_rate": heart, "resp_rate": resp, "spo2": spo2, "sbp": sbp}
            lines += [values[q.key] for q in asked]
            continue
        for q in asked:
            if q.when_yes and q.when_yes != "infection":
                continue  # asked only after "yes"; the only "yes" given is to the infection question
            lines.append("y" if q.key == "infection" else "")
    return "\n".join(lines) + "\n"


def _run(monkeypatch, script: str, lang: str = "en") -> tuple[str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    out = io.StringIO()
    result = run_check(Console(file=out, width=200, color_system=None), lang)
    return result.level, " ".join(out.getvalue().split())


#: (heart, resp, spo2, sbp, level) with the age unknown and an infection (D13; §5 any band).
CASES = [
    ("", "", "80", "", "EMERGENCY"),  # CX26
    ("", "", "91.5", "", "EMERGENCY"),
    ("", "", "92", "", "URGENT"),
    ("", "", "95", "", "MONITOR"),
    ("", "30", "", "", "EMERGENCY"),  # CX27
    ("", "8.5", "", "", "EMERGENCY"),
    ("", "20", "", "", "MONITOR"),
    ("", "20.5", "", "", "URGENT"),
    ("100", "", "", "", "URGENT"),  # CX28
    ("90", "", "", "", "MONITOR"),
    ("115", "", "", "", "EMERGENCY"),
    ("114.9", "", "", "", "URGENT"),
    ("", "", "", "90.5", "EMERGENCY"),
    ("", "", "", "101", "MONITOR"),
]


@pytest.mark.parametrize(("heart", "resp", "spo2", "sbp", "level"), CASES)
def test_age_unknown_reads_every_age(monkeypatch, heart, resp, spo2, sbp, level) -> None:
    got, out = _run(monkeypatch, _answers("", heart, resp, spo2, sbp))
    assert got == level
    t = catalogue("en")
    assert t(f"level.{level}") in out and t("note.age_unknown") in out
    assert t("q.sbp") in out and t("q.weak_high_pitched_cry") in out  # every question asked


@pytest.mark.parametrize(("spo2", "sbp", "level"), [("91.5", "", "EMERGENCY"), ("", "100.5", "URGENT")])
def test_known_12_plus_age_gap_values_go_up_and_no_d13_sentence(monkeypatch, spo2, sbp, level) -> None:
    y16 = str(next(i for i, g in enumerate(questionnaire().age_groups, start=1) if g.id == "y16"))
    got, out = _run(monkeypatch, _answers(y16, spo2=spo2, sbp=sbp))
    assert got == level and catalogue("en")("note.age_unknown") not in out


def test_d13_sentence_in_spanish(monkeypatch) -> None:
    got, out = _run(monkeypatch, _answers("", spo2="80"), lang="es")
    t = catalogue("es")
    assert got == "EMERGENCY" and t("note.age_unknown") in out and t("reason.E13") in out
