"""Commands of the monitoring service: ``serve``, ``token create``, ``audit verify``, ``replay``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sepsiscope.cli.shared import err, exit_code, fail
from sepsiscope.errors import SepsiscopeError

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Folder of the SQLite database (default: $SEPSISCOPE_DATA_DIR or ./sepsiscope-data)."
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db (default: SQLite in DATA_DIR).",
    ),
]


def _settings(**flags: Any) -> Any:
    from pydantic import ValidationError

    from sepsiscope.service.settings import Settings

    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as e:
        first = e.errors()[0]
        raise fail(f"{'.'.join(map(str, first['loc'])) or 'settings'}: {first['msg']}", 2) from None


def serve(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    alert_rules: Annotated[
        Path | None, typer.Option("--alert-rules", help="TOML file replacing the packaged alert rules.")
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="Model folder (default: the shipped default model).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on [default: 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [default: 8000].")] = None,
) -> None:
    """Start the web app: the monitoring API under /api/v1, the symptom checker at /check and /learn.

    The database is migrated on start. The access log is off; nothing a person enters in the
    symptom checker is stored, logged or put in a cookie. See docs/service.md.
    """
    import uvicorn

    from sepsiscope.app import create_app
    from sepsiscope.service.context import start

    settings = _settings(data_dir=data_dir, database_url=database_url, alert_rules=alert_rules, model_dir=model,
                         host=host, port=port)  # fmt: skip
    try:
        ctx = start(settings)
    except SepsiscopeError as e:
        raise fail(str(e), exit_code(e)) from None
    base = f"http://{settings.host}:{settings.port}"
    err.print(f"sepsiscope: serving on {base} — API {base}/api/v1 (OpenAPI {base}/openapi.json), "
              f"checker {base}/check; database {ctx.engine.url.render_as_string(hide_password=True)} "
              "(Ctrl+C to stop)", highlight=False, soft_wrap=True)  # fmt: skip
    uvicorn.run(
        create_app(ctx), host=settings.host, port=settings.port, access_log=False, log_level="warning",
        server_header=False, timeout_graceful_shutdown=5,
    )  # fmt: skip


token_app = typer.Typer(
    help="Make API tokens (bearer tokens, one role each) for the monitoring service.", no_args_is_help=True
)
audit_app = typer.Typer(help="Check the monitoring service's hash-chained audit trail.", no_args_is_help=True)


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="integration, nurse, clinician or admin.")],
    name: Annotated[str | None, typer.Option("--name", help="A name for the token (shown in the audit trail).")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Make a token for ROLE and print it as the last line (it is stored only as a hash)."""
    from sepsiscope.service import audit
    from sepsiscope.service.auth import create_token
    from sepsiscope.service.db.engine import make_engine, migrate, session_factory

    settings = _settings(data_dir=data_dir, database_url=database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        with session_factory(engine).begin() as session:
            row, token = create_token(session, role, name)
            audit.append(
                session, "cli:token-create", "token.created", f"token/{row.id}", {"name": row.name, "role": role}
            )
    except SepsiscopeError as e:
        raise fail(str(e), exit_code(e)) from None
    finally:
        engine.dispose()
    err.print(f"token {row.name!r} (role {role}) created; it is shown once:", highlight=False)
    typer.echo(token)


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Check the audit chain: exit 0 when intact, 1 naming the first broken entry."""
    from sepsiscope.service import audit
    from sepsiscope.service.db.engine import make_engine, migrate, session_factory

    settings = _settings(data_dir=data_dir, database_url=database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        with session_factory(engine)() as session:
            result = audit.verify(session)
    finally:
        engine.dispose()
    if not result.ok:
        raise fail(f"audit chain broken at entry {result.broken_seq}: {result.reason} "
                   f"({result.checked} entries before it are intact)", 1)  # fmt: skip
    typer.echo(f"audit chain intact: {result.checked} entries")


def register(app: typer.Typer) -> None:
    """Add serve, token, audit to ``app``, in this order."""
    app.command()(serve)
    app.add_typer(token_app, name="token")
    app.add_typer(audit_app, name="audit")
