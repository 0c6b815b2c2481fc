"""The live ward of ``sepsiscope demo``: the real monitoring service, fed as a ward would feed it.

What runs, in one process:

1. the monitoring service (``sepsiscope.service``) on SQLite in a fresh temporary data folder
   (migrations applied), with three tokens made for the run: ``integration`` (the feed),
   ``nurse`` (printed, to sign in to the dashboard) and ``admin``;
2. the whole web app (``sepsiscope.app``: ward dashboard, API, symptom checker) served by
   uvicorn on ``host:port`` in a background thread;
3. the seeded synthetic ward (``sepsiscope.synth``) and the care its septic patients get
   (cultures, antibiotics, fluids, vasopressors: ``synth.ward_events``) replayed through the
   real ingest API by the replay client (``sepsiscope.service.replay``), ward hour by ward
   hour, ``speed`` ward hours per wall-clock second.

The service runs on a :class:`WardClock`: ward time starts at ward hour 0 when the replay
starts and advances ``speed`` ward hours per second, so each replayed hour is "now" when it
arrives and the dashboard's "time since last vitals" and stale marks mean what they mean on
a real ward. When the replay ends the clock stops, and the service keeps serving the final
picture until it is stopped.

Synthetic patients only. sepsiscope supports, and never replaces, clinical judgement; it is
not a medical device.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sepsiscope.errors import UsageError

if TYPE_CHECKING:
    import uvicorn
    from sqlalchemy import Engine

    from sepsiscope.service.replay import ReplayPlan, ReplayResult

#: Roles the demo makes a token for, with the name each shows in the audit trail.
TOKENS = {"integration": "demo feed", "nurse": "demo nurse", "admin": "demo admin"}
#: How long the server may take to start listening.
START_TIMEOUT_S = 60.0
HOUR = timedelta(hours=1)


class WardClock:
    """Ward time: ``origin`` until started, then ``speed`` ward hours per wall-clock second.

    Thread-safe; :meth:`freeze` stops it (the replay has ended: the picture stays as it is).
    """

    def __init__(self, origin: datetime, speed: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        if origin.tzinfo is None:
            raise ValueError("the ward clock needs an origin with a UTC offset")
        if not speed > 0:
            raise UsageError(f"speed must be positive (ward hours per second), got {speed}")
        self.origin, self.speed = origin, speed
        self._monotonic = monotonic
        self._started: float | None = None
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            self._started = self._monotonic()

    def freeze(self) -> None:
        with self._lock:
            self._frozen = self._now()

    def _now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        if self._started is None:
            return self.origin
        return self.origin + (self._monotonic() - self._started) * self.speed * HOUR

    def __call__(self) -> datetime:
        with self._lock:
            return self._now()


@dataclass(frozen=True)
class LiveOptions:
    """What ``sepsiscope demo`` was asked for."""

    patients: int = 16
    hours: int = 36
    seed: int = 7
    speed: float = 0.5
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.patients < 1:
            raise UsageError(f"patients must be at least 1, got {self.patients}")
        if self.hours < 1:
            raise UsageError(f"hours must be at least 1, got {self.hours}")
        if not self.speed > 0:
            raise UsageError(f"speed must be positive (ward hours per second), got {self.speed}")


@dataclass
class LiveWard:
    """A running live ward: the URL, the tokens and what :meth:`stop` must stop."""

    url: str
    tokens: dict[str, str]
    data_dir: Path
    remove_data_dir: bool
    clock: WardClock
    server: uvicorn.Server
    thread: threading.Thread
    engine: Engine
    stopped: bool = field(default=False)

    @property
    def dashboard(self) -> str:
        return f"{self.url}/ward"

    def stop(self) -> None:
        """Stop serving, close the database and remove the temporary data folder."""
        if self.stopped:
            return
        self.stopped = True
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.engine.dispose()
        if self.remove_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise UsageError(f"cannot listen on {host}:{port} ({e.strerror}); choose another with --port") from None


def ward_origin(now: datetime | None = None) -> datetime:
    """Ward hour 0: the current wall-clock hour, in UTC."""
    return (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def start_live(options: LiveOptions) -> tuple[LiveWard, ReplayPlan]:
    """Start the service and the server; return the running ward and the replay plan.

    Raises :class:`UsageError` when the port is taken or the server does not come up.
    """
    import uvicorn

    from sepsiscope.app import create_app
    from sepsiscope.service import audit
    from sepsiscope.service.context import start
    from sepsiscope.service.replay import synthetic_plan
    from sepsiscope.service.settings import Settings

    _check_port(options.host, options.port)
    origin = ward_origin()
    plan = synthetic_plan(options.patients, options.hours, seed=options.seed, base=origin, care_events=True)
    clock = WardClock(origin + plan.hour_span[0] * HOUR, options.speed)
    remove = options.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="sepsiscope-demo-")) if options.data_dir is None else options.data_dir
    settings = Settings.model_validate(
        {"data_dir": data_dir, "database_url": None, "host": options.host, "port": options.port}
    )
    ctx = start(settings, clock=clock)
    tokens: dict[str, str] = {}
    with ctx.sessions.begin() as session:
        for role, name in TOKENS.items():
            tokens[role] = audit.issue_token(session, role, name, "demo")[1]
    config = uvicorn.Config(
        create_app(ctx), host=options.host, port=options.port, access_log=False, log_level="warning",
        server_header=False, timeout_graceful_shutdown=5,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sepsiscope-demo-server", daemon=True)
    url = f"http://{options.host}:{options.port}"
    ward = LiveWard(url, tokens, data_dir, remove, clock, server, thread, ctx.engine)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            ward.stop()
            raise UsageError(f"the server did not start on {options.host}:{options.port}")
        time.sleep(0.05)
    return ward, plan


def replay_ward(ward: LiveWard, plan: ReplayPlan, progress: Callable[[int, int], None] | None = None) -> ReplayResult:
    """Replay the synthetic ward through the API on the ward clock; freeze the clock at the end.

    Returns the replay client's result (observations sent, latency). Interrupting it (Ctrl-C)
    stops the clients; the caller stops the ward.
    """
    from sepsiscope.service.replay import replay

    clients = max(1, min(4, len(plan.patients)))
    ward.clock.start()
    try:
        return replay(plan, ward.url, ward.tokens["integration"], clients=clients, speed=ward.clock.speed,
                      progress=progress)  # fmt: skip
    finally:
        ward.clock.freeze()
