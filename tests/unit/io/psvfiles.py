"""Hand-made PhysioNet-style files for reader tests (never real patient rows)."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from sepsiscope.io.psv import PSV_COLUMNS

HEADER = "|".join(PSV_COLUMNS)
Row = Mapping[str, object]


def line(row: Row) -> str:
    """One data line: the given PSV columns, ``NaN`` elsewhere."""
    unknown = set(row) - set(PSV_COLUMNS)
    assert not unknown, unknown
    return "|".join(str(row[c]) if c in row else "NaN" for c in PSV_COLUMNS)


def patient(*rows: Row, **common: object) -> str:
    """File text: header + one line per row (``common`` columns added to every row)."""
    return "".join(f"{x}\n" for x in [HEADER, *(line({**common, **r}) for r in rows)])


def hours(n: int, **common: object) -> str:
    """A patient with ICULOS 1..n and a heart rate, plus ``common`` columns."""
    return patient(*({"ICULOS": h, "HR": 80 + h} for h in range(1, n + 1)), **common)


def write_folder(root: Path, files: Mapping[str, str | bytes], folder: str = "set") -> Path:
    """Write ``{name: text}`` into ``root/folder`` and return that folder."""
    out = root / folder
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text if isinstance(text, bytes) else text.encode())
    return out


def write_zip(path: Path, files: Mapping[str, str | bytes], folder: str = "set") -> Path:
    """Write ``{name: text}`` as members ``folder/name`` of a deflated zip."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(f"{folder}/{name}" if folder else name, text)
    return path
