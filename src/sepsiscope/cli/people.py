"""Commands for people: ``check`` (the symptom checker in a terminal) and ``serve`` (the web app)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from sepsiscope.cli.shared import err, fail


def check(
    lang: Annotated[str, typer.Option("--lang", help="Language of the questions: en or es.")] = "en",
) -> None:
    """Could this be sepsis? Answer a few questions and get advice on how fast to get care.

    A triage aid built from public guidance (shared/docs/clinical/symptom-checker.md). It
    supports, and never replaces, advice from a doctor or nurse, and it never says that
    someone does not have sepsis. Nothing you type is stored.
    """
    from sepsiscope.checker.terminal import run_check
    from sepsiscope.scores.symptom_checker import LANGUAGES

    if lang not in LANGUAGES:
        raise fail(f"--lang takes one of: {', '.join(LANGUAGES)}", 2)
    run_check(Console(), lang)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Start the web app: the symptom checker at /check and plain facts about sepsis at /learn.

    The access log is off and nothing a person enters is stored, logged or put in a cookie.
    """
    import uvicorn

    from sepsiscope.app import create_app

    err.print(f"sepsiscope: serving on http://{host}:{port}/check (Ctrl+C to stop)", highlight=False)
    uvicorn.run(create_app(), host=host, port=port, access_log=False, log_level="warning", server_header=False)


def register(app: typer.Typer) -> None:
    """Add check, serve to ``app``, in this order."""
    app.command()(check)
    app.command()(serve)
