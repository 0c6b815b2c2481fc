"""Scale benchmark: set A replicated 1x and 10x, scored by the embedded engine and by Spark.

The 10x cohort is set A with new patient ids per copy (``r3_p000001`` …): about 7.9 million
patient-hours. Both engines read the same Parquet dataset and write Parquet.
Run: .venv/bin/python benchmarks/bench_scale.py [--copies 1 10] [--workdir /tmp/sepsiscope-scale]
Spark runs in local mode on all cores (2 here) with the driver memory given.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SET_A = ROOT.parent / "shared" / "data" / "physionet2019" / "training_setA.zip"


def build(copies: int, folder: Path) -> int:
    from sepsiscope.io import read_any, write_patient_dataset

    if folder.exists() and any(folder.glob("*.parquet")):
        return pl.scan_parquet(folder / "*.parquet").select(pl.len()).collect().item()
    table = read_any(SET_A).table
    parts = [table.with_columns((pl.lit(f"r{k}_") + pl.col("patient_id")).alias("patient_id")) for k in range(copies)]
    big = pl.concat(parts)
    write_patient_dataset(big, folder, overwrite=True)
    return big.height


RUNNER = r"""
import json, resource, sys, time
engine, src, out, memory = sys.argv[1:5]
t0 = time.perf_counter()
if engine == "embedded":
    import polars as pl
    from sepsiscope.cohort import score_table
    from sepsiscope.io import read_any
    table = read_any(src).table
    t1 = time.perf_counter()
    scored = score_table(table)
    scored.write_parquet(out)
    rows = scored.height
else:
    from sepsiscope.cohort.spark import score_parquet, spark_session
    spark = spark_session("local[*]", conf={"spark.driver.memory": memory, "spark.sql.shuffle.partitions": "16"})
    t1 = time.perf_counter()
    score_parquet(spark, src, out, partitions=16)
    rows = spark.read.parquet(out).count()
    spark.stop()
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"engine": engine, "rows": rows, "setup_s": t1 - t0, "work_s": t2 - t1, "total_s": t2 - t0,
                  "peak_rss_mb_driver": peak}))
"""


def run(engine: str, src: Path, out: Path, memory: str) -> dict:
    if out.exists():
        shutil.rmtree(out) if out.is_dir() else out.unlink()
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, engine, str(src), str(out), memory], check=True, capture_output=True, text=True
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sepsiscope-scale"))
    parser.add_argument("--driver-memory", default="6g")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for copies in args.copies:
        src = args.workdir / f"setA_x{copies}"
        rows = build(copies, src)
        for engine in ("embedded", "spark"):
            out = args.workdir / (f"out_{engine}_x{copies}" + ("" if engine == "spark" else ".parquet"))
            r = run(engine, src, Path(out), args.driver_memory)
            print(
                f"x{copies:<3} {engine:<9} rows {rows:>10,}  total {r['total_s']:7.1f} s  work {r['work_s']:7.1f} s  "
                f"{rows / r['work_s']:>10,.0f} rows/s  max child RSS {r['children_peak_rss_mb']:,.0f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
