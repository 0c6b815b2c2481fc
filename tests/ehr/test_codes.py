"""Drug, route and specimen recognition (``ehr/fhir_in/codes.py``) and OperationOutcome rendering."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import given
from hypothesis import strategies as st

from sepsiscope.ehr.fhir_in.codes import CodeProblem, drug_of, route_of, specimen_of, tables, variable_of
from sepsiscope.ehr.outcome import Issue, outcome
from sepsiscope.variables.events import EVENTS
from sepsiscope.variables.registry import REGISTRY


def _text(text: str) -> CodeableConcept:
    return CodeableConcept(text=text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zosyn (piperacillin/tazobactam) 4.5gm injection", ("antibiotic", "piperacillin_tazobactam")),
        ("Vancomycin Hydrochloride (VANCOMYCIN HYDROCHLORIDE)", ("antibiotic", "vancomycin")),
        ("Noradrenaline 8 mg in 50 mL", ("vasoactive", "norepinephrine")),
        ("Sodium chloride 0.9% 1000 mL bag", ("fluid", "sodium_chloride_0_9")),
        ("Meropenem 1 g IV", ("antibiotic", "meropenem")),
        ("Co-amoxiclav 1.2 g", ("antibiotic", "amoxicillin_clavulanate")),
    ],
)
def test_drug_names(text: str, expected: tuple[str, str]) -> None:
    assert drug_of([_text(text)]) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Paracetamol 1 g", "unknown"),
        ("Vancomycinum", "unknown"),  # whole words only: no prefix guessing
        ("Meropenem and vancomycin", "ambiguous"),
        ("Norepinephrinex", "unknown"),
    ],
)
def test_drugs_not_recognised(text: str, kind: str) -> None:
    with pytest.raises(CodeProblem) as e:
        drug_of([_text(text)])
    assert e.value.kind == kind


def test_every_synonym_and_events_code_is_recognised() -> None:
    for name, (_, code) in tables().names.items():
        assert drug_of([_text(name.title() + " 1 g")])[1] == code


def test_routes_and_specimens() -> None:
    iv = CodeableConcept(coding=[{"system": "http://snomed.info/sct", "code": "47625008"}])
    assert route_of(iv) == "iv"
    assert route_of(_text("PO")) == "oral"
    with pytest.raises(CodeProblem):
        route_of(_text("subcutaneous"))
    assert set(tables().routes_snomed.values()) <= EVENTS.routes
    blood = CodeableConcept(coding=[{"system": "http://snomed.info/sct", "code": "119297000"}])
    assert specimen_of(blood, "specimens") == "blood"
    with pytest.raises(CodeProblem):
        specimen_of(blood, "procedures")


def test_loinc_lookup_is_variables_toml() -> None:
    for v in REGISTRY:
        for code in v.loinc:
            assert variable_of(CodeableConcept(coding=[{"system": "http://loinc.org", "code": code}])) == v
    other_system = CodeableConcept(coding=[{"system": "http://snomed.info/sct", "code": "8867-4"}])
    with pytest.raises(CodeProblem):
        variable_of(other_system)


_values = st.one_of(st.none(), st.text(), st.integers(), st.floats(allow_nan=False), st.lists(st.text(), max_size=3))


@given(text=st.text(min_size=1).filter(str.strip), value=_values, entry=st.one_of(st.none(), st.integers(0, 10**6)))
def test_every_issue_renders_a_valid_operation_outcome(text: str, value: object, entry: int | None) -> None:
    body = outcome([Issue("error", "value", text, "Observation.valueQuantity", value, entry)])
    OperationOutcome.model_validate(body)
