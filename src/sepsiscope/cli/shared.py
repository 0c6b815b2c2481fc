"""What every command group shares: the Typer app, the stderr console and the exit helper."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="sepsiscope",
    help="Find sepsis early: bedside criteria, cohort scoring and early warning. "
    "Supports, never replaces, clinical judgement; not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def fail(message: str, code: int, hint: str | None = None) -> typer.Exit:
    """Print ``error: message`` (and a hint) on stderr; return the Exit to raise with ``code``."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    if hint:
        err.print(f"[dim]hint:[/] {hint}", highlight=False, soft_wrap=True)
    return typer.Exit(code)
