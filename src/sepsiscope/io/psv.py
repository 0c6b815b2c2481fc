"""PhysioNet 2019 pipe-separated hourly files (one file per patient) -> canonical wide table.

Source: Reyna MA et al., Crit Care Med 2020;48(2):210-217 (file format, 41 columns, ``NaN`` for
not measured). Ranges: shared/docs/clinical/adult-scores.md §1.1 (via ``variables.toml``);
cleaning rules: adult-scores.md §1.4; errors: shared/docs/style.md §4.

This module is the public surface: :func:`read_psv`, :func:`read_psv_batches`, :func:`write_psv`
and the format constants (``PSV_COLUMNS``, ``HEADER``, ...). The work is done by ``psv_source``
(finding and loading the files), ``psv_reader`` (batched parsing), ``psv_diagnose`` (exact
line-by-line errors) and ``psv_checks`` (vectorised value checks, cleaning, the canonical table);
``psv_format`` holds the constants they share.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sepsiscope.errors import UsageError
from sepsiscope.io.psv_checks import FIO2_ROUNDING
from sepsiscope.io.psv_format import (
    GENDER_CODES,
    HEADER,
    HEADER_UNLABELED,
    HOUR,
    LABEL,
    LABEL_COLUMN,
    PSV_COLUMNS,
)
from sepsiscope.io.psv_reader import Progress, _PsvReader
from sepsiscope.io.psv_source import _open_source
from sepsiscope.io.report import Implausible, OnInvalid, ReadBatches, ReadResult
from sepsiscope.variables.registry import REGISTRY

__all__ = [
    "FIO2_ROUNDING",
    "GENDER_CODES",
    "HEADER",
    "HEADER_UNLABELED",
    "HOUR",
    "LABEL",
    "LABEL_COLUMN",
    "PSV_COLUMNS",
    "Progress",
    "read_psv",
    "read_psv_batches",
    "write_psv",
]


def read_psv(
    path: str | Path,
    *,
    on_invalid: OnInvalid = "error",
    implausible: Implausible = "clean",
    progress: Progress | None = None,
) -> ReadResult:
    """Read PhysioNet 2019 ``.psv`` files into the canonical wide table.

    ``path`` is a folder of ``*.psv`` files (searched recursively), a ``.zip`` holding them
    anywhere inside, or one ``.psv`` file. Files are read in sorted name order, rows in file
    order; ``patient_id`` is the file stem and ``hour`` is ``ICULOS``.

    ``on_invalid="error"`` (default) raises :class:`~sepsiscope.errors.ReadError` naming file,
    line, field and value for a wrong header, a wrong field count, a non-numeric value, a
    missing or repeated ``ICULOS``, an empty file or an unreadable zip member;
    ``"quarantine"`` removes each offending row and records it with its raw text.

    ``implausible="clean"`` (default) applies adult-scores.md §1.4: FiO2 in [0.20, 0.21) -> 0.21,
    FiO2 in [21, 100] -> /100 (``converted``), any other value outside its §1.1 range -> null
    (``set_missing``), each recorded; ``"reject"`` treats such values as invalid rows.
    ``progress(done_files, total_files)`` is called after each batch.
    """
    _check_options(on_invalid, implausible)
    source = _open_source(Path(path))
    try:
        return _PsvReader(source, on_invalid, implausible, progress).run()
    finally:
        source.close()


def read_psv_batches(
    path: str | Path,
    *,
    on_invalid: OnInvalid = "error",
    implausible: Implausible = "clean",
    progress: Progress | None = None,
) -> ReadBatches:
    """:func:`read_psv` as successive tables of whole files, read while the caller works.

    Same rows, order, checks and report as :func:`read_psv` (which concatenates exactly these
    tables); two threads load the next files while the caller processes a table, so reading
    overlaps whatever the caller does with each table. Errors are raised while iterating.
    """
    _check_options(on_invalid, implausible)
    return _PsvReader(_open_source(Path(path)), on_invalid, implausible, progress).batches()


def write_psv(table: pl.DataFrame, folder: str | Path) -> list[Path]:
    """Write a canonical wide table as one PhysioNet 2019 file per patient (``<patient_id>.psv``).

    The inverse of :func:`read_psv` for clean tables: ``ICULOS`` is written from ``hour``,
    ``sex`` as Gender 0/1, booleans as 1/0, missing as ``NaN``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    by_name = {v.physionet: v for v in REGISTRY if v.physionet}
    sexes = set(table["sex"].drop_nulls().unique().to_list()) if "sex" in table.columns else set()
    if not sexes <= set(GENDER_CODES.values()):
        raise UsageError(f"sex values {sorted(sexes - set(GENDER_CODES.values()))} have no PhysioNet Gender code")
    exprs: list[pl.Expr] = []
    for col in PSV_COLUMNS:
        var = by_name.get(col)
        if col == HOUR:
            expr = pl.col("hour").cast(pl.Float64)
        elif col == LABEL:
            expr = pl.col("sepsis_label").cast(pl.Float64) if "sepsis_label" in table.columns else pl.lit(None)
        elif var is None or var.name not in table.columns:
            expr = pl.lit(None)
        elif var.name == "sex":
            expr = pl.col("sex").replace_strict({v: k for k, v in GENDER_CODES.items()}, default=None)
        else:
            expr = pl.col(var.name).cast(pl.Float64)
        exprs.append(expr.cast(pl.Float64).alias(col))
    paths = []
    for (pid,), part in table.group_by("patient_id", maintain_order=True):
        target = out / f"{pid}.psv"
        body = part.select(exprs).write_csv(separator="|", include_header=False, null_value="NaN", quote_style="never")
        target.write_bytes(HEADER + body.encode())
        paths.append(target)
    return paths


def _check_options(on_invalid: str, implausible: str) -> None:
    if on_invalid not in ("error", "quarantine"):
        raise UsageError(f"on_invalid must be 'error' or 'quarantine', not {on_invalid!r}")
    if implausible not in ("clean", "reject"):
        raise UsageError(f"implausible must be 'clean' or 'reject', not {implausible!r}")
