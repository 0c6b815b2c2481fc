"""Group commit: the data writes of concurrent requests share one transaction and one disk flush.

A commit waits for the disk (``synchronous=FULL`` on SQLite, ``fsync`` of the WAL on
PostgreSQL): about 4 ms on the reference machine, during which the database's write lock is
held, which alone would cap the service near 250 commits per second. So write requests hand
their work to one writer thread. It takes every request waiting, runs each in its own
SAVEPOINT (a request whose batch is refused rolls back alone, and gets its error), commits
once, and only then wakes the requests, which reply 2xx. "2xx means committed" holds; the
audit entries keep the order the writer ran the work in.

Each transaction starts with ``first`` (the service locks the audit chain's head), so on
PostgreSQL every writer takes its locks in one order: the head, then the queue rows, then
the rest; two groups (of two worker processes) can then never wait for each other in a cycle.

Without a running thread (a service used without its app, as in some tests), :meth:`run`
does the work in the caller's own transaction.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
#: Most requests committed together.
MAX_GROUP = 64


@dataclass
class _Job:
    work: Callable[[Session], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class GroupWriter:
    """Runs write work for many requests in shared transactions (see the module docstring)."""

    def __init__(
        self, sessions: sessionmaker[Session], first: Callable[[Session], object], max_group: int = MAX_GROUP
    ) -> None:
        self.sessions, self.first, self.max_group = sessions, first, max_group
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        #: Requests per commit, for the benchmark (the last ones).
        self.groups: list[int] = []

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sepsiscope-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Finish the work already handed in, then stop."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(30)
            self._thread = None

    def run(self, work: Callable[[Session], T]) -> T:
        """Do ``work`` in a transaction and return its result once that is committed; its error otherwise."""
        if self._thread is None:
            with self.sessions.begin() as session:
                self.first(session)
                return work(session)
        job = _Job(work)
        self._jobs.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[no-any-return]

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            group = [job]
            stop = False
            while len(group) < self.max_group:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                group.append(more)
            self._commit(group)
            if stop:
                return

    def _commit(self, group: list[_Job]) -> None:
        try:
            with self.sessions.begin() as session:
                self.first(session)
                for job in group:
                    savepoint = session.begin_nested()
                    try:
                        job.result = job.work(session)
                        savepoint.commit()
                    except Exception as e:  # this request's error; the others go on
                        savepoint.rollback()
                        job.error = e
        except Exception as e:  # the commit itself failed: nothing of the group is stored
            for job in group:
                job.error = job.error or e
        self.groups = [*self.groups[-999:], len(group)]
        for job in group:
            job.done.set()
