"""Throughput of the monitoring service: replay PhysioNet set A through the API (issue 10 target).

Starts ``sepsiscope serve`` as a subprocess on a fresh SQLite folder (and, when
``SEPSISCOPE_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL schema, dropped afterwards),
makes an integration token with the real CLI, then replays the first ``--patients`` patients
of set A with ``--clients`` unpaced clients, each patient-hour one batch, scoring and risk
included (the service rescores inside every write). Prints sustained observations/s,
request latency p50/p95/p99 and the CPU seconds of the server process (from /proc/PID/stat).

Target (issue 10): >= 2,000 observations/s with p99 <= 100 ms on a 2-core machine.

Run: nice -n 5 .venv/bin/python benchmarks/bench_service.py [--patients 1000] [--clients 4]
     [--max-seconds S] [--py-spy OUT.svg|OUT.json|OUT.txt]   (py-spy flame graph, speedscope or
     collapsed stacks of the server while it runs; py-spy is not a project dependency)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from sepsiscope.service.replay import ReplayPlan, ReplayResult, physionet_plan, replay

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"
PG_ENV = "SEPSISCOPE_TEST_POSTGRES_URL"
TARGET_OBS_PER_S = 2000
TARGET_P99_MS = 100


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; fields[0] is field 3 (state)
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _db_args(data_dir: Path, database_url: str | None) -> list[str]:
    return ["--data-dir", str(data_dir)] + (["--database-url", database_url] if database_url else [])


@contextmanager
def _server(data_dir: Path, database_url: str | None) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    port = _free_port()
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "sepsiscope", "serve", "--port", str(port), *_db_args(data_dir, database_url)],
            stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
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


def _token(data_dir: Path, database_url: str | None) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "sepsiscope", "token", "create", "--role", "integration", "--name", "bench",
         *_db_args(data_dir, database_url)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def run_one(
    label: str, plan: ReplayPlan, database_url: str | None, args: argparse.Namespace
) -> tuple[ReplayResult, float]:
    """Replay ``plan`` into a fresh server; return the result and the server's CPU seconds during it."""
    folder = Path(tempfile.mkdtemp(prefix="bench-service-"))
    try:
        data_dir = folder / "data"
        token = _token(data_dir, database_url)
        with _server(data_dir, database_url) as (url, process, _log):
            spy = None
            if args.py_spy:
                out = Path(args.py_spy).with_stem(f"{Path(args.py_spy).stem}-{label}")
                spy = subprocess.Popen(
                    [shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record", "-p",
                     str(process.pid), "-o", str(out), "--rate", "50", "--nonblocking", *(["--gil"] if os.environ.get("BENCH_PYSPY_GIL") else []), "--format",
                     {".svg": "flamegraph", ".json": "speedscope"}.get(out.suffix, "raw")],
                    stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                )  # fmt: skip
            cpu0 = _cpu_seconds(process.pid)
            result = replay(plan, url, token, clients=args.clients, time_limit_s=args.max_seconds)
            cpu = _cpu_seconds(process.pid) - cpu0
            if spy is not None:
                spy.send_signal(2)  # SIGINT: py-spy writes the profile and exits
                spy.wait(timeout=60)
                print(f"  py-spy profile of the server: {out}")
        return result, cpu
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(label: str, result: ReplayResult, cpu_s: float) -> None:
    """Print one database's figures, against the target."""
    done = "all" if result.complete else f"time limit reached after {result.observations_sent}"
    print(f"{label}: {result.observations_sent} observations ({done}) in {result.requests} batches, "
          f"{result.patient_requests} patients, {result.wall_s:.1f} s wall")  # fmt: skip
    print(f"  sustained {result.obs_per_s:,.0f} observations/s (target >= {TARGET_OBS_PER_S:,}), "
          f"{result.requests / result.wall_s:.1f} batches/s")  # fmt: skip
    print(f"  request latency p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, p99 {result.p99_ms:.0f} ms "
          f"(target p99 <= {TARGET_P99_MS} ms)")  # fmt: skip
    per = 1000 * cpu_s / result.requests if result.requests else float("nan")
    print(f"  server CPU {cpu_s:.1f} s ({cpu_s / result.wall_s:.2f} cores busy, {per:.0f} ms CPU per batch)")
    print(f"  accepted {result.accepted}, duplicates {result.duplicates}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=None, help="stop each replay after this long")
    parser.add_argument("--py-spy", default=None, help="write a py-spy flame graph of the server (OUT.svg)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not SET_A.exists():
        sys.exit(f"set A not found at {SET_A}")
    plan = physionet_plan(SET_A, patients=args.patients)
    print(f"set A, first {len(plan.patients)} patients: {plan.observations} observations in patient-hour batches; "
          f"{args.clients} clients, unpaced; {os.cpu_count()} CPUs")  # fmt: skip
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
