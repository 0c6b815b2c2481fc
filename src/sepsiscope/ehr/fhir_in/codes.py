"""FHIR codings → the service's variables and event codes (``variables.toml``, ``codes.toml``).

Observations map by LOINC through ``variables.toml`` (the one place a LOINC code is named);
medications by generic name (``events.toml`` code lists and the synonyms of ``codes.toml``);
routes, specimens and culture procedures by SNOMED CT code (``codes.toml``). Nothing is guessed:
no match, or two different matches, is an error the caller reports.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from fhir.resources.R4B.codeableconcept import CodeableConcept

from sepsiscope.errors import RegistryError
from sepsiscope.variables.events import EVENTS
from sepsiscope.variables.registry import REGISTRY, Variable

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
DrugClass = Literal["antibiotic", "vasoactive", "fluid"]


@dataclass(frozen=True)
class CodeTables:
    """The tables of ``codes.toml``, checked against ``events.toml``."""

    names: dict[str, tuple[DrugClass, str]]  # lower-case name → (class, events.toml code)
    routes_snomed: dict[str, str]
    routes_text: dict[str, str]
    specimens_snomed: dict[str, str]
    culture_procedures: dict[str, str]


def _spellings(code: str) -> set[str]:
    words = code.replace("_", " ")
    return {words, code.replace("_", "/")}


@cache
def tables() -> CodeTables:
    """Load and check ``codes.toml`` once."""
    raw = tomllib.loads(files("sepsiscope.ehr.fhir_in").joinpath("codes.toml").read_text(encoding="utf-8"))
    classes: dict[str, DrugClass] = {}
    for cls, lst in (("antibiotic", "antibiotics"), ("vasoactive", "vasoactive"), ("fluid", "fluids")):
        for code in EVENTS.lists[lst]:
            classes[code] = cls  # type: ignore[assignment]
    names: dict[str, tuple[DrugClass, str]] = {}
    for code, cls in classes.items():
        for spelling in _spellings(code):
            names[spelling] = (cls, code)
    for name, code in raw["drug_synonyms"].items():
        if code not in classes:
            raise RegistryError(f"codes.toml [drug_synonyms] {name!r} → {code!r}: not an events.toml drug or fluid")
        names[name.lower()] = (classes[code], code)
    routes = EVENTS.routes
    for section in ("snomed", "text"):
        for key, route in raw["routes"][section].items():
            if route not in routes:
                raise RegistryError(f"codes.toml [routes.{section}] {key!r} → {route!r}: not an events.toml route")
    specimens = EVENTS.codes("specimens")
    for table in (raw["specimens"]["snomed"], raw["culture_procedures"]["snomed"]):
        for key, spec in table.items():
            if spec not in specimens:
                raise RegistryError(f"codes.toml {key!r} → {spec!r}: not an events.toml specimen")
    return CodeTables(
        names, dict(raw["routes"]["snomed"]), dict(raw["routes"]["text"]), dict(raw["specimens"]["snomed"]),
        dict(raw["culture_procedures"]["snomed"]),
    )  # fmt: skip


class CodeProblem(Exception):
    """A coding that maps to nothing, or to more than one thing."""

    def __init__(self, kind: Literal["unknown", "ambiguous"], text: str, value: object) -> None:
        super().__init__(text)
        self.kind, self.text, self.value = kind, text, value


def codings(concept: CodeableConcept | None) -> list[tuple[str | None, str | None, str | None]]:
    """(system, code, display) of every coding of ``concept``."""
    if concept is None:
        return []
    return [(c.system, c.code, c.display) for c in concept.coding or []]


def variable_of(concept: CodeableConcept | None) -> Variable:
    """The one registry variable the concept's LOINC codings name, or :class:`CodeProblem`."""
    loinc = REGISTRY.by_loinc
    found = {loinc[code] for system, code, _ in codings(concept) if system == LOINC and code in loinc}
    sent = [f"{s}|{c}" for s, c, _ in codings(concept)]
    if not found:
        raise CodeProblem("unknown", f"no coding maps to a variable: {', '.join(sent) or 'no codings'} "
                          "(LOINC codes of variables.toml; see docs/ehr-integration.md)", sent)  # fmt: skip
    if len(found) > 1:
        names = ", ".join(sorted(v.name for v in found))
        raise CodeProblem("ambiguous", f"the codings name different variables ({names}); send one", sent)
    return found.pop()


def _texts(concept: CodeableConcept | None) -> list[str]:
    if concept is None:
        return []
    out = [d for _, _, d in codings(concept) if d]
    if concept.text:
        out.append(concept.text)
    return out


def drug_of(concepts: list[CodeableConcept | None]) -> tuple[DrugClass, str]:
    """The drug or fluid the concepts name, or :class:`CodeProblem`.

    Names are matched as whole words; a name inside a longer name that also matched does not count
    (piperacillin in piperacillin/tazobactam). Two different drugs left: ambiguous, refused.
    """
    names = tables().names
    hits: dict[str, tuple[DrugClass, str]] = {}
    texts = [t for c in concepts for t in _texts(c)]
    for text in texts:
        lowered = text.lower()
        for name, target in names.items():
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lowered):
                hits[name] = target
    if not hits:
        raise CodeProblem("unknown", f"no antibiotic, vasoactive drug or IV fluid of events.toml is named in "
                          f"{texts or 'the medication (no display or text)'}", texts)  # fmt: skip
    kept = [n for n in hits if not any(n != other and n in other for other in hits)]  # "piperacillin" in a longer name
    targets = {hits[n] for n in kept}
    if len(targets) > 1:
        raise CodeProblem("ambiguous", f"the medication names several drugs ({sorted(c for _, c in targets)})", texts)
    return targets.pop()


def route_of(concept: CodeableConcept | None) -> str:
    """The events.toml route of a dosage route, or :class:`CodeProblem`."""
    t = tables()
    for system, code, _ in codings(concept):
        if system == SNOMED and code in t.routes_snomed:
            return t.routes_snomed[code]
    for text in _texts(concept):
        if text.strip().lower() in t.routes_text:
            return t.routes_text[text.strip().lower()]
    sent = [f"{s}|{c}" for s, c, _ in codings(concept)] + _texts(concept)
    raise CodeProblem("unknown", f"route {sent} is not one of codes.toml [routes]", sent)


def specimen_of(concept: CodeableConcept | None, table: Literal["specimens", "procedures"]) -> str:
    """The events.toml specimen a Specimen.type or a culture Procedure.code names, or :class:`CodeProblem`."""
    t = tables()
    lookup = t.specimens_snomed if table == "specimens" else t.culture_procedures
    for system, code, _ in codings(concept):
        if system == SNOMED and code in lookup:
            return lookup[code]
    sent = [f"{s}|{c}" for s, c, _ in codings(concept)]
    section = "specimens.snomed" if table == "specimens" else "culture_procedures.snomed"
    raise CodeProblem("unknown", f"{sent or 'no coding'} is not in codes.toml [{section}]", sent)
