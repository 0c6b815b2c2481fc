"""``sepsiscope demo``: the live ward (service + dashboard + replayed synthetic ward), or ``--table``."""

from __future__ import annotations

import signal
import webbrowser
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sepsiscope.cli.shared import err, exit_code, fail
from sepsiscope.errors import SepsiscopeError


def demo(
    patients: Annotated[int, typer.Option(min=1, help="Patients on the synthetic ward.")] = 16,
    hours: Annotated[int, typer.Option(min=1, help="Ward hours to replay (with --table: hours per patient).")] = 36,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same ward).")] = 7,
    speed: Annotated[float, typer.Option(min=0.001, help="Ward hours per second (0.5: a ward hour every 2 s).")] = 0.5,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open the dashboard in a browser.")] = False,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Keep the database in this folder (default: a temporary one).")
    ] = None,
    table: Annotated[
        bool, typer.Option("--table", help="Print the scored, ranked ward table instead (no server).")
    ] = False,
) -> None:
    """Run a live synthetic ward: the monitoring service, fed hour by hour, with its dashboard.

    Starts the service on SQLite in a fresh temporary folder, makes tokens, serves on
    HOST:PORT and replays the seeded synthetic ward through the real API, SPEED ward hours
    per second. Prints `dashboard: URL` and `nurse token: TOKEN` (sign in with it). Runs until
    Ctrl-C. With --table, prints the ward's ranked score table instead. Synthetic patients;
    sepsiscope supports, never replaces, clinical judgement.
    """
    if table:
        from sepsiscope.demo import run_demo

        Console().print(run_demo(patients=patients, hours=hours, seed=seed))
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sepsiscope.demo.live import LiveOptions, replay_ward, start_live

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the demo as cleanly as Ctrl-C does

    for signum in (signal.SIGINT, signal.SIGTERM):  # even where a parent shell ignored SIGINT
        signal.signal(signum, interrupt)
    try:
        options = LiveOptions(patients, hours, seed, speed, host, port, data_dir)
        ward, plan = start_live(options)
    except SepsiscopeError as e:
        raise fail(str(e), exit_code(e)) from None
    try:
        typer.echo(f"dashboard: {ward.dashboard}")
        typer.echo(f"nurse token: {ward.tokens['nurse']}")
        err.print(
            f"sepsiscope demo: {patients} synthetic patients, {hours} ward hours at {speed:g} ward h/s, "
            f"data in {ward.data_dir}{' (removed on exit)' if ward.remove_data_dir else ''}. "
            f"API {ward.url}/api/v1; admin token: {ward.tokens['admin']}. Ctrl-C to stop. "
            "Synthetic patients; supports, never replaces, clinical judgement.",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
        if not no_browser:
            webbrowser.open(ward.dashboard)
        columns = (TextColumn("ward replay"), BarColumn(), MofNCompleteColumn(), TextColumn("observations"),
                   TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("replay", total=plan.observations)
            result = replay_ward(ward, plan, lambda done, total: bar.update(task, completed=done))
        err.print(f"ward replay complete: {result.accepted} observations stored; the ward clock has stopped and the "
                  "dashboard keeps the final picture. Ctrl-C to stop.", highlight=False)  # fmt: skip
        ward.thread.join()
    except KeyboardInterrupt:
        err.print("stopping…", highlight=False)
    except SepsiscopeError as e:
        raise fail(str(e), exit_code(e)) from None
    finally:
        ward.stop()


def register(app: typer.Typer) -> None:
    """Add demo to ``app``, in this order."""
    app.command()(demo)
