"""The monitoring service (L4): live observations in, the same scores and risk out.

Parts, one concept per module:

* ``settings`` — the one validated :class:`Settings` object (pydantic-settings);
* ``db/`` — SQLAlchemy 2 models, engine set-up (SQLite WAL or PostgreSQL), Alembic migrations;
* ``auth`` — bearer tokens (stored as hashes) and roles;
* ``audit`` — the append-only, hash-chained audit trail;
* ``ingest`` — validation of observation and event batches into canonical rows;
* ``hourly`` — one patient's stored observations as the cohort engine's hourly table;
* ``snapshot`` — what ``GET /patients/{id}`` shows: values in force, calculator objects, risk;
* ``alert_rules`` / ``alerts`` — alert rules as data, and the alert lifecycle;
* ``monitor`` — after a write: recompute the patient's timeline and evaluate the rules;
* ``api/`` — the FastAPI routes under ``/api/v1`` with one error shape;
* ``replay`` — the HTTP client that replays a PhysioNet folder or the synthetic ward.

No clinical number lives here: scores come from ``sepsiscope.scores`` via the calculator
contract and the cohort engine; risk from ``sepsiscope.model``.
"""
