"""FHIR ``Procedure`` and ``Specimen`` → ``blood_culture_drawn`` (a culture sampled, any body fluid).

* A completed ``Procedure`` whose ``code`` is a culture procedure of ``codes.toml`` (SNOMED CT
  30088009, blood culture) at ``performed[x]``.
* A ``Specimen`` whose ``type`` is a specimen of ``codes.toml`` and that says it is for culture
  (``type``/``request`` display or ``collection.method`` naming "culture"), at
  ``collection.collected[x]``. A blood sample for a lactate is not a culture: without the word the
  Specimen is refused, so a bundle element is never marked done by the wrong sample.
"""

from __future__ import annotations

from datetime import date, datetime

from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.specimen import Specimen

from sepsiscope.ehr.fhir_in.codes import CodeProblem, codings, specimen_of
from sepsiscope.ehr.fhir_in.mapped import Mapped, Scope, check_key, patient_of, when
from sepsiscope.ehr.outcome import error
from sepsiscope.service.api.schemas import EventIn


def map_procedure(proc: Procedure, scope: Scope) -> Mapped:
    """A culture drawn, from a completed culture Procedure."""
    where = scope.where
    if proc.status != "completed":
        raise error("not-supported", f"{where}.status: {proc.status!r}; only a completed culture procedure is stored",
                    f"{where}.status", proc.status)  # fmt: skip
    check_key(scope.key, proc.identifier, where)
    try:
        specimen = specimen_of(proc.code, "procedures")
    except CodeProblem as p:
        raise error("code-invalid", f"{where}.code: not a culture procedure: {p.text}", f"{where}.code",
                    p.value) from None  # fmt: skip
    patient = patient_of(proc.subject, scope, f"{where}.subject")
    value: datetime | date | None
    if proc.performedDateTime is not None:
        path, value = f"{where}.performedDateTime", proc.performedDateTime
    elif proc.performedPeriod is not None:
        path, value = f"{where}.performedPeriod.start", proc.performedPeriod.start
    else:
        raise error("required", f"{where}: performed[x] is missing (when was the culture drawn?)",
                    f"{where}.performed[x]")  # fmt: skip
    time = when(value, path)
    item = EventIn(id=scope.item_id("Procedure", 0), patient_id=patient, time=time, kind="blood_culture_drawn",
                   specimen=specimen)  # fmt: skip
    paths = {"patient_id": f"{where}.subject", "time": path, "specimen": f"{where}.code", "id": f"{where}.identifier"}
    return Mapped(events=[(item, paths)])


def _for_culture(spec: Specimen) -> bool:
    texts = [d or "" for _, _, d in codings(spec.type)] + [spec.type.text or "" if spec.type else ""]
    texts += [r.display or "" for r in spec.request or []]
    if spec.collection is not None:
        texts += [d or "" for _, _, d in codings(spec.collection.method)]
    return any("culture" in t.lower() for t in texts)


def map_specimen(spec: Specimen, scope: Scope) -> Mapped:
    """A culture drawn, from a Specimen taken for culture."""
    where = scope.where
    check_key(scope.key, spec.identifier, where)
    try:
        specimen = specimen_of(spec.type, "specimens")
    except CodeProblem as p:
        raise error("code-invalid", f"{where}.type: {p.text}", f"{where}.type", p.value) from None
    if not _for_culture(spec):
        raise error("not-supported", f"{where}.type: only a specimen taken for culture is stored; name 'culture' in "
                    "type, request display or collection.method", f"{where}.type")  # fmt: skip
    patient = patient_of(spec.subject, scope, f"{where}.subject")
    coll = spec.collection
    if coll is None or (coll.collectedDateTime is None and coll.collectedPeriod is None):
        raise error("required", f"{where}.collection.collected[x]: when was it collected?",
                    f"{where}.collection.collected[x]")  # fmt: skip
    value: datetime | date | None
    if coll.collectedDateTime is not None:
        path, value = f"{where}.collection.collectedDateTime", coll.collectedDateTime
    else:
        assert coll.collectedPeriod is not None
        path, value = f"{where}.collection.collectedPeriod.start", coll.collectedPeriod.start
    time = when(value, path)
    item = EventIn(id=scope.item_id("Specimen", 0), patient_id=patient, time=time, kind="blood_culture_drawn",
                   specimen=specimen)  # fmt: skip
    paths = {"patient_id": f"{where}.subject", "time": path, "specimen": f"{where}.type", "id": f"{where}.identifier"}
    return Mapped(events=[(item, paths)])
