"""Sepsis-3 and bundles benchmark: synthetic patients' events, embedded engine and Spark.

Generates ``--patients`` designed patients (``sepsiscope.synth.clinical_events``), writes their
events as Parquet, then times on the embedded engine: reading and checking every event
(``read_events``), Sepsis-3 (episodes + per-hour sepsis/septic shock, hourly grid and SOFA from
the events) and both bundles; and on Spark (local mode, all cores) the same outputs through
``sepsis3_spark_frame``. Prints one JSON object with the figures.
Run: nice -n 10 .venv/bin/python benchmarks/bench_sepsis3.py [--patients 100000] [--no-spark]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from functools import partial
from pathlib import Path


def _timed(results: dict[str, float], name: str, fn, *args, **kw):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    out = fn(*args, **kw)
    results[name] = round(time.perf_counter() - started, 2)
    print(f"{name}: {results[name]} s", flush=True)
    return out


def embedded(events_path: Path, results: dict[str, float]) -> dict[str, int]:
    from sepsiscope.cohort.bundles import bundles_of
    from sepsiscope.cohort.sepsis3 import per_chunk, sepsis3
    from sepsiscope.io.events import read_events

    events = _timed(results, "embedded_read_events_s", read_events, events_path).table
    s3 = _timed(results, "embedded_sepsis3_s", sepsis3, events)
    ssc = _timed(results, "embedded_bundle_ssc_s", per_chunk, events, None, partial(bundles_of, bundle="ssc_hour1"))
    sep1 = _timed(results, "embedded_bundle_sep1_s", per_chunk, events, None, partial(bundles_of, bundle="sep1"))
    return {
        "events": events.height,
        "episodes": s3.episodes.height,
        "patient_hours": s3.hours.height,
        "septic_patients": s3.episodes.filter(s3.episodes["t_onset"].is_not_null())["patient_id"].n_unique(),
        "ssc_rows": ssc.height,
        "sep1_rows": sep1.height,
    }


def spark(events_path: Path, workdir: Path, results: dict[str, float]) -> None:
    from sepsiscope.cohort.sepsis3_spark import sepsis3_spark_frame
    from sepsiscope.cohort.spark import spark_session

    session = _timed(results, "spark_start_s", spark_session, "local[*]", conf={"spark.sql.shuffle.partitions": "8"})
    session.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    df = session.read.parquet(str(events_path))
    for name, kw in (("episodes", {}), ("hours", {}), ("bundles", {"bundle": "ssc_hour1"})):
        frame = sepsis3_spark_frame(df, name, partitions=8, **kw)  # type: ignore[arg-type]
        _timed(results, f"spark_{name}_s", frame.write.mode("overwrite").parquet, str(workdir / f"spark_{name}"))
    session.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    from sepsiscope.synth.clinical_events import generate_clinical_events

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="sepsiscope-bench-") as tmp:
        workdir = Path(tmp)
        synth = _timed(results, "generate_s", generate_clinical_events, args.patients, args.seed)
        events_path = workdir / "events.parquet"
        synth.events.write_parquet(events_path)
        counts = embedded(events_path, results)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if not args.no_spark:
            spark(events_path, workdir, results)
    print(json.dumps({"patients": args.patients, **counts, **results, "peak_rss_mb_embedded": round(peak)}, indent=1))


if __name__ == "__main__":
    main()
