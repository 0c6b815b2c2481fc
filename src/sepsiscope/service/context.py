"""The running service's shared parts: settings, database, model and alert rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sepsiscope.model.artifact import ModelArtifact, load_default
from sepsiscope.service import audit
from sepsiscope.service.alert_rules import Rule, load_rules
from sepsiscope.service.db.engine import make_engine, migrate, reader_factory, session_factory
from sepsiscope.service.refusals import RefusalLog
from sepsiscope.service.scorer import Scorer
from sepsiscope.service.settings import Settings
from sepsiscope.service.writer import GroupWriter


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext:
    """What every request shares. ``clock`` is the ward's "now" (stale data, snoozes, alert
    times): the wall clock, except in ``sepsiscope demo``, whose accelerated ward runs on a
    simulated clock so that the replayed hours are "now" as they arrive.

    ``writer`` commits the data writes of concurrent requests together (``writer.py``).
    ``readers`` are sessions that never write (on SQLite they do not queue behind writers).
    ``scorer`` brings timelines and alerts up to date after writes (``scorer.py``); the app
    starts and stops its thread, and :meth:`settle` waits for it."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    artifact: ModelArtifact
    rules: tuple[Rule, ...]
    clock: Callable[[], datetime] = field(default=utc_now)
    scorer: Scorer = field(init=False)
    readers: sessionmaker[Session] = field(init=False)
    writer: GroupWriter = field(init=False)
    refusals: RefusalLog = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "writer", GroupWriter(self.sessions, first=audit.lock_head))
        object.__setattr__(self, "readers", reader_factory(self.engine))
        object.__setattr__(self, "refusals", RefusalLog())
        object.__setattr__(self, "scorer", Scorer(self.engine, self.sessions, self.artifact, self.rules, self.clock))

    def settle(self, timeout_s: float = 60.0) -> None:
        """Return once every write so far is scored (timelines and alerts up to date)."""
        self.scorer.settle(timeout_s)


def start(settings: Settings, clock: Callable[[], datetime] = utc_now) -> ServiceContext:
    """Open (and migrate) the database, load the model and the alert rules; fail early."""
    rules = load_rules(settings.alert_rules)
    if settings.model_dir is not None:
        artifact = ModelArtifact.load(settings.model_dir)
    else:
        artifact = load_default()
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    return ServiceContext(settings, engine, session_factory(engine), artifact, rules, clock)
