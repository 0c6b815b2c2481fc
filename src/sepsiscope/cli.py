"""The ``sepsiscope`` command line: thin Typer commands over the library.

Data goes to stdout, messages to stderr. Exit status 0 = OK, 1 = data problems,
2 = usage errors (shared/docs/style.md §2; calculator: adult-scores.md §5.4).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from sepsiscope.errors import ReadError, ScoreInputError, SepsiscopeError, UsageError

app = typer.Typer(
    name="sepsiscope",
    help="Find sepsis early: bedside criteria, cohort scoring and early warning. "
    "Supports, never replaces, clinical judgement; not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _fail(message: str, code: int, hint: str | None = None) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    if hint:
        err.print(f"[dim]hint:[/] {hint}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command()
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
        raise _fail(str(exc), 2) from None
    if any_error:
        raise typer.Exit(1)


OnInvalid = Literal["error", "quarantine"]
Implausible = Literal["clean", "reject"]


@app.command()
def score(
    input: Annotated[Path, typer.Argument(help="PhysioNet folder or zip of p*.psv, or a CSV/Parquet wide table.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output Parquet file.")],
    on_invalid: Annotated[
        str, typer.Option(help="error: stop at the first malformed row; quarantine: set it aside in a side file.")
    ] = "error",
    implausible: Annotated[
        str,
        typer.Option(
            help="clean: values outside the plausible range become missing and are listed in the problems file "
            "(adult-scores.md §1.4); reject: treat them as malformed rows."
        ),
    ] = "clean",
    scores: Annotated[str, typer.Option(help="Comma-separated scores to compute.")] = "sirs,qsofa,news2,mews,sofa",
    column: Annotated[
        list[str] | None, typer.Option("--column", help="CSV/Parquet column mapping SOURCE=canonical (repeatable).")
    ] = None,
) -> None:
    """Score every patient-hour of INPUT and write one output row per input row.

    Writes OUT (Parquet) plus, when anything was cleaned or quarantined, OUT with the suffix
    .problems.csv listing every affected value or row with file, line, field and reason.
    """
    from sepsiscope.cohort import score_table
    from sepsiscope.io import read_any

    if on_invalid not in ("error", "quarantine") or implausible not in ("clean", "reject"):
        raise _fail("--on-invalid takes error|quarantine and --implausible takes clean|reject", 2)
    mapping = dict(item.split("=", 1) for item in column or [])
    started = time.perf_counter()
    try:
        with err.status(f"reading {input}"):
            options = {"columns": mapping} if mapping else {}
            result = read_any(input, on_invalid=on_invalid, implausible=implausible, **options)
        read_s = time.perf_counter() - started
        with err.status(f"scoring {result.table.height:,} patient-hours"):
            scored = score_table(result.table, [s.strip() for s in scores.split(",") if s.strip()])
    except ReadError as exc:
        raise _fail(str(exc), 1, "pass --on-invalid quarantine to set bad rows aside and score the rest") from None
    except (ScoreInputError, KeyError) as exc:
        raise _fail(str(exc), 2 if isinstance(exc, KeyError) else 1) from None
    except SepsiscopeError as exc:
        raise _fail(str(exc), 1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    scored.write_parquet(out)
    report = result.report
    err.print(report.summary(), highlight=False)
    if report.n_problems:
        problems = out.with_suffix(".problems.csv")
        report.write_problems_csv(problems)
        err.print(f"every cleaned value and quarantined row is listed in {problems}", highlight=False)
    total_s = time.perf_counter() - started
    err.print(
        f"wrote {scored.height:,} rows × {scored.width} columns to {out} (read {read_s:.2f} s, total {total_s:.2f} s)",
        highlight=False,
    )


@app.command()
def demo(
    patients: Annotated[int, typer.Option(help="Patients on the synthetic ward.")] = 16,
    hours: Annotated[int, typer.Option(help="Hours of observations per patient.")] = 36,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same ward).")] = 7,
) -> None:
    """Generate a seeded synthetic ward, score it and show who needs a look first."""
    from sepsiscope.demo import run_demo

    Console().print(run_demo(patients=patients, hours=hours, seed=seed))


def main() -> None:  # pragma: no cover - console entry point
    """Entry point used by ``python -m sepsiscope``."""
    app()
