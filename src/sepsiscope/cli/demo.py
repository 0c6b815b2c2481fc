"""``sepsiscope demo``: a seeded synthetic ward, scored and ranked."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console


def demo(
    patients: Annotated[int, typer.Option(help="Patients on the synthetic ward.")] = 16,
    hours: Annotated[int, typer.Option(help="Hours of observations per patient.")] = 36,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same ward).")] = 7,
) -> None:
    """Generate a seeded synthetic ward, score it and show who needs a look first."""
    from sepsiscope.demo import run_demo

    Console().print(run_demo(patients=patients, hours=hours, seed=seed))


def register(app: typer.Typer) -> None:
    """Add demo to ``app``, in this order."""
    app.command()(demo)
