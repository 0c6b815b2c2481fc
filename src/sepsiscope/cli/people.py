"""Commands for people: ``check`` (the symptom checker in a terminal)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from sepsiscope.cli.shared import fail


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


def register(app: typer.Typer) -> None:
    """Add check to ``app`` (``serve`` starts the whole web app: ``cli/service.py``)."""
    app.command()(check)
