"""The PhysioNet 2019 file format: columns, header, codes and the hints the checks share.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 (file format, 41 columns, ``NaN`` for
not measured). Codes: shared/docs/clinical/adult-scores.md §1.4. Re-exported by
:mod:`sepsiscope.io.psv`, which is where other modules import them from.
"""

from __future__ import annotations

#: Columns of every PhysioNet 2019 file, in file order (Reyna 2020).
PSV_COLUMNS: tuple[str, ...] = (
    "HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp", "EtCO2", "BaseExcess", "HCO3", "FiO2", "pH", "PaCO2",
    "SaO2", "AST", "BUN", "Alkalinephos", "Calcium", "Chloride", "Creatinine", "Bilirubin_direct", "Glucose",
    "Lactate", "Magnesium", "Phosphate", "Potassium", "Bilirubin_total", "TroponinI", "Hct", "Hgb", "PTT", "WBC",
    "Fibrinogen", "Platelets", "Age", "Gender", "Unit1", "Unit2", "HospAdmTime", "ICULOS", "SepsisLabel",
)  # fmt: skip
HEADER = "|".join(PSV_COLUMNS).encode() + b"\n"
LABEL = "SepsisLabel"
#: The same files with the label column removed (as given to a model at test time).
HEADER_UNLABELED = "|".join(PSV_COLUMNS[:-1]).encode() + b"\n"

HOUR = "ICULOS"
LABEL_COLUMN = "sepsis_label"
#: adult-scores.md §1.4: Gender 0 -> female, 1 -> male; Unit1/Unit2 1 -> true, 0 -> false.
GENDER_CODES: dict[float, str] = {0.0: "female", 1.0: "male"}

_NSEP = len(PSV_COLUMNS) - 1
_BOM = b"\xef\xbb\xbf"
_HINT_NUMBER = 'PhysioNet files hold numbers only, with "NaN" for not measured'
_HINT_QUARANTINE = "fix the file, or pass on_invalid='quarantine' to set bad rows aside with a record"
