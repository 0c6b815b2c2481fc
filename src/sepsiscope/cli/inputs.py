"""Reading INPUT for the table and model commands: reader options, the read itself, the problems file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sepsiscope.cli.shared import err, exit_code, fail
from sepsiscope.errors import ReadError, SepsiscopeError

QUARANTINE_HINT = "pass --on-invalid quarantine to set bad rows aside and score the rest"

OnInvalidOpt = Annotated[
    str, typer.Option(help="error: stop at the first malformed row; quarantine: set it aside in a side file.")
]
ImplausibleOpt = Annotated[
    str,
    typer.Option(
        help="clean: values outside the plausible range become missing and are listed in the problems file "
        "(adult-scores.md §1.4); reject: treat them as malformed rows."
    ),
]
ColumnOpt = Annotated[
    list[str] | None, typer.Option("--column", help="CSV/Parquet column mapping SOURCE=canonical (repeatable).")
]


def read_input(  # type: ignore[no-untyped-def]
    input: Path,
    on_invalid: str,
    implausible: str,
    column: list[str] | None,
    hint: str | None = QUARANTINE_HINT,
    *,
    batches: bool = False,
):
    """Read INPUT as a ReadResult, or with ``batches`` as ReadBatches (PhysioNet read lazily)."""
    from sepsiscope.io import read_any, read_batches

    if on_invalid not in ("error", "quarantine") or implausible not in ("clean", "reject"):
        raise fail("--on-invalid takes error|quarantine and --implausible takes clean|reject", 2)
    bad = [item for item in column or [] if "=" not in item]
    if bad:
        raise fail(f"--column takes SOURCE=canonical, got {bad[0]!r}", 2)
    mapping = dict(item.split("=", 1) for item in column or [])
    options = {"columns": mapping} if mapping else {}
    try:
        if batches:
            return read_batches(input, on_invalid=on_invalid, implausible=implausible, **options)
        with err.status(f"reading {input}"):
            return read_any(input, on_invalid=on_invalid, implausible=implausible, **options)
    except ReadError as exc:
        raise fail(str(exc), 1, hint) from None
    except SepsiscopeError as exc:
        raise fail(str(exc), exit_code(exc)) from None


def report_problems(result, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Print the read summary; list every cleaned value and quarantined row next to OUT."""
    report = result.report
    err.print(report.summary(), highlight=False)
    if report.n_problems:
        problems = out.with_name(out.name + ".problems.csv") if out.is_dir() else out.with_suffix(".problems.csv")
        report.write_problems_csv(problems)
        err.print(f"every cleaned value and quarantined row is listed in {problems}", highlight=False)
