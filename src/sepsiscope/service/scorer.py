"""The scorer: a background thread that brings queued patients' timelines and alerts up to date.

A write stores its data and queues the patients it touched (``pending.mark``) in one short
transaction, and replies. The scorer loops: it claims the queued patients (the longest
waiting first, up to ``batch``), reads their observations, scores them all together
(``monitor.assess``: one cohort-engine and one model pass over the stacked tables), then in
one transaction rewrites each patient's timeline from its earliest changed hour, applies the
alert rules and drops the claims. Writes that arrive while it scores queue the patient again,
and the next round picks them up; while writes keep coming, rounds run back to back, each
taking everything that queued during the one before.

Exactly one scorer works on a database at a time: it holds a lease, an exclusive ``flock``
on ``DB.scorer.lock`` next to a SQLite file, or a PostgreSQL session advisory lock keyed
by the schema. A second process (another ``uvicorn`` worker) keeps its scorer idle until
the lease is free. The queue is durable, so after a ``kill -9`` the next scorer finishes
what the dead one had claimed or not yet seen.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Connection, Engine, text, update
from sqlalchemy.orm import Session, sessionmaker

from sepsiscope.model.artifact import ModelArtifact
from sepsiscope.service import audit, monitor, pending
from sepsiscope.service.alert_rules import Rule
from sepsiscope.service.db.models import PendingScore

log = logging.getLogger("sepsiscope.scorer")
#: Most patients scored in one round; the rest wait for the next.
BATCH = 256
#: How long an idle scorer sleeps before it looks at the queue again (a write wakes it sooner).
IDLE_S = 0.25
#: Shortest time from one round's start to the next while writes keep coming. Waiting lets
#: the writes of that time gather into one round (one pass over their patients instead of one
#: per write), which bounds the scorer's share of the CPU; the lag stays well under a second.
ROUND_S = 0.3


class _Lease:
    """The right to score this database (one holder across processes)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: IO[bytes] | None = None
        self._conn: Connection | None = None
        self.held = False

    def acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "sqlite":
            self.held = self._flock()
        else:
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(hashtext('sepsiscope.scorer:' || current_schema()))"))
            conn.commit()
            if got.scalar():
                self._conn, self.held = conn, True
            else:
                conn.close()
        return self.held

    def _flock(self) -> bool:
        import fcntl

        database = self.engine.url.database
        if not database or database == ":memory:":
            return True
        handle = open(f"{database}.scorer.lock", "ab")  # noqa: SIM115 - held open while the lease lasts
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
        if self._conn is not None:  # end the database session (not back to the pool): that drops the lock
            self._conn.invalidate()
            self._conn.close()
        self._file, self._conn, self.held = None, None, False


class Scorer:
    """Scores queued patients in the background; :meth:`settle` waits until none is queued."""

    def __init__(
        self,
        engine: Engine,
        sessions: sessionmaker[Session],
        artifact: ModelArtifact,
        rules: tuple[Rule, ...],
        clock: Callable[[], datetime],
        batch: int = BATCH,
        round_s: float = ROUND_S,
    ) -> None:
        self.sessions, self.artifact, self.rules, self.clock, self.batch = sessions, artifact, rules, clock, batch
        self.round_s = round_s
        self._lease = _Lease(engine)
        self._round = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Seconds from a patient's queue row to its results committing, for the last patients scored.
        self.lags: deque[float] = deque(maxlen=10_000)
        self.rounds = 0

    def notify(self) -> None:
        """A write queued patients: look now rather than after the idle pause."""
        self._wake.set()

    def start(self) -> None:
        """Start the background thread (with the app)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sepsiscope-scorer", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the current round, stop the thread and give up the lease (with the app)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        with self._round:
            self._lease.release()

    def _loop(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                done = self.run_once()
            except Exception:  # keep scoring the others; the failed claims stay queued
                log.exception("scoring round failed")
                done = 0
                self._stop.wait(1.0)
            if done:
                self._stop.wait(max(0.0, began + self.round_s - time.monotonic()))
            else:
                self._wake.wait(IDLE_S)
                self._wake.clear()

    def run_once(self) -> int:
        """One round: claim, score and store up to ``batch`` queued patients; return how many."""
        with self._round:
            if not self._lease.acquire():
                return 0
            now = self.clock()
            with self.sessions.begin() as session:
                if pending.count(session) == 0:  # idle: no lock taken
                    return 0
                audit.lock_head(session)  # as every writer: the head first, then queue rows
                claims = pending.claim(session, self.batch)
                if not claims:
                    return 0
                patients, observations = monitor.load(session, [c.patient_id for c in claims])
            try:
                self._score(claims, patients, observations, now)
            except Exception:
                if len(claims) == 1:
                    self._postpone(claims[0])
                    raise
                for c in claims:  # find the one that fails; score the rest
                    try:
                        self._score([c], [p for p in patients if p.id == c.patient_id], observations, now)
                    except Exception:
                        log.exception("scoring patient %s failed; it stays queued", c.patient_id)
                        self._postpone(c)
            self.rounds += 1
            return len(claims)

    def _score(self, claims: list[pending.Claim], patients: list[Any], observations: Any, now: datetime) -> None:
        since = {c.patient_id: c.since for c in claims if any(p.id == c.patient_id for p in patients)}
        assessment = monitor.assess(patients, observations, self.artifact, now, since)
        with self.sessions.begin() as session:
            audit.lock_head(session)  # the head, then queue rows, then alerts: the order every writer keeps
            scored = set(pending.finish(session, claims))
            monitor.write(session, assessment, self.artifact, self.rules, now)
        done = time.time()
        self.lags.extend(done - c.marked_at.timestamp() for c in claims if c.patient_id in scored)

    def _postpone(self, claim: pending.Claim) -> None:
        """Send a patient whose scoring failed to the back of the queue (it keeps its hours)."""
        with self.sessions.begin() as session:
            audit.lock_head(session)
            session.execute(update(PendingScore).where(PendingScore.patient_id == claim.patient_id)
                            .values(marked_at=self.clock()))  # fmt: skip

    def settle(self, timeout_s: float = 60.0) -> None:
        """Score until no patient is queued (tests, ``sepsiscope`` tools); TimeoutError after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            if not self.run_once():
                with self.sessions() as session:
                    if pending.count(session) == 0:
                        return
                time.sleep(0.02)  # another process holds the lease, or a round failed
            if time.monotonic() > deadline:
                raise TimeoutError(f"patients still queued for scoring after {timeout_s:.0f} s")
