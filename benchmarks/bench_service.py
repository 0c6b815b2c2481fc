"""Throughput of the monitoring service: replay PhysioNet set A through the API (issue 10 target).

Starts the server as a subprocess on a fresh SQLite folder (and, when
``SEPSISCOPE_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL schema, dropped afterwards):
``--workers 1`` runs ``sepsiscope serve``, more run ``uvicorn --factory sepsiscope.asgi:create
--workers N`` (docs/service.md, "Performance"). Makes tokens with the real CLI, then replays
the first ``--patients`` patients of set A with ``--clients`` unpaced clients, each
patient-hour one batch. Writes reply once committed; the scorer scores in the background,
so a probe measures the scoring lag meanwhile: one small write every 0.25 s to a probe
patient, then its timeline polled until the hour appears.

Prints sustained observations/s, request latency p50/p95/p99, the scoring lag p50/p99, the
CPU seconds of the server processes (from /proc: the parent and its workers) per batch and
per observation, and the load average at the start (the machine may be shared).

Target (issue 10): >= 2,000 observations/s with p99 <= 100 ms on a 2-core machine.

Run: .venv/bin/python benchmarks/bench_service.py [--patients 1000] [--clients 4] [--workers 1]
     [--max-seconds S] [--py-spy OUT.svg|OUT.json|OUT.txt]   (py-spy flame graph, speedscope or
     collapsed stacks of the server while it runs; BENCH_PYSPY_GIL=1 samples only the thread
     holding the GIL; py-spy is not a project dependency)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

from sepsiscope.service.db.models import PatientHour
from sepsiscope.service.replay import ReplayError, ReplayPlan, ReplayResult, physionet_plan, replay

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"
PG_ENV = "SEPSISCOPE_TEST_POSTGRES_URL"
PROBE_EVERY_S = 0.25
PROBE_POLL_S = 0.005
PROBE_T0 = datetime(2026, 1, 1, tzinfo=UTC)
TARGET_OBS_PER_S = 2000
TARGET_P99_MS = 100


def _stat(pid: int) -> list[str]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; fields[0] is field 3 (state)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its child processes (uvicorn workers), all
    threads, from /proc/PID/stat (fields 14 and 15 of proc(5); field 4 is the parent)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat(int(entry.name))
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _db_args(data_dir: Path, database_url: str | None) -> list[str]:
    return ["--data-dir", str(data_dir)] + (["--database-url", database_url] if database_url else [])


def _command(port: int, data_dir: Path, database_url: str | None, workers: int) -> tuple[list[str], dict[str, str]]:
    """``sepsiscope serve`` for one worker; uvicorn with the app factory for several (docs/service.md)."""
    if workers == 1:
        return [sys.executable, "-m", "sepsiscope", "serve", "--port", str(port),
                *_db_args(data_dir, database_url)], dict(os.environ)  # fmt: skip
    env = {**os.environ, "SEPSISCOPE_DATA_DIR": str(data_dir)}
    if database_url:
        env["SEPSISCOPE_DATABASE_URL"] = database_url
    return [sys.executable, "-m", "uvicorn", "--factory", "sepsiscope.asgi:create", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning"], env  # fmt: skip


@contextmanager
def _server(
    data_dir: Path, database_url: str | None, workers: int
) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    port = _free_port()
    log = data_dir.parent / f"serve-{port}.log"
    command, env = _command(port, data_dir, database_url, workers)
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"sepsiscope serve did not come up:\n{log.read_text(errors='replace')}")
        time.sleep(0.3)
    try:
        yield url, process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _token(data_dir: Path, database_url: str | None, role: str = "integration") -> str:
    out = subprocess.run(
        [sys.executable, "-m", "sepsiscope", "token", "create", "--role", role, "--name", f"bench-{role}",
         *_db_args(data_dir, database_url)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def run_one(
    label: str, plan: ReplayPlan, database_url: str | None, args: argparse.Namespace
) -> tuple[ReplayResult, float, list[float]]:
    """Replay ``plan`` into a fresh server; return the result, the server's CPU seconds during
    it and the scoring lags the probe measured."""
    folder = Path(tempfile.mkdtemp(prefix="bench-service-"))
    try:
        data_dir = folder / "data"
        token = _token(data_dir, database_url)
        with _server(data_dir, database_url, args.workers) as (url, process, log):
            spy = None
            if args.py_spy:
                out = Path(args.py_spy).with_stem(f"{Path(args.py_spy).stem}-{label}")
                gil = ["--gil"] if os.environ.get("BENCH_PYSPY_GIL") else []
                spy = subprocess.Popen(
                    [shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record", "-p",
                     str(process.pid), "-o", str(out), "--rate", "50", "--nonblocking", *gil, "--format",
                     {".svg": "flamegraph", ".json": "speedscope"}.get(out.suffix, "raw")],
                    stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                )  # fmt: skip
            cpu0 = _cpu_seconds(process.pid)
            with scoring_probe(url, token, database_url or f"sqlite:///{data_dir / 'sepsiscope.db'}") as lags:
                try:
                    result = replay(plan, url, token, clients=args.clients, time_limit_s=args.max_seconds)
                except ReplayError:
                    print(f"server log:\n{log.read_text(errors='replace')[-6000:]}", file=sys.stderr)
                    raise
            cpu = _cpu_seconds(process.pid) - cpu0
            if spy is not None:
                spy.send_signal(2)  # SIGINT: py-spy writes the profile and exits
                spy.wait(timeout=60)
                print(f"  py-spy profile of the server: {out}")
        return result, cpu, lags
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _call(url: str, method: str, path: str, token: str, body: object = None) -> tuple[int, object]:
    request = urllib.request.Request(
        f"{url}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, json.loads(reply.read())


@contextmanager
def scoring_probe(url: str, writer: str, database_url: str) -> Iterator[list[float]]:
    """Measure the scoring lag while the replay runs: every ``PROBE_EVERY_S`` a probe patient
    gets one patient-hour of vitals through the API (a write like the replay's), then the
    probe watches the database until that hour's timeline row (``patient_hours``, what
    ``GET /patients/{id}/timeline`` returns) is there. Lag = from the write's 2xx to the first
    look that finds it (looks every ``PROBE_POLL_S``). It reads the database directly, with
    plain reads, so that watching adds no API request (each of which writes an audit entry)."""
    lags: list[float] = []
    stop = threading.Event()
    engine = create_engine(database_url)

    def scored(pid: str, hour: datetime) -> bool:
        with engine.connect() as conn:
            found = conn.execute(select(PatientHour.hour_start).where(PatientHour.patient_id == pid,
                                                                      PatientHour.hour_start == hour))  # fmt: skip
            return found.first() is not None

    def run() -> None:
        k = 0
        while not stop.is_set():
            pid = f"probe-{k // 48}"  # a new probe patient every 48 hours, so its history stays short
            if k % 48 == 0:
                _call(url, "PUT", f"/api/v1/patients/{pid}", writer, {"age_years": 60})
            hour = PROBE_T0 + timedelta(hours=k % 48)
            batch = [{"patient_id": pid, "time": (hour + timedelta(minutes=5)).isoformat(), "variable": v, "value": x}
                     for v, x in (("heart_rate", 88), ("resp_rate", 18), ("spo2", 96), ("sbp", 120))]  # fmt: skip
            _call(url, "POST", "/api/v1/observations", writer, {"observations": batch})
            acked = time.perf_counter()
            while not stop.is_set():
                if scored(pid, hour):
                    lags.append(time.perf_counter() - acked)
                    break
                time.sleep(PROBE_POLL_S)
            k += 1
            stop.wait(PROBE_EVERY_S)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield lags
    finally:
        stop.set()
        thread.join(60)
        engine.dispose()


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(label: str, result: ReplayResult, cpu_s: float, lags: list[float]) -> None:
    """Print one database's figures, against the target."""
    done = "all" if result.complete else f"time limit reached after {result.observations_sent}"
    print(f"{label}: {result.observations_sent} observations ({done}) in {result.requests} batches, "
          f"{result.patient_requests} patients, {result.wall_s:.1f} s wall")  # fmt: skip
    print(f"  sustained {result.obs_per_s:,.0f} observations/s (target >= {TARGET_OBS_PER_S:,}), "
          f"{result.requests / result.wall_s:.1f} batches/s")  # fmt: skip
    print(f"  request latency p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, p99 {result.p99_ms:.0f} ms "
          f"(target p99 <= {TARGET_P99_MS} ms)")  # fmt: skip
    per = 1000 * cpu_s / result.requests if result.requests else float("nan")
    per_obs = 1e6 * cpu_s / result.observations_sent if result.observations_sent else float("nan")
    print(f"  server CPU {cpu_s:.1f} s ({cpu_s / result.wall_s:.2f} cores busy, {per:.1f} ms CPU per batch, "
          f"{per_obs:.0f} µs CPU per observation)")  # fmt: skip
    print(f"  scoring lag (write 2xx -> timeline shows the hour; {len(lags)} probes): "
          f"p50 {1000 * _quantile(lags, 0.5):.0f} ms, p99 {1000 * _quantile(lags, 0.99):.0f} ms, "
          f"max {1000 * max(lags, default=float('nan')):.0f} ms")  # fmt: skip
    print(f"  accepted {result.accepted}, duplicates {result.duplicates}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="server processes (1: sepsiscope serve)")
    parser.add_argument("--max-seconds", type=float, default=None, help="stop each replay after this long")
    parser.add_argument("--py-spy", default=None, help="write a py-spy flame graph of the server (OUT.svg)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not SET_A.exists():
        sys.exit(f"set A not found at {SET_A}")
    plan = physionet_plan(SET_A, patients=args.patients)
    print(f"set A, first {len(plan.patients)} patients: {plan.observations} observations in patient-hour batches; "
          f"{args.clients} clients, unpaced; server {args.workers} worker process(es); {os.cpu_count()} CPUs; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    if not args.skip_sqlite:
        report("SQLite", *run_one("sqlite", plan, None, args))
    base = os.environ.get(PG_ENV)
    if not base:
        print(f"PostgreSQL: skipped ({PG_ENV} is not set)")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in base else "?"
        report("PostgreSQL", *run_one("postgresql", plan, f"{base}{sep}options=-csearch_path%3D{schema}", args))
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
