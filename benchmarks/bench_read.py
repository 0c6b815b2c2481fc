"""Time read_psv on PhysioNet 2019 set A against a plain per-file ``csv`` module loop.

Usage: python benchmarks/bench_read.py [path/to/training_setA.zip] [--repeat 3]

Prints the first call in this process ("cold": imports done, but every cache empty inside
polars and the reader), the best of ``--repeat`` further calls ("warm"), rows per second, and
the ratio to the baseline. The baseline reads the same zip member by member with ``zipfile``
and parses every field with ``csv`` + ``float`` (no validation, no table), so it is a lower
bound for any per-file csv reader.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from sepsiscope.io import read_psv

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "physionet2019" / "training_setA.zip"


def csv_loop(path: Path) -> int:
    """Per-file baseline: zipfile + csv.reader + float(), one list of rows per patient."""
    rows = 0
    with zipfile.ZipFile(path) as zf:
        for name in sorted(n for n in zf.namelist() if n.endswith(".psv")):
            reader = csv.reader(io.TextIOWrapper(zf.open(name), encoding="utf-8"), delimiter="|")
            next(reader)
            values = [[float(v) for v in row] for row in reader]
            rows += len(values)
    return rows


def ours(path: Path) -> int:
    return read_psv(path).table.height


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(fn: Callable[[Path], int], path: Path, repeat: int) -> tuple[float, float, float, int]:
    """(cold seconds, best warm seconds, cpu seconds of the best warm run, rows)."""
    start = time.perf_counter()
    rows = fn(path)
    cold = time.perf_counter() - start
    best, best_cpu = float("inf"), 0.0
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu()
        fn(path)
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, best_cpu = elapsed, _cpu() - cpu
    return cold, best, best_cpu, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.path.exists():
        raise SystemExit(f"{args.path} not found")
    results = {}
    for label, fn in (("read_psv", ours), ("csv loop", csv_loop)):
        cold, warm, cpu, rows = measure(fn, args.path, args.repeat)
        results[label] = warm
        print(
            f"{label:<9} rows {rows:>8,}  cold {cold:6.3f} s  warm best of {args.repeat} {warm:6.3f} s "
            f"(cpu {cpu:5.2f} s)  {rows / warm:>12,.0f} rows/s"
        )
    print(f"speed-up (warm): {results['csv loop'] / results['read_psv']:.1f}x")


if __name__ == "__main__":
    main()
