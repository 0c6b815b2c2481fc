"""Reading the web form: only the values the form offers are read (issue 13 item 2).

A value the form does not offer is never taken as "not ticked": the whole form is
unreadable. The set of offered values is checked against the rendered form itself, so the
form and the reader cannot drift apart.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from sepsiscope.app import create_app
from sepsiscope.checker.form import form_fields, parse_answers, unreadable_fields

READABLE = {"age_group": ["y16"], "infection": ["yes"], "confusion": ["yes"], "heart_rate": ["112"], "go": ["all"]}


class _Fields(HTMLParser):
    """(name, value) of every input and button of the checker form; text boxes give ``None``."""

    def __init__(self) -> None:
        super().__init__()
        self.offered: dict[str, set[str | None]] = {}

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag not in ("input", "button") or "name" not in a or a["name"] == "lang":
            return
        value = None if a.get("type") == "text" else a.get("value")
        self.offered.setdefault(a["name"], set()).add(value)


def test_reader_accepts_exactly_what_the_rendered_form_offers() -> None:
    parser = _Fields()
    parser.feed(TestClient(create_app()).get("/check").text)
    fields = form_fields()
    assert set(parser.offered) == set(fields)
    for name, values in parser.offered.items():
        spec = fields[name]
        if spec.choices is None:
            assert values == {None}, name
        else:
            assert values == set(spec.choices), name


def test_a_readable_form_reads() -> None:
    assert unreadable_fields(READABLE) == ()
    parsed = parse_answers(READABLE)
    assert parsed.unreadable == () and parsed.answers["confusion"] is True


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"confusion": ["on"]}, "confusion"),  # tick box value the form does not send
        ({"confusion": [""]}, "confusion"),
        ({"confusion": ["yes", "yes"]}, "confusion"),  # the same box twice
        ({"age_group": ["y200"]}, "age_group"),  # unknown age group
        ({"age_group": ["y16", "y65"]}, "age_group"),  # two answers to a one-answer question
        ({"age_group": [""]}, "age_group"),
        ({"infection": ["maybe"]}, "infection"),  # Yes / No / I'm not sure only
        ({"infection": ["Yes"]}, "infection"),  # exact values: no case folding
        ({"infection_sites": ["lungs", "heart"]}, "infection_sites"),  # unknown code
        ({"immune_weakness": ["chemotherapy", "chemotherapy"]}, "immune_weakness"),
        ({"weeks_postpartum_recent": ["soon"]}, "weeks_postpartum_recent"),
        ({"temp_unit": ["K"]}, "temp_unit"),
        ({"go": ["later"]}, "go"),
        ({"heart_rate": ["fast"]}, "heart_rate"),  # numbers that do not parse
        ({"temp_c": ["38.5°"]}, "temp_c"),
        ({"spo2": ["9O"]}, "spo2"),
        ({"heart_rate": ["inf"]}, "heart_rate"),
        ({"heart_rate": ["nan"]}, "heart_rate"),
        ({"heart_rate": ["80", "90"]}, "heart_rate"),
        ({"recent_procedure_weeks": ["two"]}, "recent_procedure_weeks"),
        ({"confused": ["yes"]}, "confused"),  # a field the form does not have
        ({"age_months": ["30"]}, "age_months"),  # calculator keys are not form fields
    ],
)
def test_values_the_form_does_not_offer_make_the_form_unreadable(extra, field) -> None:
    form = {**READABLE, **extra}
    assert unreadable_fields(form) == (field,)
    parsed = parse_answers(form)
    assert parsed.unreadable == (field,)
    assert parsed.answers == {} and parsed.errors == {}  # nothing else is read


@pytest.mark.parametrize(
    "form",
    [
        {"heart_rate": [""]},  # an empty box is "not answered"
        {"temp_c": ["  "]},
        {"temp_c": ["38,5"], "temp_unit": ["C"]},  # decimal comma
        {"infection": ["unsure"]},
        {"infection_sites": ["lungs", "urinary"]},
        {"weak_high_pitched_cry": ["yes"], "age_group": ["y65"]},  # offered, not for this age: ignored
        {},
    ],
)
def test_empty_boxes_and_offered_values_are_readable(form) -> None:
    assert parse_answers(form).unreadable == ()


def test_out_of_range_is_a_question_to_check_again_not_unreadable() -> None:
    parsed = parse_answers({"heart_rate": ["400"]})
    assert parsed.unreadable == () and parsed.errors == {"heart_rate": "error.heart_rate"}
