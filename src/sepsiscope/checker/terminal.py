"""``sepsiscope check``: the symptom checker as a terminal questionnaire (Rich prompts).

Asks only what matters next: the age group first, then the danger signs one by one
(stopping at the first "yes", as symptom-checker.md P5 allows), then infection, other
warning signs, health history and, if the person has any, home measurements. Questions
that cannot apply to the age (babies' questions, pregnancy, blood pressure) are skipped;
with the age unknown every question is asked, and the rules read each age-limited rule at
its strictest (symptom-checker.md §6, D13). "Enter" is always "I'm not sure" (P6). The same
questionnaire and catalogue as the web form, the same rules as ``sepsiscope calc symptom_checker``.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.prompt import Prompt

from sepsiscope.checker.catalogue import Catalogue, catalogue
from sepsiscope.checker.questions import RECENT_WEEKS_DEFAULT, Question, questionnaire, read_number
from sepsiscope.scores.symptom_checker import CheckerResult, check_answers
from sepsiscope.scores.symptom_checker.escalation import SAFETY_NET

_YES = {"y", "yes", "s", "si", "sí"}
_NO = {"n", "no"}
_STYLE = {"EMERGENCY": "bold white on red", "URGENT": "bold black on yellow", "MONITOR": "bold white on blue"}


class Questionnaire:
    """One run of the questionnaire on a console."""

    def __init__(self, console: Console, lang: str) -> None:
        self.console = console
        self.t: Catalogue = catalogue(lang)
        self.answers: dict[str, Any] = {}
        self.months: float | None = None

    # -- prompts ---------------------------------------------------------------------
    def _ask(self, text: str, hint: str) -> str:
        self.console.print(f"\n[bold]{text}[/]")
        return Prompt.ask(f"[dim]{hint}[/]", default="", show_default=False, console=self.console).strip()

    def _yes_no(self, text: str, *, tick: bool = False) -> bool | None:
        while True:
            reply = self._ask(text, self.t("cli.tick" if tick else "cli.yes_no")).lower()
            if not reply:
                return None
            if reply in _YES:
                return True
            if reply in _NO:
                return None if tick else False

    def _number(self, key: str, text: str, unit: str = "C") -> float | None:
        hint = self.t(f"hint.{key}") if self.t.has(f"hint.{key}") else self.t("hint.no_urine_hours")
        while True:
            reply = self._ask(text, hint)
            if not reply:
                return None
            if key == "temp_c":
                unit = self._unit()
            value, error = read_number(key, reply, unit)
            if error is None:
                return value
            self.console.print(f"[red]{self.t(error)}[/]")

    def _unit(self) -> str:
        while True:
            reply = Prompt.ask(self.t("cli.unit_prompt"), default="C", console=self.console).strip().upper()
            if reply in ("C", "F"):
                return reply

    def _codes(self, q: Question) -> list[str]:
        self.console.print(f"\n[bold]{self.t('q.' + q.key)}[/]")
        for n, code in enumerate(q.codes, start=1):
            self.console.print(f"  {n}. {self.t(f'code.{q.key}.{code}')}")
        while True:
            reply = Prompt.ask(f"[dim]{self.t('cli.codes')}[/]", default="", show_default=False, console=self.console)
            parts = [p.strip() for p in reply.replace(" ", ",").split(",") if p.strip()]
            if all(p.isdigit() and 1 <= int(p) <= len(q.codes) for p in parts):
                return [q.codes[int(p) - 1] for p in dict.fromkeys(parts)]

    def _age(self) -> None:
        qn = questionnaire()
        self.console.print(f"\n[bold]{self.t('check.age_legend')}[/]")
        for n, group in enumerate(qn.age_groups, start=1):
            self.console.print(f"  {n:>2}. {self.t('age.' + group.id)}")
        self.console.print(f"  {len(qn.age_groups) + 1:>2}. {self.t('age.unknown')}")
        choices = [str(n) for n in range(1, len(qn.age_groups) + 2)]
        while True:
            reply = Prompt.ask(self.t("cli.choose"), default="", show_default=False, console=self.console).strip()
            if not reply:
                return
            if reply in choices:
                break
        index = int(reply) - 1
        if index < len(qn.age_groups):
            self.months = qn.age_groups[index].months
            self.answers["age_months"] = self.months

    def _question(self, q: Question) -> None:
        text = self.t("q." + q.key)
        value: Any
        if q.widget in ("tick", "yesno"):
            value = self._yes_no(text, tick=q.widget == "tick")
        elif q.widget == "codes":
            value = self._codes(q) or None
        elif q.widget == "recent":
            value = None
            if self._yes_no(text):
                value = self._number(q.key, self.t("hint.weeks")) or RECENT_WEEKS_DEFAULT
        else:
            value = self._number(q.key, text)
        if value is not None:
            self.answers[q.key] = value

    # -- flow ------------------------------------------------------------------------
    def run(self) -> CheckerResult:
        """Ask, then return the checker's answer for what was said."""
        t = self.t
        self.console.print(Panel(f"{t('notice.emergency')}", title=t("notice.emergency_title"), style="red"))
        self.console.print(f"[bold]{t('check.title')}[/]  {t('cli.intro')}")
        self._age()
        qn = questionnaire()
        for section in qn.sections:
            asked = [q for q in qn.in_section(section) if q.shown_for(self.months)]
            if not asked:
                continue
            if section == "measurements" and not self._yes_no(t("cli.measure_prompt")):
                continue
            self.console.rule(t(f"section.{section}.title"))
            for q in asked:
                if q.when_yes and self.answers.get(q.when_yes) is not True:
                    continue
                self._question(q)
                if q.emergency and self.answers.get(q.key) is True:
                    self.console.print(f"\n[bold red]{t('cli.stop_emergency')}[/]")
                    return check_answers(self.answers)
        return check_answers(self.answers)


def show_result(console: Console, result: CheckerResult, lang: str) -> None:
    """Print the advice: level in words, what to do now, reasons, when to get help, safety net."""
    t = catalogue(lang)
    console.print()
    console.print(Panel(t(f"action.{result.level}"), title=t(f"level.{result.level}"), style=_STYLE[result.level]))
    console.print(f"[bold]{t('result.why')}[/]")
    for code in result.reasons:
        console.print(f"  • {t('reason.' + code)}")
    if result.also_noted:
        console.print(f"[bold]{t('result.also_noted')}[/]")
        for code in result.also_noted:
            console.print(f"  • {t('reason.' + code)}")
    for key in result.notes:  # D13: the age was not given
        console.print(f"[bold]{t('note.' + key)}[/]")
    for level in ("EMERGENCY", "URGENT"):
        items = [key for lvl, key in result.escalate_if if lvl == level]
        if items:
            console.print(f"[bold]{t('result.escalate_' + level)}[/]")
            for key in items:
                console.print(f"  • {t('escalate.' + key)}")
    console.print(f"[bold]{t('result.safety_title')}[/]")
    for key in SAFETY_NET:
        console.print(f"  • {t('safety_net.' + key)}")
    console.print(f"[bold]{t('result.ask')}[/]")
    console.print(f"[dim]{t('disclaimer.text')}[/]")
    console.print(f"[dim]{t('notice.not_device')}[/]")


def run_check(console: Console, lang: str = "en") -> CheckerResult:
    """Run the questionnaire and print the advice; returns the result."""
    result = Questionnaire(console, lang).run()
    show_result(console, result, lang)
    return result
