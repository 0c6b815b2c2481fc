"""What every command group shares: the Typer app, the stderr console and the exit helpers."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from sepsiscope.errors import SepsiscopeError, UsageError

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
    """Print ``error: message`` (and a hint) on stderr; return the Exit to raise with ``code``.

    Both are printed as written: brackets (``sepsiscope[spark]``, a path) are not Rich markup.
    """
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    if hint:
        err.print(f"[dim]hint:[/] {escape(hint)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def exit_code(exc: SepsiscopeError) -> int:
    """2 for a request that can never work (:class:`UsageError`, e.g. a missing extra), else 1 (data)."""
    return 2 if isinstance(exc, UsageError) else 1


def require_extra(extra: str, feature: str) -> None:
    """Stop with one line naming what to install (exit 2) unless the optional ``extra`` imports."""
    from sepsiscope.extras import require

    try:
        require(extra, feature)
    except UsageError as exc:
        raise fail(str(exc), exit_code(exc)) from None
