"""PhysioNet 2019-style export of a synthetic ward: one ``<patient_id>.psv`` per patient.

The files look like the PhysioNet/CinC 2019 training files so that the readers, ``score``,
``train``, ``predict`` and ``evaluate`` can be exercised end to end on made-up data. Patient
ids ``p900001``… lie outside the ids of the real training sets, so a file written here is
never mistaken for a real one.
"""

from __future__ import annotations

from pathlib import Path

from sepsiscope.synth.ward import SyntheticWard
from sepsiscope.variables.registry import REGISTRY

#: PhysioNet 2019: SepsisLabel is 1 from this many hours before onset (adult-scores.md §3.6).
SEPSIS_LABEL_LEAD_H = 6

PHYSIONET_HEADER: tuple[str, ...] = tuple(
    "HR|O2Sat|Temp|SBP|MAP|DBP|Resp|EtCO2|BaseExcess|HCO3|FiO2|pH|PaCO2|SaO2|AST|BUN|Alkalinephos|Calcium|"
    "Chloride|Creatinine|Bilirubin_direct|Glucose|Lactate|Magnesium|Phosphate|Potassium|Bilirubin_total|"
    "TroponinI|Hct|Hgb|PTT|WBC|Fibrinogen|Platelets|Age|Gender|Unit1|Unit2|HospAdmTime|ICULOS|SepsisLabel".split("|")
)


def to_psv_folder(ward: SyntheticWard, folder: str | Path) -> list[Path]:
    """Write one PhysioNet 2019-style ``<patient_id>.psv`` per patient; return the paths.

    Columns are :data:`PHYSIONET_HEADER`, values come from the table through the registry's
    ``physionet`` aliases (canonical units; FiO2 as a fraction), ``NaN`` when missing or
    when the table has no such variable. ``Gender`` is 0 female / 1 male, ``ICULOS`` the
    hour, and ``SepsisLabel`` 1 from ``onset_hour - 6`` on for septic patients
    (adult-scores.md §3.6).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    onset = dict(ward.truth.select("patient_id", "onset_hour").iter_rows())
    sources: list[str | None] = []
    for col in PHYSIONET_HEADER:
        var = REGISTRY.by_physionet.get(col)
        sources.append(var.name if var is not None and var.name in ward.table.columns else None)
    paths: list[Path] = []
    for (pid,), rows in ward.table.sort("patient_id", "hour").group_by("patient_id", maintain_order=True):
        first_labelled = onset.get(pid)
        records = rows.to_dicts()
        lines = ["|".join(PHYSIONET_HEADER)]
        for rec in records:
            cells = []
            for col, src in zip(PHYSIONET_HEADER, sources, strict=True):
                if col == "ICULOS":
                    cells.append(str(rec["hour"]))
                elif col == "SepsisLabel":
                    septic = first_labelled is not None and rec["hour"] >= first_labelled - SEPSIS_LABEL_LEAD_H
                    cells.append("1" if septic else "0")
                elif col == "Gender":
                    cells.append({"female": "0", "male": "1"}.get(rec.get("sex") or "", "NaN"))
                else:
                    cells.append(_psv_cell(rec[src] if src is not None else None))
            lines.append("|".join(cells))
        path = out / f"{pid}.psv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _psv_cell(value: object) -> str:
    if value is None:
        return "NaN"
    if isinstance(value, bool):
        return "1" if value else "0"
    x = float(value)  # type: ignore[arg-type]
    return str(int(x)) if x.is_integer() else repr(round(x, 4))
