"""The web application for an ASGI server with several worker processes.

``sepsiscope serve`` runs one process. On a machine with more cores, run the same app in
several, configured by the ``SEPSISCOPE_*`` environment variables (docs/service.md,
"Configure it")::

    SEPSISCOPE_DATABASE_URL=postgresql+psycopg://… uvicorn --factory sepsiscope.asgi:create \\
        --workers 2 --no-access-log

Every worker serves requests; the database keeps them consistent (SQLite's write lock, the
audit head row on PostgreSQL), and exactly one worker's scorer works at a time (its lease,
``service/scorer.py``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def create() -> FastAPI:
    """One worker's app: settings from the environment, database migrated, model and rules loaded."""
    from sepsiscope.app import create_app
    from sepsiscope.service.context import start
    from sepsiscope.service.settings import Settings

    from_environment: dict[str, Any] = {}  # every option comes from SEPSISCOPE_* (or its default)
    return create_app(start(Settings(**from_environment)))
