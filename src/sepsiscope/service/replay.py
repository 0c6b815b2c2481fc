"""Replay a PhysioNet 2019 folder/zip or the synthetic ward into a running service, over HTTP.

The client side of the monitoring API (docs/service.md), used by ``sepsiscope replay`` and
``benchmarks/bench_service.py``. :func:`physionet_plan` / :func:`synthetic_plan` turn the
canonical wide table (``sepsiscope.io`` readers, ``sepsiscope.synth.generate_ward``) into
one ``PUT /api/v1/patients/{id}`` body per patient and one ``POST /api/v1/observations``
batch per patient-hour; :func:`replay` sends them.

What goes where:

* ``age_years`` and ``sex`` go in the PUT body; ``unit_micu``/``unit_sicu`` become
  ``location.ward`` (``MICU``/``SICU``), the synthetic ward's ``bed`` becomes
  ``location.bed``; the ICU clock (``iculos_h``) becomes ``admitted_at`` = base + 1 h
  (``ICULOS`` 1 is the first ICU hour), from which the service derives the same ``iculos_h``.
* ``hosp_adm_time_h`` is skipped (the API has no field for it; the default model does not
  use it), as are the file's own ``hour`` and ``sepsis_label`` (a label, not a measurement).
* Every other non-null registry variable of a row is one observation at base + ``hour``
  hours, with id ``{patient}-{hour}-{variable}``: replaying the same input with the same
  base again stores nothing new and is counted as duplicates. A different base moves every
  time, and the service refuses such a reused id (409): rerun with the base printed first.

Each of ``clients`` threads has its own keep-alive :class:`http.client.HTTPConnection` and
takes whole patients, so one patient's hours arrive in order. Unpaced, every client sends
its patients' hours as fast as the server answers; paced (``speed`` ward hours per
second), ward hour *h* of every patient is sent before hour *h* + 1 starts. The first
non-2xx reply stops the replay with a :class:`ReplayError` naming patient, hour and the
server's error body.
"""

from __future__ import annotations

import http.client
import json
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polars as pl

from sepsiscope.errors import SepsiscopeError, UsageError
from sepsiscope.io import read_psv_batches
from sepsiscope.synth import generate_ward
from sepsiscope.synth.ward import MIN_HOURS
from sepsiscope.synth.ward_events import ward_care_events
from sepsiscope.variables.registry import REGISTRY

#: Registry columns that describe the patient or the stay, not a measurement (see the docstring).
PATIENT_RECORD = ("age_years", "age_days", "age_months", "sex", "unit_micu", "unit_sicu", "iculos_h", "hosp_adm_time_h")
HOUR = timedelta(hours=1)
#: ``progress(observations_done, observations_total)``, called after every batch (under a lock).
Progress = Callable[[int, int], None]


class ReplayError(SepsiscopeError):
    """The server refused a request or could not be reached: names patient, hour and reply."""


@dataclass(frozen=True)
class PatientReplay:
    """One patient: its PUT body and its hourly rows (observation columns only)."""

    patient_id: str
    body: dict[str, Any]
    rows: pl.DataFrame
    #: ``(ward hour, POST /events item)`` in time order, sent after that hour's observations.
    events: tuple[tuple[int, dict[str, Any]], ...] = ()

    @property
    def hours(self) -> list[int]:
        return [int(h) for h in self.rows.get_column("hour")]


@dataclass(frozen=True)
class ReplayPlan:
    """Everything to send, in order; ``observations`` counts the observations in all batches."""

    patients: tuple[PatientReplay, ...]
    base: datetime
    observations: int
    events: int = 0

    @property
    def hour_span(self) -> tuple[int, int]:
        """First and last ward hour of the plan ((0, -1) when it holds no rows)."""
        hours = [h for p in self.patients for h in (p.hours[:1] + p.hours[-1:])]
        return (min(hours), max(hours)) if hours else (0, -1)

    def batches(self, patient: PatientReplay) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """``(hour, observation items)`` of every non-empty hour of ``patient``, in hour order."""
        names = [c for c in patient.rows.columns if c != "hour"]
        for row in patient.rows.iter_rows(named=True):
            hour = int(row["hour"])
            at = (self.base + hour * HOUR).isoformat()
            items = [
                {"id": f"{patient.patient_id}-{hour}-{n}", "patient_id": patient.patient_id, "time": at,
                 "variable": n, "value": _json_value(n, row[n])}
                for n in names if row[n] is not None
            ]  # fmt: skip
            if items:
                yield hour, items


def _json_value(name: str, value: Any) -> Any:
    kind = REGISTRY[name].kind
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _observation_columns(table: pl.DataFrame) -> list[str]:
    return [c for c in table.columns if c in REGISTRY and c not in PATIENT_RECORD]


def _first(frame: pl.DataFrame, name: str) -> Any:
    if name not in frame.columns:
        return None
    values = frame.get_column(name).drop_nulls()
    return values[0] if len(values) else None


def _patient_body(frame: pl.DataFrame, base: datetime, bed: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"admitted_at": (base + HOUR).isoformat()}
    age = _first(frame, "age_years")
    if age is not None:
        body["age_years"] = float(age)
    sex = _first(frame, "sex")
    if sex is not None:
        body["sex"] = sex
    ward = "MICU" if _first(frame, "unit_micu") else "SICU" if _first(frame, "unit_sicu") else None
    location = {k: v for k, v in (("ward", ward), ("bed", bed)) if v is not None}
    if location:
        body["location"] = location
    return body


def plan_from_table(
    table: pl.DataFrame, *, base: datetime | None = None, hours: int | None = None, beds: dict[str, str] | None = None
) -> ReplayPlan:
    """The plan for a canonical wide table (``patient_id``, ``hour``, registry columns).

    ``hours`` keeps ward hours 1..``hours`` only. ``base`` defaults to now minus the last
    hour replayed, on the hour, so the latest data is recent. ``beds`` maps patient to bed.
    """
    if hours is not None:
        table = table.filter(pl.col("hour") <= hours)
    if table.height and table.get_column("hour").null_count():
        raise UsageError("the table has rows without an hour; replay needs the hour of every row")
    last = int(table.get_column("hour").max() or 0) if table.height else 0  # type: ignore[arg-type]
    if base is None:
        base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - last * HOUR
    elif base.tzinfo is None:
        raise UsageError(f"base {base.isoformat()} has no UTC offset; give one (e.g. 2026-01-01T00:00:00+00:00)")
    columns = _observation_columns(table)
    patients = []
    for (pid,), frame in table.group_by("patient_id", maintain_order=True):
        rows = frame.sort("hour").select("hour", *columns)
        patients.append(PatientReplay(str(pid), _patient_body(frame, base, (beds or {}).get(str(pid))), rows))
    total = sum(int(table.get_column(c).is_not_null().sum()) for c in columns)
    return ReplayPlan(tuple(patients), base, total)


#: Canonical event kind (``variables/events.toml``) → the API's event kind and the fields its
#: code, value and unit go in (the inverse of ``service.ingest``'s mapping).
_API_EVENT = {
    "antibiotic": ("antibiotic_given", "drug", None, None),
    "antibiotic_order": ("antibiotic_ordered", "drug", None, None),
    "culture": ("blood_culture_drawn", "specimen", None, None),
    "fluid": ("fluid_bolus", "fluid", "volume_ml", None),
    "vasopressor": ("vasopressor_started", "drug", "rate", "rate_unit"),
}


def with_events(plan: ReplayPlan, events: pl.DataFrame) -> ReplayPlan:
    """``plan`` with clinical events (canonical table, ``sepsiscope.io.events.EVENT_SCHEMA``) to send.

    Each event goes out with the observations of the ward hour after the one it falls in
    (when, on a paced ward, it has happened), with id
    ``{patient}-event-{n}``. Kinds the API does not take (measurements, encounters,
    documentation) are refused with :class:`UsageError`; a vasopressor's ``end`` becomes a
    ``vasopressor_stopped`` event.
    """
    by_patient: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row in events.sort("patient_id", "time", maintain_order=True).iter_rows(named=True):
        if row["kind"] not in _API_EVENT:
            raise UsageError(f"event kind {row['kind']!r} cannot be replayed; the API takes {', '.join(_API_EVENT)}")
        kind, code_field, value_field, unit_field = _API_EVENT[row["kind"]]
        pid = str(row["patient_id"])
        todo = by_patient.setdefault(pid, [])
        item: dict[str, Any] = {"patient_id": pid, "time": row["time"].isoformat(), "kind": kind,
                                code_field: row["code"]}  # fmt: skip
        if value_field is not None:
            item[value_field] = row["value"]
        if unit_field is not None:
            item[unit_field] = row["unit"]
        if row["route"] is not None and kind in ("antibiotic_given", "antibiotic_ordered"):
            item["route"] = row["route"]
        stops = [{"patient_id": pid, "time": row["end"].isoformat(), "kind": "vasopressor_stopped",
                  "drug": row["code"]}] if kind == "vasopressor_started" and row["end"] is not None else []  # fmt: skip
        for it in (item, *stops):
            it["id"] = f"{pid}-event-{len(todo)}"
            todo.append((math.floor((datetime.fromisoformat(it["time"]) - plan.base) / HOUR), it))
    unknown = sorted(set(by_patient) - {p.patient_id for p in plan.patients})
    if unknown:
        raise UsageError(f"events for patients the plan does not hold: {', '.join(unknown[:5])}")
    patients = tuple(
        PatientReplay(p.patient_id, p.body, p.rows, tuple(sorted(by_patient.get(p.patient_id, []), key=lambda e: e[0])))
        for p in plan.patients
    )
    return ReplayPlan(patients, plan.base, plan.observations, sum(len(v) for v in by_patient.values()))


def physionet_plan(
    path: str | Path, *, patients: int | None = None, base: datetime | None = None, hours: int | None = None
) -> ReplayPlan:
    """The plan for a PhysioNet 2019 folder or zip: its first ``patients`` files (all if None)."""
    tables: list[pl.DataFrame] = []
    count = 0
    with read_psv_batches(path) as batches:
        for table in batches:
            if patients is not None:
                ids = table.get_column("patient_id").unique(maintain_order=True)[: patients - count]
                table = table.filter(pl.col("patient_id").is_in(ids.to_list()))
            tables.append(table)
            count += table.get_column("patient_id").n_unique()
            if patients is not None and count >= patients:
                break
    if not tables:
        raise UsageError(f"{path}: no PhysioNet patient files found")
    return plan_from_table(pl.concat(tables, how="diagonal_relaxed"), base=base, hours=hours)


def synthetic_plan(
    patients: int, hours: int, *, seed: int = 0, base: datetime | None = None, care_events: bool = False
) -> ReplayPlan:
    """The plan for the seeded synthetic ward (``sepsiscope.synth.generate_ward``).

    With ``care_events``, the septic patients' cultures, antibiotics, fluids and vasopressors
    (``sepsiscope.synth.ward_events``) that fall within the hours sent go too.

    The generator draws at least ``MIN_HOURS`` (24) hours per stay; shorter replays send
    the first ``hours`` of those stays.
    """
    if hours < 1:
        raise UsageError(f"hours must be at least 1, got {hours}")
    try:
        ward = generate_ward(patients, max(hours, MIN_HOURS), seed=seed)
    except ValueError as e:
        raise UsageError(f"synthetic ward: {e}") from None
    beds = dict(zip(ward.truth.get_column("patient_id"), ward.truth.get_column("bed"), strict=True))
    plan = plan_from_table(ward.table, base=base, hours=hours, beds=beds)
    if not care_events:
        return plan
    events = ward_care_events(ward.truth, plan.base, seed=seed)
    return with_events(plan, events.filter(pl.col("time") < plan.base + (hours + 1) * HOUR))


@dataclass
class ReplayResult:
    """Counts and request latencies (seconds) of one replay."""

    observations_sent: int = 0
    events_sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    requests: int = 0
    patient_requests: int = 0
    wall_s: float = 0.0
    complete: bool = True
    latencies_s: list[float] = field(default_factory=list, repr=False)

    @property
    def obs_per_s(self) -> float:
        """Observations sent per wall-clock second."""
        return self.observations_sent / self.wall_s if self.wall_s > 0 else 0.0

    def latency_ms(self, q: float) -> float:
        """The ``q`` quantile (0-1, nearest rank) of the observation requests' latency, in ms."""
        if not self.latencies_s:
            return math.nan
        ordered = sorted(self.latencies_s)
        return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    @property
    def p50_ms(self) -> float:
        return self.latency_ms(0.50)

    @property
    def p95_ms(self) -> float:
        return self.latency_ms(0.95)

    @property
    def p99_ms(self) -> float:
        return self.latency_ms(0.99)


class _Client:
    """One keep-alive connection; reconnects once when an idle connection was closed."""

    def __init__(self, url: str, token: str, timeout_s: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--to {url!r}: give the service's base URL, e.g. http://127.0.0.1:8000")
        self.prefix = parts.path.rstrip("/") + "/api/v1"
        self.url = url
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.conn = kind(parts.hostname, parts.port, timeout=timeout_s)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(self, method: str, path: str, body: Any, what: str) -> tuple[dict[str, Any], float]:
        data = json.dumps(body).encode()
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request(method, self.prefix + path, data, self.headers)
                reply = self.conn.getresponse()
                text = reply.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                self.conn.close()
                if attempt == 1:
                    continue
                raise ReplayError(f"{what}: the server at {self.url} closed the connection ({e})") from None
            except OSError as e:
                self.conn.close()
                raise ReplayError(f"{what}: cannot reach the server at {self.url} ({e})") from None
            elapsed = time.perf_counter() - start
            if not 200 <= reply.status < 300:
                hint = " (a rerun must use the base of the first run)" if reply.status == 409 else ""
                raise ReplayError(f"{what}: the server answered {reply.status} {reply.reason}: "
                                  f"{text.decode(errors='replace')[:2000]}{hint}")  # fmt: skip
            return (json.loads(text) if text else {}), elapsed
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.conn.close()


class _Run:
    """Shared state of the client threads: result, progress and the first error."""

    def __init__(self, plan: ReplayPlan, progress: Progress | None, time_limit_s: float | None) -> None:
        self.plan, self.progress = plan, progress
        self.deadline = math.inf if time_limit_s is None else time.perf_counter() + time_limit_s
        self.result = ReplayResult()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def put(self, client: _Client, patient: PatientReplay) -> None:
        client.send("PUT", f"/patients/{patient.patient_id}", patient.body, f"patient {patient.patient_id}")
        with self.lock:
            self.result.patient_requests += 1

    def post(self, client: _Client, patient: PatientReplay, hour: int, items: list[dict[str, Any]]) -> None:
        reply, elapsed = client.send(
            "POST", "/observations", {"observations": items}, f"patient {patient.patient_id}, hour {hour}"
        )
        with self.lock:
            r = self.result
            r.observations_sent += len(items)
            r.accepted += int(reply.get("accepted", 0))
            r.duplicates += int(reply.get("duplicates", 0))
            r.requests += 1
            r.latencies_s.append(elapsed)
            if self.progress is not None:
                self.progress(r.observations_sent, self.plan.observations)

    def post_events(self, client: _Client, patient: PatientReplay, through: int | None, sent: int) -> int:
        """Send ``patient``'s events of hours up to ``through`` (all if None) not yet sent; new count sent."""
        due = [item for hour, item in patient.events[sent:] if through is None or hour <= through]
        if due and not self.halted():
            client.send("POST", "/events", {"events": due}, f"patient {patient.patient_id}, events of hour {through}")
            with self.lock:
                self.result.events_sent += len(due)
        return sent + len(due)

    def halted(self) -> bool:
        """Stop sending: an error elsewhere, or the time limit has passed (then not complete)."""
        if not self.stop.is_set() and time.perf_counter() > self.deadline:
            self.result.complete = False
            self.stop.set()
        return self.stop.is_set()

    def check_time(self) -> None:
        """The paced mode's barrier action: one decision to go on, taken for every client."""
        self.halted()

    def fail(self, e: BaseException) -> None:
        with self.lock:
            if self.error is None:
                self.error = e
        self.stop.set()


def _unpaced(run: _Run, client: _Client, todo: queue.SimpleQueue[PatientReplay]) -> None:
    while not run.halted():
        try:
            patient = todo.get_nowait()
        except queue.Empty:
            return
        run.put(client, patient)
        sent = 0
        for hour, items in run.plan.batches(patient):
            if run.halted():
                return
            run.post(client, patient, hour, items)
            sent = run.post_events(client, patient, hour - 1, sent)
        run.post_events(client, patient, None, sent)


def _paced(run: _Run, client: _Client, mine: Sequence[PatientReplay], speed: float, barrier: threading.Barrier) -> None:
    for patient in mine:
        run.put(client, patient)
    pending = [(p, run.plan.batches(p)) for p in mine]
    heads = [next(b, None) for _, b in pending]
    sent = [0] * len(pending)
    first, last = run.plan.hour_span
    start = time.perf_counter()
    for hour in range(first, last + 1):
        barrier.wait()  # its action (run.check_time) decides for every client at once
        if run.stop.is_set():
            return
        delay = start + (hour - first) / speed - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        for i, (patient, batches) in enumerate(pending):
            head = heads[i]
            if head is not None and head[0] == hour and not run.halted():
                run.post(client, patient, hour, head[1])
                heads[i] = next(batches, None)
            sent[i] = run.post_events(client, patient, hour - 1, sent[i])  # the past hour's: now in the past
    for i, (patient, _) in enumerate(pending):
        run.post_events(client, patient, None, sent[i])


def replay(
    plan: ReplayPlan,
    url: str,
    token: str,
    *,
    clients: int = 4,
    speed: float | None = None,
    progress: Progress | None = None,
    timeout_s: float = 60.0,
    time_limit_s: float | None = None,
) -> ReplayResult:
    """Send ``plan`` to the service at ``url`` with ``clients`` threads; see the module docstring.

    ``speed`` is ward hours per wall-clock second (None: as fast as possible). Raises
    :class:`ReplayError` on the first non-2xx reply or connection failure. ``time_limit_s``
    stops sending after that long (``complete`` is then False); ``timeout_s`` bounds one request.
    """
    if clients < 1:
        raise UsageError(f"clients must be at least 1, got {clients}")
    if speed is not None and not speed > 0:
        raise UsageError(f"speed must be positive (ward hours per second), got {speed}")
    run = _Run(plan, progress, time_limit_s)
    conns = [_Client(url, token, timeout_s) for _ in range(clients)]
    todo: queue.SimpleQueue[PatientReplay] = queue.SimpleQueue()
    for p in plan.patients:
        todo.put(p)
    barrier = threading.Barrier(clients, action=run.check_time)

    def work(i: int) -> None:
        try:
            if speed is None:
                _unpaced(run, conns[i], todo)
            else:
                _paced(run, conns[i], plan.patients[i::clients], speed, barrier)
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            run.fail(e)
            barrier.abort()
        finally:
            conns[i].close()

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(i,), name=f"replay-{i}", daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        run.stop.set()
        barrier.abort()
        raise
    run.result.wall_s = time.perf_counter() - start
    if run.error is not None:
        if isinstance(run.error, threading.BrokenBarrierError):  # pragma: no cover - only after another error
            raise ReplayError("a replay client stopped") from run.error
        raise run.error
    return run.result
