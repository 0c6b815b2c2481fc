"""Reading the checker's web form: only values the form offers, then checker answers.

Source: shared/docs/clinical/symptom-checker.md §2 (P4: a missing answer never lowers the
level; P6: "I'm not sure" is sent as not answered), §3.4 (a reading outside the accepted
range makes the form ask again, never silently drop it; °F converted to °C) and §6 D13
(an unknown age is a missing age: every question still counts).

A safety tool must not drop an answer silently (issue 13): a field the form does not
have, a choice or code it does not offer, a second value for a one-answer question or a
number that does not parse is never read as "not ticked". The whole form is refused as
unreadable instead (:attr:`ParsedAnswers.unreadable`), and the person is asked to start
again. Nothing here logs or keeps a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sepsiscope.checker.questions import (
    RECENT_WEEKS_DEFAULT,
    UNKNOWN_AGE,
    Question,
    parse_number,
    questionnaire,
    read_number,
)

#: The choices of a Yes / No / I'm not sure question (``yesno``; and ``<key>_recent``).
YES_NO_UNSURE = ("yes", "no", "unsure")
#: The two submit buttons: "get advice now" after the danger signs, and the last one.
GO = ("now", "all")
#: The temperature's unit switch.
TEMP_UNITS = ("C", "F")


@dataclass(frozen=True)
class FormField:
    """What one form field may carry: one of ``choices`` (``None``: empty or a typed number)."""

    choices: frozenset[str] | None
    many: bool = False  # tick boxes of a code list: several different codes


@cache
def form_fields() -> dict[str, FormField]:
    """Every field the form has (except ``lang``), with the values it offers."""
    qn = questionnaire()
    fields = {
        "age_group": FormField(frozenset({g.id for g in qn.age_groups} | {UNKNOWN_AGE})),
        "temp_unit": FormField(frozenset(TEMP_UNITS)),
        "go": FormField(frozenset(GO)),
    }
    for q in qn.questions:
        if q.widget == "tick":
            fields[q.key] = FormField(frozenset({"yes"}))
        elif q.widget == "yesno":
            fields[q.key] = FormField(frozenset(YES_NO_UNSURE))
        elif q.widget == "codes":
            fields[q.key] = FormField(frozenset(q.codes), many=True)
        else:  # number, temperature, recent (its weeks box)
            fields[q.key] = FormField(None)
            if q.widget == "recent":
                fields[f"{q.key}_recent"] = FormField(frozenset(YES_NO_UNSURE))
    return fields


def unreadable_fields(form: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """Names of the fields whose values the form does not offer, in form order."""
    fields = form_fields()
    bad = []
    for name, values in form.items():
        spec = fields.get(name)
        if spec is None or (len(values) > 1 and not spec.many) or len(set(values)) != len(values):
            bad.append(name)
        elif spec.choices is None:
            if any(v.strip() and parse_number(v) is None for v in values):
                bad.append(name)
        elif not set(values) <= spec.choices:
            bad.append(name)
    return tuple(bad)


@dataclass
class ParsedAnswers:
    """Checker input built from a form, the problems found, and what to show back."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field key -> catalogue key of the message
    age_group: str | None = None
    unreadable: tuple[str, ...] = ()  # fields whose values the form does not offer


def parse_answers(form: Mapping[str, Sequence[str]]) -> ParsedAnswers:
    """Turn raw form fields (name -> list of values) into validated checker answers.

    Field names are the input keys, plus ``age_group``, ``temp_unit`` (``C``/``F``), ``go``
    and ``<key>_recent`` for the "in the last 6 weeks" questions. Values the form does not
    offer make the whole form unreadable (nothing else is read). Readings outside the
    accepted range are reported in ``errors`` (with the catalogue key of the message) and
    never sent. Questions that do not apply to a chosen age are ignored (a screen without
    JavaScript shows them all); with the age unknown every question counts (D13).
    """
    unreadable = unreadable_fields(form)
    if unreadable:
        return ParsedAnswers(unreadable=unreadable)
    qn = questionnaire()
    out = ParsedAnswers()

    def first(name: str) -> str:
        values = form.get(name) or [""]
        return values[0].strip()

    group = qn.group(first("age_group"))
    out.age_group = group.id if group else (UNKNOWN_AGE if first("age_group") == UNKNOWN_AGE else None)
    months = group.months if group else None
    if group is not None:
        out.answers["age_months"] = group.months
    for q in qn.questions:
        if not q.shown_for(months):
            continue
        text = first(q.key)
        if q.widget == "tick":
            if text == "yes":
                out.answers[q.key] = True
        elif q.widget == "yesno":
            if text in ("yes", "no"):
                out.answers[q.key] = text == "yes"
        elif q.widget == "codes":
            picked = [c for c in q.codes if c in (form.get(q.key) or [])]
            if picked:
                out.answers[q.key] = picked
        elif q.widget == "recent":
            _recent(q, first(f"{q.key}_recent"), text, out)
        elif text:
            _reading(q, text, first("temp_unit") or "C", out)
    return out


def _recent(q: Question, choice: str, weeks_text: str, out: ParsedAnswers) -> None:
    if choice != "yes":
        return
    if not weeks_text:
        out.answers[q.key] = RECENT_WEEKS_DEFAULT
        return
    _reading(q, weeks_text, "C", out)


def _reading(q: Question, text: str, unit: str, out: ParsedAnswers) -> None:
    value, error = read_number(q.key, text, unit)
    if error:
        out.errors[q.key] = error
    else:
        out.answers[q.key] = value
