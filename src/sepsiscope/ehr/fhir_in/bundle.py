"""``transaction`` and ``batch`` Bundles: all-or-nothing, or each entry on its own.

* ``transaction``: every entry is mapped first; any problem refuses the whole bundle with one
  OperationOutcome listing every problem (entry index, element, value), and nothing is stored.
  Otherwise all entries are written in one database transaction (a service-side refusal, such as
  an id reused for other data, rolls all of it back).
* ``batch``: each entry is mapped and written in its own transaction; the reply gives each
  entry's status, the refused ones with their OperationOutcome.

Entries are processed Patient first, then Encounter, then the rest; the reply keeps the
request's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sepsiscope.ehr.fhir_in.mapped import Mapped, Scope
from sepsiscope.ehr.fhir_in.parse import Entry, bundle_entries, condition, map_resource
from sepsiscope.ehr.fhir_in.store import Written, write
from sepsiscope.ehr.outcome import FhirError, Issue, error, outcome
from sepsiscope.service.context import ServiceContext

#: Tries of one write: two requests resending the same new ids at once can collide on the unique id;
#: the loser runs again and finds them stored (duplicates, or 409 if different), as the JSON API does.
ATTEMPTS = 3


def committed(ctx: ServiceContext, work: Callable[[Session], list[Written]]) -> list[Written]:
    """Run ``work`` in one transaction and commit it (a :class:`FhirError` inside rolls it all back)."""
    for attempt in range(ATTEMPTS):
        try:
            with ctx.sessions.begin() as session:
                return work(session)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def status_line(status: int) -> str:
    """``201 Created``."""
    return f"{status} {HTTPStatus(status).phrase}"


def _at(err: FhirError, index: int) -> FhirError:
    return FhirError(err.status, [replace(i, entry=index) for i in err.issues])


def _map(entry: Entry, patients: dict[str, str]) -> Mapped:
    return map_resource(entry.resource, Scope(entry.where, entry.key, patients), entry.logical_id)


def _written(w: Written, notes: list[Issue]) -> dict[str, Any]:
    created = w.accepted > 0 or w.patient == "created"
    text = f"stored {w.accepted} item(s)" + (f"; {w.duplicates} already stored (resent)" if w.duplicates else "")
    if w.patient:
        text += f"; patient {w.patient}"
    issues = [Issue("information", "informational", text, entry=w.index if w.index >= 0 else None), *notes]
    return {"response": {"status": status_line(201 if created else 200), "outcome": outcome(issues)}}


def _refused(err: FhirError) -> dict[str, Any]:
    return {"response": {"status": status_line(err.status), "outcome": outcome(err.issues)}}


def _overall(errors: list[FhirError]) -> int:
    statuses = {e.status for e in errors}
    return 400 if 400 in statuses else (409 if 409 in statuses else 422)


def transaction(ctx: ServiceContext, actor: str, bundle: Bundle) -> dict[str, Any]:
    """Store every entry or none; a refusal raises :class:`FhirError` listing every problem."""
    entries, refused, patients = bundle_entries(bundle)
    errors = [_at(e, i) for i, e in refused]
    mapped: list[tuple[Entry, Mapped]] = []
    for entry in entries:
        try:
            mapped.append((entry, _map(entry, patients)))
        except FhirError as e:
            errors.append(_at(e, entry.index))
    if errors:
        raise FhirError(_overall(errors), [i for e in sorted(errors, key=_first_index) for i in e.issues])
    items = [(e.index, e.where, m) for e, m in mapped]
    written = committed(ctx, lambda session: write(session, ctx, actor, items, "fhir.transaction"))
    ctx.scorer.notify()
    notes = {e.index: m.notes for e, m in mapped}
    by_index = {w.index: _written(w, notes[w.index]) for w in written}
    return {"resourceType": "Bundle", "type": "transaction-response",
            "entry": [by_index[i] for i in sorted(by_index)]}  # fmt: skip


def _first_index(e: FhirError) -> int:
    return min((i.entry for i in e.issues if i.entry is not None), default=-1)


def batch(ctx: ServiceContext, actor: str, bundle: Bundle) -> dict[str, Any]:
    """Store each entry on its own; the reply says, per entry, what happened."""
    entries, refused, patients = bundle_entries(bundle)
    replies: dict[int, dict[str, Any]] = {i: _refused(_at(e, i)) for i, e in refused}
    for entry in entries:
        try:
            m = _map(entry, patients)
            one = [(entry.index, entry.where, m)]
            (w,) = committed(ctx, lambda session: write(session, ctx, actor, one, "fhir.batch.entry"))  # noqa: B023
            ctx.scorer.notify()
            replies[entry.index] = _written(w, m.notes)
        except FhirError as e:
            replies[entry.index] = _refused(_at(e, entry.index))
    return {"resourceType": "Bundle", "type": "batch-response", "entry": [replies[i] for i in sorted(replies)]}


def single(ctx: ServiceContext, actor: str, resource: Any, if_none_exist: str | None,
           logical_id: str | None = None) -> tuple[int, dict[str, Any]]:  # fmt: skip
    """One resource (``POST /fhir/TYPE`` or ``PUT /fhir/TYPE/ID``): (status, OperationOutcome)."""
    rtype = resource.get_resource_type()
    key = f"id={logical_id}" if logical_id else condition(if_none_exist, "If-None-Exist")
    m = map_resource(resource, Scope(rtype, key), logical_id)
    (w,) = committed(ctx, lambda session: write(session, ctx, actor, [(-1, rtype, m)], f"fhir.{rtype}"))
    ctx.scorer.notify()
    reply = _written(w, m.notes)
    issues = reply["response"]["outcome"]
    return int(reply["response"]["status"][:3]), issues


def not_a_bundle(kind: str | None) -> FhirError:
    """The refusal of a Bundle that is neither a batch nor a transaction."""
    return error("not-supported", f"Bundle.type: {kind!r}; send a 'transaction' or a 'batch'", "Bundle.type", kind, 400)
