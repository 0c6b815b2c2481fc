"""Write the FHIR mapping tables of docs/ehr-integration.md from variables.toml, units.py and codes.toml.

Run: .venv/bin/python scripts/ehr_mapping.py. tests/ehr/test_ehr_docs.py fails when the doc is out
of step, so the table cannot drift from the one place each code is named.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sepsiscope.ehr.fhir_in.codes import tables
from sepsiscope.variables.registry import REGISTRY
from sepsiscope.variables.units import CONVERSIONS

DOC = Path(__file__).resolve().parents[1] / "docs" / "ehr-integration.md"
START, END = "<!-- mapping:start (scripts/ehr_mapping.py) -->", "<!-- mapping:end -->"
_VALUE = {"number": "valueQuantity", "integer": "valueInteger or valueQuantity", "boolean": "valueBoolean",
          "code": "valueCodeableConcept (code) or valueString"}  # fmt: skip


def render() -> str:
    """The tables, between the markers."""
    rows = ["| variable | meaning | LOINC (`Observation.code`) | value | canonical unit | also converted from |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    for v in REGISTRY:
        if not v.loinc:
            continue
        codes = ", ".join(f"`{c}`" for c in v.loinc)
        unit = f"`{v.unit}`" if v.unit else ("one of " + ", ".join(f"`{c}`" for c in v.codes) if v.codes else "—")
        other = ", ".join(f"`{u}`" for u in CONVERSIONS.get(v.name, {})) or "—"
        rows.append(f"| `{v.name}` | {v.meaning} | {codes} | {_VALUE[v.kind]} | {unit} | {other} |")
    t = tables()
    routes = ["| SNOMED CT route (`dosage.route`) | route |", "|---|---|"]
    routes += [f"| `{code}` | `{route}` |" for code, route in t.routes_snomed.items()]
    specimens = ["| SNOMED CT code | resource | specimen |", "|---|---|---|"]
    specimens += [f"| `{c}` | Specimen.type | `{s}` |" for c, s in t.specimens_snomed.items()]
    specimens += [f"| `{c}` | Procedure.code | `{s}` |" for c, s in t.culture_procedures.items()]
    body = "\n".join(rows) + "\n\n" + "\n".join(routes) + "\n\n" + "\n".join(specimens)
    return f"{START}\n{body}\n{END}"


def updated(text: str) -> str:
    """``text`` with the section between the markers replaced by :func:`render`."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return head + render() + tail


if __name__ == "__main__":
    DOC.write_text(updated(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
