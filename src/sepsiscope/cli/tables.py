"""Table commands: ``calc`` (one case per JSON line), ``score`` (every patient-hour) and ``convert``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from sepsiscope.cli.inputs import (
    QUARANTINE_HINT,
    ColumnOpt,
    ImplausibleOpt,
    OnInvalidOpt,
    read_input,
    report_problems,
)
from sepsiscope.cli.shared import err, exit_code, fail, require_extra
from sepsiscope.errors import ReadError, SepsiscopeError, UsageError


def calc(
    score: Annotated[
        str, typer.Argument(help="sirs, qsofa, news2, mews, sofa, phoenix, phoenix8, pediatric_sirs, ...")
    ],
    explain: Annotated[
        bool, typer.Option("--explain", help="Add a one-line explanation per component and the citation.")
    ] = False,
) -> None:
    """Score JSON lines from stdin, one JSON line out per case, in order.

    Follows the calculator contract of shared/docs/clinical/adult-scores.md §5: a malformed
    line gets an error object for that line and the others are still scored. Exit status 1
    if any case had an error, 2 for an unknown score.
    """
    from sepsiscope.scores.calculator import run

    any_error = False
    try:
        for line in run(score, sys.stdin, explain=explain):
            sys.stdout.write(json.dumps(line.payload, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            any_error |= not line.ok
    except UsageError as exc:
        raise fail(str(exc), 2) from None
    if any_error:
        raise typer.Exit(1)


def score(
    input: Annotated[
        str,
        typer.Argument(
            help="PhysioNet folder or zip of p*.psv, a CSV/Parquet wide table, or a Parquet folder "
            "(with --engine spark also an object-store URL such as s3a://bucket/path)."
        ),
    ],
    out: Annotated[str, typer.Option("--out", "-o", help="Output Parquet file (a folder or URL with --engine spark).")],
    on_invalid: OnInvalidOpt = "error",
    implausible: ImplausibleOpt = "clean",
    scores: Annotated[str, typer.Option(help="Comma-separated scores to compute.")] = "sirs,qsofa,news2,mews,sofa",
    column: ColumnOpt = None,
    engine: Annotated[str, typer.Option(help="embedded (Polars, this machine) or spark.")] = "embedded",
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master URL (default: spark-submit's, else local mode on all cores).")
    ] = None,
) -> None:
    """Score every patient-hour of INPUT and write one output row per input row.

    Embedded engine: writes OUT (Parquet, rows in input order) plus, when anything was cleaned
    or quarantined, OUT with the suffix .problems.csv listing every affected value or row.
    Spark engine: INPUT should be a Parquet folder from `sepsiscope convert` (other inputs are
    read and validated here first); OUT is a Parquet folder, rows grouped by patient.
    """
    from sepsiscope.cohort import score_stream

    names = [s.strip() for s in scores.split(",") if s.strip()]
    if engine not in ("embedded", "spark"):
        raise fail("--engine takes embedded or spark", 2)
    from sepsiscope.scores.registry import SCORES

    unknown = [name for name in names if name not in SCORES]
    if unknown:
        raise fail(f"unknown score {unknown[0]!r} (known: {', '.join(SCORES)})", 2)
    started = time.perf_counter()
    if engine == "spark":
        require_extra("spark", "--engine spark")  # before any reading
        _score_spark(input, out, names, spark_master, on_invalid, implausible, column)
        err.print(f"wrote {out} with Spark in {time.perf_counter() - started:.1f} s", highlight=False)
        return
    source, target = Path(input), Path(out)
    batches = read_input(source, on_invalid, implausible, column, batches=True)
    try:
        with batches, err.status(f"reading and scoring {source.name}"):
            # PhysioNet input is scored batch by batch while the next files are read
            scored = score_stream(batches, names)
    except ReadError as exc:
        raise fail(str(exc), 1, QUARANTINE_HINT) from None
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    scored.write_parquet(target)
    report_problems(batches, target)
    err.print(
        f"wrote {scored.height:,} rows × {scored.width} columns to {out} in {time.perf_counter() - started:.2f} s",
        highlight=False,
    )


def _is_parquet_input(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq") or (path.is_dir() and any(path.glob("*.parquet")))


def _score_spark(
    input: str,
    out: str,
    names: list[str],
    master: str | None,
    on_invalid: str,
    implausible: str,
    column: list[str] | None,
) -> None:
    import tempfile

    from sepsiscope.cohort.spark import active_session, score_parquet, spark_session
    from sepsiscope.io import write_patient_dataset

    with tempfile.TemporaryDirectory(prefix="sepsiscope-") as tmp:
        source = input
        if "://" not in input and not _is_parquet_input(Path(input)):
            result = read_input(Path(input), on_invalid, implausible, column)
            source = str(Path(tmp) / "input")
            write_patient_dataset(result.table, source)
            if "://" not in out:
                report_problems(result, Path(out))
        ours = active_session() is None
        with err.status("starting Spark"):
            session = spark_session(master)
        try:
            with err.status(f"scoring {input} on Spark ({session.sparkContext.master})"):
                score_parquet(session, source, out, names)
        finally:
            if ours:
                session.stop()


def convert(
    input: Annotated[Path, typer.Argument(help="PhysioNet folder or zip, or a CSV/Parquet wide table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder of Parquet files (whole patients per file).")],
    on_invalid: OnInvalidOpt = "error",
    implausible: ImplausibleOpt = "clean",
    column: ColumnOpt = None,
    rows_per_file: Annotated[int, typer.Option(help="Target rows per Parquet file.")] = 250_000,
    overwrite: Annotated[bool, typer.Option(help="Replace OUT if it exists.")] = False,
) -> None:
    """Validate INPUT with the readers and write the canonical table as a Parquet dataset.

    The dataset (OUT/part-00000.parquet, …) is sorted by patient and hour with whole patients
    per file: the input of `sepsiscope score --engine spark` and of data lakes.
    """
    from sepsiscope.io import write_patient_dataset

    result = read_input(input, on_invalid, implausible, column)
    try:
        files = write_patient_dataset(result.table, out, rows_per_file=rows_per_file, overwrite=overwrite)
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None
    report_problems(result, out)
    err.print(f"wrote {result.table.height:,} rows in {len(files)} files to {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add calc, score, convert to ``app``, in this order."""
    app.command()(calc)
    app.command()(score)
    app.command()(convert)
