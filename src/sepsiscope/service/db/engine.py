"""The database engine: SQLite (WAL, ``synchronous=FULL``) or PostgreSQL, migrated on start.

SQLite serialises writers; every transaction here starts with ``BEGIN IMMEDIATE`` so two
requests never both read and then race to write (which SQLite would refuse with
``SQLITE_BUSY``), except in the read-only sessions of :func:`reader_factory`. On
PostgreSQL, writers serialise on the audit head row (``audit.py``).
``synchronous=FULL`` makes a commit durable before the client hears 2xx: a ``kill -9`` (or
power loss) after the reply loses nothing.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
_MIGRATE_LOCK = "SELECT pg_advisory_xact_lock(hashtext('sepsiscope.migrate:' || current_schema()))"
#: Execution option of sessions that only read (:func:`reader_factory`).
READ_ONLY = "sepsiscope_read_only"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")  # a reader (WAL) neither waits for writers nor blocks them
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite the parent folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied (idempotent; runs on each start).

    On SQLite the migration's ``BEGIN IMMEDIATE`` makes a second process wait; on PostgreSQL
    a transaction-scoped advisory lock does.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(files("sepsiscope.service.db") / "migrations"))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # workers starting together migrate one at a time
            connection.execute(text(_MIGRATE_LOCK))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")  # independent branches (e.g. scoring, EHR) each apply


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def reader_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for work that never writes (checking a token): on SQLite their transactions
    start with a plain ``BEGIN``, so they do not queue behind the writers' ``BEGIN IMMEDIATE``."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
