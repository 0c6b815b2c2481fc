"""Commands of the monitoring service: ``serve``, ``token create``, ``audit verify``, ``replay``."""

from __future__ import annotations

from datetime import datetime
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
    oidc_issuer: Annotated[
        str | None, typer.Option("--oidc-issuer", help="Also accept JWTs of this OpenID Connect issuer (URL).")
    ] = None,
    oidc_audience: Annotated[
        str | None, typer.Option("--oidc-audience", help="The audience those JWTs must carry (with --oidc-issuer).")
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url", help="Base URL EHRs call (the CDS Hooks token audience) [default: http://HOST:PORT]."
        ),
    ] = None,
) -> None:
    """Start the web app: the monitoring API under /api/v1, FHIR R4 in under /fhir, CDS Hooks under
    /cds-services, the symptom checker at /check and /learn.

    The database is migrated on start. The access log is off; nothing a person enters in the
    symptom checker is stored, logged or put in a cookie. See docs/service.md.
    """
    import uvicorn

    from sepsiscope.app import create_app
    from sepsiscope.service.context import start

    settings = _settings(data_dir=data_dir, database_url=database_url, alert_rules=alert_rules, model_dir=model,
                         host=host, port=port, oidc_issuer=oidc_issuer, oidc_audience=oidc_audience,
                         public_url=public_url)  # fmt: skip
    try:
        ctx = start(settings)
        app = create_app(ctx)  # a bad EHR/OIDC setting stops here, with its message
    except SepsiscopeError as e:
        raise fail(str(e), exit_code(e)) from None
    base = f"http://{settings.host}:{settings.port}"
    err.print(f"sepsiscope: serving on {base} — API {base}/api/v1 (OpenAPI {base}/openapi.json), "
              f"checker {base}/check; database {ctx.engine.url.render_as_string(hide_password=True)} "
              "(Ctrl+C to stop)", highlight=False, soft_wrap=True)  # fmt: skip
    uvicorn.run(
        app, host=settings.host, port=settings.port, access_log=False, log_level="warning",
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
    from sepsiscope.service.db.engine import make_engine, migrate, session_factory

    settings = _settings(data_dir=data_dir, database_url=database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        with session_factory(engine).begin() as session:
            row, token = audit.issue_token(session, role, name, "cli:token-create")
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


def replay(
    source: Annotated[
        str, typer.Argument(metavar="INPUT", help="PhysioNet 2019 folder or .zip of .psv files, or the word synthetic.")
    ],
    to: Annotated[str, typer.Option("--to", help="Base URL of the running service, e.g. http://127.0.0.1:8000.")],
    token: Annotated[str, typer.Option("--token", envvar="SEPSISCOPE_TOKEN", help="Bearer token of role integration.")],
    speed: Annotated[
        float | None,
        typer.Option("--speed", help="Ward hours per second, hour by hour for every patient (default: unpaced)."),
    ] = None,
    clients: Annotated[int, typer.Option("--clients", min=1, help="Concurrent HTTP clients.")] = 4,
    patients: Annotated[
        int | None, typer.Option("--patients", min=1, help="Patients to send (synthetic default 16; else all).")
    ] = None,
    hours: Annotated[
        int | None, typer.Option("--hours", min=1, help="Ward hours to send (synthetic default 36; else all).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic ward.")] = 7,
    base: Annotated[
        datetime | None,
        typer.Option(
            "--base",
            metavar="ISO-TIME",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"],
            help="Time of ward hour 0, with offset (default: now minus the hours sent, on the hour). "
            "A rerun with the same base is a no-op.",
        ),
    ] = None,
) -> None:
    """Replay PhysioNet files or the synthetic ward into a running service, one batch per patient-hour.

    Each patient is created with PUT /api/v1/patients/{id}; each of its hours is one
    POST /api/v1/observations batch with ids {patient}-{hour}-{variable}, so a rerun with the
    same --base is counted as duplicates. Prints observations/s and request latency at the end.
    See docs/service.md.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sepsiscope.service import replay as rp

    try:
        if source == "synthetic":
            plan = rp.synthetic_plan(patients or 16, hours or 36, seed=seed, base=base)
        else:
            if not Path(source).exists():
                raise fail(f"{source}: no such file or folder", 2, hint="give a PhysioNet folder or .zip, or synthetic")
            plan = rp.physionet_plan(source, patients=patients, base=base, hours=hours)
        err.print(f"replaying {len(plan.patients)} patients, {plan.observations} observations to {to} "
                  f"(base {plan.base.isoformat()}, {clients} clients, "
                  f"{'unpaced' if speed is None else f'{speed:g} ward hours/s'})", highlight=False)  # fmt: skip
        with Progress(TextColumn("observations"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err) as bars:  # fmt: skip
            task = bars.add_task("observations", total=plan.observations)
            result = rp.replay(plan, to, token, clients=clients, speed=speed,
                               progress=lambda done, _total: bars.update(task, completed=done))  # fmt: skip
    except SepsiscopeError as e:
        raise fail(str(e), exit_code(e)) from None
    typer.echo(f"observations sent {result.observations_sent}: accepted {result.accepted}, duplicates "
               f"{result.duplicates}; {result.requests} batches, {result.patient_requests} patients")  # fmt: skip
    typer.echo(f"wall time {result.wall_s:.1f} s, {result.obs_per_s:.0f} observations/s; request latency "
               f"p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, p99 {result.p99_ms:.0f} ms")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add serve, token, audit, replay to ``app``, in this order."""
    app.command()(serve)
    app.add_typer(token_app, name="token")
    app.add_typer(audit_app, name="audit")
    app.command()(replay)
