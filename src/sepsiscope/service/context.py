"""The running service's shared parts: settings, database, model and alert rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sepsiscope.model.artifact import ModelArtifact, load_default
from sepsiscope.service.alert_rules import Rule, load_rules
from sepsiscope.service.db.engine import make_engine, migrate, session_factory
from sepsiscope.service.settings import Settings


@dataclass(frozen=True)
class ServiceContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    artifact: ModelArtifact
    rules: tuple[Rule, ...]


def start(settings: Settings) -> ServiceContext:
    """Open (and migrate) the database, load the model and the alert rules; fail early."""
    rules = load_rules(settings.alert_rules)
    if settings.model_dir is not None:
        artifact = ModelArtifact.load(settings.model_dir)
    else:
        artifact = load_default()
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    return ServiceContext(settings, engine, session_factory(engine), artifact, rules)
